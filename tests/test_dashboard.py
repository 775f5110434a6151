"""The live dashboard: headless runs, in-place refresh, and controls that are the trainer's state,
driven as the front end drives them (comm messages), under ipywidgets 7.7 and 8."""

import threading

import ipywidgets
import numpy as np
import pytest

from gan_lessons import curve_plots, dashboard, recipes, toy


def _front_end(widget, **state):
    """What the browser sends when a student moves a control: a comm 'update' message."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})


def _click(button):
    """What the browser sends when a student clicks a button."""
    button._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click"}}},
                        "buffers": []})


def _playing_trait(play) -> str:
    return "playing" if "playing" in play.keys else "_playing"  # ipywidgets 8.x, 7.x


@pytest.fixture
def outputs(monkeypatch):
    """Every display and in-place update the dashboard makes, instead of a notebook's outputs."""
    record = {"shown": [], "updated": []}

    class Handle:
        def update(self, obj, raw=False):
            record["updated"].append(obj)

    def fake_display(obj, display_id=False, raw=False):
        record["shown"].append(obj)
        return Handle()

    monkeypatch.setattr(dashboard, "display", fake_display)
    return record


def _board(**trainer_settings):
    curve = toy.QuadraticCurve()
    settings = {"hidden": (16, 16), "batch_size": 64, **trainer_settings}
    return dashboard.Dashboard(lambda: recipes.curve_trainer(**settings),
                               curve_plots.curve_dashboard_draw(curve, curve.scaler(), n_samples=200),
                               refresh_seconds=0.0, chunk_steps=40, draw_budget=1.0)


@pytest.fixture
def live():
    return _board()


def _status(outputs) -> str:
    bundles = [o for o in outputs["shown"] + outputs["updated"] if isinstance(o, dict)]
    return bundles[-1]["text/plain"]


def _figure_step(board) -> int:
    return int(board.live.figure.axes[0].get_title().rsplit("step ", 1)[1].replace(",", ""))


def test_headless_run_trains_exactly_the_steps_asked_and_leaves_a_four_panel_frame(live):
    history = live.run(120)
    assert len(history) == 120  # drawing trains nothing
    assert live.redraw_count >= 2
    assert len(live.live.figure.axes) == 4
    assert _figure_step(live) == 120
    png = live.live.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_figure_is_replaced_in_place_not_duplicated(live, outputs):
    live.run(200)
    images = [o for o in outputs["shown"] if not isinstance(o, dict)]
    assert len(images) == 1 and len(outputs["updated"]) == live.redraw_count - 1 >= 2


def test_drawing_leaves_the_trainer_exactly_as_it_was(live):
    live.trainer.train(40, progress=False)
    before = [v.numpy().copy() for v in live.trainer._state_variables()]
    live.redraw()  # computes the next G update for the feature panel, then undoes it
    after = [v.numpy() for v in live.trainer._state_variables()]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_the_sliders_show_the_trainers_exact_rate_and_the_front_end_sets_it_exactly(outputs):
    board = _board(learning_rate=5e-4)
    board.show()
    d_lr, g_lr = board._buttons["d_lr"], board._buttons["g_lr"]
    assert d_lr.value == 5e-4 == board.trainer.config.d_learning_rate  # not 5.62e-4 on a log grid
    labels = [label for label, _ in d_lr.options]
    _front_end(d_lr, index=labels.index("2e-4"))  # the student drags D lr to 2e-4
    assert board.trainer.config.d_learning_rate == 2e-4
    assert float(board.trainer.d_optimizer.learning_rate.numpy()) == pytest.approx(2e-4, rel=1e-7)
    assert board.trainer.config.g_learning_rate == 5e-4  # the other slider's rate is untouched
    _front_end(g_lr, index=labels.index("5e-4") + 1)  # one notch right of 5e-4
    assert board.trainer.config.g_learning_rate == 7e-4
    assert "D lr 2e-4 · G lr 7e-4" in _status(outputs)


