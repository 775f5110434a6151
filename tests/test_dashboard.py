"""The live dashboard: headless runs, in-place refresh, and the controls (ipywidgets 7.7 and 8)."""

import ipywidgets
import numpy as np
import pytest

from gan_lessons import curve_plots, dashboard, recipes, toy


@pytest.fixture
def live():
    curve = toy.QuadraticCurve()
    return dashboard.Dashboard(lambda: recipes.curve_trainer(hidden=(16, 16), batch_size=64),
                               curve_plots.curve_dashboard_draw(curve, curve.scaler()),
                               refresh_seconds=0.0, chunk_steps=40, draw_budget=1.0)


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
    assert live.trainer.config.objective == "minimax"
    buttons["reset"].click()
    assert int(live.trainer.step.numpy()) == 1  # fresh trainer; the redraw took one step
    assert live.trainer.config.objective == "minimax"  # the controls' settings carry over


def test_reset_keeps_the_students_choices_but_a_new_kind_of_trainer_brings_its_own():
    curve = toy.QuadraticCurve()
    rates = {"current": 2e-4}  # what the notebook's factory builds with (lesson 06 switches remedy)
    board = dashboard.Dashboard(
        lambda: recipes.curve_trainer(hidden=(8,), batch_size=32, learning_rate=rates["current"]),
        curve_plots.curve_dashboard_draw(curve, curve.scaler()), refresh_seconds=0.0, draw_budget=1.0)
    board.controls()
    buttons = board._buttons
    buttons["d_lr"].value, buttons["loss"].value = 3e-3, "minimax"
    buttons["reset"].click()  # the student's Reset: a fresh trainer with the settings on screen
    assert board.trainer.config.d_learning_rate == pytest.approx(3e-3)
    assert board.trainer.config.objective == "minimax"
    rates["current"] = 1e-4
    board.reset()  # the notebook switched trainers: the controls follow the new one
    assert board.trainer.config.d_learning_rate == pytest.approx(1e-4)
    assert buttons["d_lr"].value == pytest.approx(1e-4) and buttons["g_lr"].value == pytest.approx(1e-4)
    assert buttons["loss"].value == board.trainer.config.objective
    assert int(board.trainer.step.numpy()) == 1  # fresh; the redraw took one step


def test_slow_drawing_is_spaced_out_to_stay_within_its_time_budget(live, monkeypatch):
    now = {"t": 100.0}
    monkeypatch.setattr(dashboard.time, "perf_counter", lambda: now["t"])
    redraws = []
    monkeypatch.setattr(live, "redraw", lambda: redraws.append(now["t"]))
    live.refresh_seconds, live.draw_budget = 2.0, 0.1
    live._last_refresh, live._last_draw_seconds = 100.0, 0.1  # cheap drawing: refresh_seconds rules
    now["t"] = 101.9
    live._maybe_redraw()
    now["t"] = 102.0
    live._maybe_redraw()
    assert redraws == [102.0]
    live._last_refresh, live._last_draw_seconds = 102.0, 1.0  # 1 s a frame: wait 9 s, not 2
    now["t"] = 110.9
    live._maybe_redraw()
    now["t"] = 111.0
    live._maybe_redraw()
    assert redraws == [102.0, 111.0]


def test_bad_dashboard_settings_are_clear_errors():
    curve = toy.QuadraticCurve()
    draw = curve_plots.curve_dashboard_draw(curve, curve.scaler())
    with pytest.raises(ValueError, match="draw_budget"):
        dashboard.Dashboard(lambda: recipes.curve_trainer(hidden=(8,)), draw, draw_budget=0)
    with pytest.raises(ValueError, match="refresh_seconds"):
        dashboard.Dashboard(lambda: recipes.curve_trainer(hidden=(8,)), draw, refresh_seconds=-1)
