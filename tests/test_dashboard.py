"""The live dashboard: headless runs, in-place refresh, and the controls (ipywidgets 7.7 and 8)."""

import ipywidgets
import numpy as np
import pytest

from gan_lessons import dashboard, plots, recipes, toy


@pytest.fixture
def live():
    curve = toy.QuadraticCurve()
    return dashboard.Dashboard(lambda: recipes.curve_trainer(hidden=(16, 16), batch_size=64),
                               plots.curve_dashboard_draw(curve, curve.scaler()),
                               refresh_seconds=0.0, chunk_steps=40)


def test_headless_run_trains_and_leaves_a_four_panel_frame(live):
    history = live.run(120)
    assert len(history) >= 120  # plus one step per redraw, for the feature-space panel
    assert live.redraw_count >= 2
    assert len(live.live.figure.axes) == 4
    png = live.live.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_figure_is_replaced_in_place_not_duplicated(live, monkeypatch):
    shown, updated = [], []

    class Handle:
        def update(self, image):
            updated.append(image)

    def fake_display(obj, display_id=False):
        shown.append(obj)
        return Handle()

    monkeypatch.setattr(dashboard, "display", fake_display)
    live.run(200)
    assert len(shown) == 1 and len(updated) == live.redraw_count >= 2


def test_controls_train_reset_and_change_settings(live):
    live.controls()
    buttons = live._buttons
    assert ipywidgets.__version__.split(".")[0] in {"7", "8"}
    buttons["steps"].value = 30
    buttons["train"].click()
    assert int(live.trainer.step.numpy()) == 31  # 30 + the redraw's feature step
    buttons["play"].value += 1  # one tick of the play widget trains one chunk
    assert int(live.trainer.step.numpy()) > 31
    buttons["d_lr"].value = 1e-4
    assert np.isclose(live.trainer.d_optimizer.learning_rate.numpy(), 1e-4)
    buttons["loss"].value = "minimax"
    assert live.trainer.config.generator_loss == "minimax"
    buttons["reset"].click()
    assert int(live.trainer.step.numpy()) == 1  # fresh trainer; the redraw took one step
    assert live.trainer.config.generator_loss == "minimax"  # the controls' settings carry over