def test_rates_set_by_the_notebook_show_on_the_sliders_at_the_next_refresh(outputs):
    board = _board(learning_rate=1e-3)
    board.show()
    board.trainer.set_learning_rates(d=2.5e-4, g=2e-4)  # lesson 03 drops the rates after building it
    board.run(40)
    d_lr, g_lr = board._buttons["d_lr"], board._buttons["g_lr"]
    assert (d_lr.value, d_lr.label, g_lr.value) == (2.5e-4, "2.5e-4", 2e-4)
    assert board.trainer.config.d_learning_rate == 2.5e-4  # syncing the slider did not change it
    neighbours = [value for _, value in d_lr.options]
    assert neighbours[neighbours.index(2.5e-4) + 1] == 3e-4  # one notch right: 3e-4, not 9x higher
    assert "D lr 2.5e-4 · G lr 2e-4" in _status(outputs)


def test_train_button_reports_progress_disables_itself_and_ignores_a_queued_click(outputs, monkeypatch):
    browser_clock = {"t": 1000.0}  # when the browser sent each message (its header's date)
    monkeypatch.setattr(dashboard, "sent_at", lambda: browser_clock["t"])
    board = _board(chunk_size=20)
    board.show()
    buttons = board._buttons
    seen = {"disabled": [], "progress": []}
    buttons["train"].observe(lambda ch: seen["disabled"].append(ch["new"]), names="disabled")
    buttons["progress"].observe(lambda ch: seen["progress"].append(ch["new"]), names="value")
    _front_end(buttons["steps"], value=100)
    updates_before = len(outputs["updated"])
    _click(buttons["train"])
    browser_clock["t"] += 0.05  # a double click: sent while the first click's run was going
    _click(buttons["train"])
    assert int(board.trainer.step.numpy()) == 100
    assert seen["disabled"] == [True, False]
    assert seen["progress"] == [20, 40, 60, 80, 100]  # after every chunk
    assert len(outputs["updated"]) - updates_before >= 5  # status and figure refreshed as it went
    assert _figure_step(board) == 100 and _status(outputs).startswith("step 100 ")
    browser_clock["t"] += 3600  # clicked again once the first run was over: it trains
    _click(buttons["train"])
    assert int(board.trainer.step.numpy()) == 200


def test_a_click_that_arrives_while_another_thread_trains_is_dropped(live, outputs):
    """JupyterLab 4 with ipykernel 7 may run two widget messages at once, in two threads."""
    live.show()
    training, release = threading.Event(), threading.Event()

    def another_action():
        with live._lock:  # what a Train N steps run holds in its thread
            training.set()
            release.wait(30)

    other = threading.Thread(target=another_action)
    other.start()
    training.wait(30)
    _click(live._buttons["train"])
    _click(live._buttons["both_step"])
    _front_end(live._buttons["play"], value=1)
    release.set()
    other.join()
    assert int(live.trainer.step.numpy()) == 0 and len(live.trainer.history) == 0


def test_play_trains_a_chunk_per_tick_and_pause_or_stop_shows_the_last_step(live, outputs):
    live.show()
    play = live._buttons["play"]
    live.refresh_seconds = 1e9  # the draw budget would skip every redraw while playing
    _front_end(play, **{_playing_trait(play): True})
    _front_end(play, value=1)
    assert int(live.trainer.step.numpy()) == 40 and _figure_step(live) == 0  # figure not redrawn yet
    _front_end(play, **{_playing_trait(play): False})  # pause
    assert _figure_step(live) == 40
    _front_end(play, **{_playing_trait(play): True})
    _front_end(play, value=2)
    _front_end(play, value=0)  # stop: the widget goes back to its minimum, training nothing
    assert int(live.trainer.step.numpy()) == 80 and _figure_step(live) == 80
    assert _status(outputs).startswith("step 80 ")


