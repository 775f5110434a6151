"""A History keeps one value per step for every metric, also when metrics come and go mid-run."""

import numpy as np

from gan_lessons.history import History


def test_a_metric_that_appears_or_stops_mid_run_reads_nan_where_it_was_not_recorded():
    history = History()
    history.extend(0, {"d_loss": np.array([1.0, 2.0]), "g_loss": np.array([3.0, 4.0])})
    history.extend(2, {"d_loss": np.array([5.0]), "g_loss": np.array([6.0]), "r1_penalty": np.array([0.5])})
    history.extend(3, {"d_loss": np.array([7.0]), "g_loss": np.array([8.0])})
    assert history.steps == [0, 1, 2, 3]
    np.testing.assert_array_equal(history["r1_penalty"], [np.nan, np.nan, 0.5, np.nan])
    np.testing.assert_array_equal(history["d_loss"], [1.0, 2.0, 5.0, 7.0])
    assert all(len(values) == len(history) for values in history.metrics.values())


def test_smoothed_is_a_trailing_mean():
    history = History()
    history.extend(0, {"d_loss": np.arange(6.0)})
    np.testing.assert_allclose(history.smoothed("d_loss", 3), [0, 0.5, 1, 2, 3, 4])