def test_one_update_by_hand_moves_only_that_network_and_says_so(live, outputs):
    live.show()
    t = live.trainer
    weights = lambda model: [w.copy() for w in model.get_weights()]  # noqa: E731
    same = lambda a, b: all(np.array_equal(x, y) for x, y in zip(a, b))  # noqa: E731
    g_before, d_before = weights(t.generator), weights(t.discriminator)
    _click(live._buttons["d_step"])
    assert same(g_before, weights(t.generator)) and not same(d_before, weights(t.discriminator))
    assert int(t.step.numpy()) == 0 and _status(outputs).startswith("D only: one discriminator update")
    _click(live._buttons["d_step"])  # again at the same step: on a fresh batch, not the same one
    assert t.extra_draws == 2 and int(t.step.numpy()) == 0
    d_before = weights(t.discriminator)
    _click(live._buttons["g_step"])
    assert same(d_before, weights(t.discriminator)) and not same(g_before, weights(t.generator))
    assert _status(outputs).startswith("G only: one generator update")
    _click(live._buttons["both_step"])
    assert int(t.step.numpy()) == 1 and len(t.history) == 1 and _figure_step(live) == 1
    assert _status(outputs).startswith("both: 1 D update(s), then one G update")


def test_objective_menu_and_reset_carry_the_students_choices(live, outputs):
    live.show()
    buttons = live._buttons
    assert ipywidgets.__version__.split(".")[0] in {"7", "8"}
    _front_end(buttons["loss"], index=list(buttons["loss"].options).index("minimax"))
    assert live.trainer.config.objective == "minimax"
    labels = [label for label, _ in buttons["d_lr"].options]
    _front_end(buttons["d_lr"], index=labels.index("1e-4"))
    _click(buttons["reset"])
    assert int(live.trainer.step.numpy()) == 0 and len(live.trainer.history) == 0  # fresh
    assert live.trainer.config.objective == "minimax" and live.trainer.config.d_learning_rate == 1e-4
    assert "not trained yet" in live.live.figure.axes[3].get_title()  # not an empty -0.04..0.04 axis
    assert "objective minimax" in _status(outputs)


def test_a_fresh_trainer_says_how_many_steps_of_the_run_it_replaced_were_discarded(live, outputs):
    live.show()
    live.reset()
    assert "the last one had not started, nothing was lost" in _status(outputs)
    live.run(40)
    live.reset()  # what a notebook's menu does (lesson 06's data or remedy, lesson 07's constraint)
    assert "a fresh run: the last one was discarded after 40 steps" in _status(outputs)
    _click(live._buttons["both_step"])
    _click(live._buttons["reset"])
    assert _status(outputs).startswith("reset: a fresh run: the last one was discarded after 1 step\n")


def test_reset_keeps_the_students_choices_but_a_new_kind_of_trainer_brings_its_own(outputs):
    curve = toy.QuadraticCurve()
    rates = {"current": 2e-4}  # what the notebook's factory builds with (lesson 06 switches remedy)
    board = dashboard.Dashboard(
        lambda: recipes.curve_trainer(hidden=(8,), batch_size=32, learning_rate=rates["current"]),
        curve_plots.curve_dashboard_draw(curve, curve.scaler(), n_samples=100), refresh_seconds=0.0,
        draw_budget=1.0, objectives=["non_saturating", "minimax"])
    board.show()
    buttons = board._buttons
    assert list(buttons["loss"].options) == ["non_saturating", "minimax"]
    buttons["d_lr"].value, buttons["loss"].value = 3e-3, "minimax"
    buttons["reset"].click()  # the student's Reset: a fresh trainer with the settings on screen
    assert board.trainer.config.d_learning_rate == 3e-3
    assert board.trainer.config.objective == "minimax"
    rates["current"] = 1.5e-4
    board.reset()  # the notebook switched trainers: the controls follow the new one
    assert board.trainer.config.d_learning_rate == 1.5e-4
    assert buttons["d_lr"].value == 1.5e-4 and buttons["g_lr"].value == 1.5e-4
    assert buttons["loss"].value == board.trainer.config.objective == "non_saturating"
    assert int(board.trainer.step.numpy()) == 0


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



def test_a_run_that_ends_within_the_wait_skips_the_frame_its_final_one_replaces(live, monkeypatch):
    now = {"t": 100.0}
    monkeypatch.setattr(dashboard.time, "perf_counter", lambda: now["t"])
    redraws = []
    monkeypatch.setattr(live, "redraw", lambda: redraws.append(now["t"]))
    live.refresh_seconds, live.draw_budget = 2.0, 0.1
    live._last_refresh, live._last_draw_seconds = 97.0, 0.1  # 3 s since the last frame: wait over
    live._progress = (900, 1000, 91.0)  # 9 s for 900 steps: 1 s left, within the 2 s wait
    live._maybe_redraw()
    assert redraws == [] and live.seconds_left() == pytest.approx(1.0)
    live._progress = (600, 1000, 94.0)  # 6 s for 600 steps: 4 s left
    live._maybe_redraw()
    assert redraws == [100.0]
    live._progress = None  # no run: nothing to wait for
    assert live.seconds_left() == float("inf")

def test_every_lessons_dashboard_figure_fits_a_1000_px_notebook():
    """JupyterLab in a 1,000 px window with its file browser open leaves about 560 px for an
    output: a figure much wider is shrunk to fit, and its text with it (lesson 07's was 960 px)."""
    from gan_lessons import (
        conditional_plots,
        image_plots,
        mode_plots,
        stabilising_plots,
        theory_plots,
        wasserstein_plots,
    )

    curve = toy.QuadraticCurve()
    draws = {"01": curve_plots.curve_dashboard_draw(curve, curve.scaler()), "03, 04": image_plots.live_draw(),
             "05": theory_plots.draw_training_state, "06": mode_plots.draw_live,
             "07": wasserstein_plots.draw_live, "08": stabilising_plots.draw_live,
             "09": conditional_plots.live_draw(0.9)}
    for lessons, draw in draws.items():
        width, height = (inches * dashboard.DPI for inches in draw.figsize)
        assert width <= 620 and height <= 560, f"lesson {lessons}: {width:.0f} x {height:.0f} px"


def test_rate_labels_are_exact_enough_to_tell_rates_apart():
    assert [dashboard.rate_label(r) for r in (5e-4, 2.5e-4, 1e-3, 1.23456e-4)] == [
        "5e-4", "2.5e-4", "1e-3", "1.235e-4"]
    options = dashboard.rate_options(2.5e-4)
    values = [value for _, value in options]
    assert values == sorted(values) and 2.5e-4 in values and 5e-4 in values
    assert len({label for label, _ in options}) == len(options)


def test_bad_dashboard_settings_are_clear_errors():
    curve = toy.QuadraticCurve()
    draw = curve_plots.curve_dashboard_draw(curve, curve.scaler())
    with pytest.raises(ValueError, match="draw_budget"):
        dashboard.Dashboard(lambda: recipes.curve_trainer(hidden=(8,)), draw, draw_budget=0)
    with pytest.raises(ValueError, match="refresh_seconds"):
        dashboard.Dashboard(lambda: recipes.curve_trainer(hidden=(8,)), draw, refresh_seconds=-1)
    with pytest.raises(ValueError, match="game.OBJECTIVES"):
        dashboard.Dashboard(lambda: recipes.curve_trainer(hidden=(8,)), draw, objectives=["nonsaturating"])


def test_lesson05s_frame_shows_minimax_barely_pushing_the_fakes_d_rejects():
    from matplotlib.figure import Figure

    from gan_lessons import loss_comparison, theory_plots

    trainer = loss_comparison.make_trainer("non_saturating", "balanced", seed=0, eval_samples=100)
    trainer.set_learning_rates(d=1e-2)
    for _ in range(60):  # D alone learns to reject G's first samples: D(G(z)) about 1e-3
        trainer.discriminator_step()
    latent = trainer.latent_vectors(200, np.array([777, 0], np.int64))
    lengths = {}
    for loss in ("non_saturating", "minimax"):
        trainer.set_objective(loss)
        _, push = curve_plots.generator_push(trainer, latent)
        lengths[loss] = np.median(np.linalg.norm(theory_plots.push_arrows(push), axis=1))
        figure = Figure(figsize=theory_plots.draw_training_state.figsize)
        theory_plots.draw_training_state(figure, trainer)
        assert len(figure.axes) == 4 and figure.axes[0].collections[-1].get_offsets().shape == (60, 2)
    assert lengths["minimax"] < 0.01 * lengths["non_saturating"]  # per fake: D/(1 - D) times
