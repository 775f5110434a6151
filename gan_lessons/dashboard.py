"""Live training dashboards: one matplotlib figure redrawn in place, with ipywidgets controls.

The figure is shown as a PNG through an IPython display handle and replaced in place on every
refresh: it works in JupyterLab, Colab and classic Notebook, and under papermill the executed
notebook keeps the final frame. Controls use only widgets and traits that ipywidgets 7.7 (Colab)
and 8.x share. Training runs in compiled chunks between refreshes, so the kernel stays responsive.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import ipywidgets as widgets
from IPython.display import Image, display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gan_lessons import game
from gan_lessons.training import Trainer, TrainingDiverged


class LiveFigure:
    """A matplotlib Figure shown once and then updated in place (no new figure per refresh)."""

    def __init__(self, figure: Figure, dpi: int = 72):
        self.figure = figure
        self.dpi = dpi
        FigureCanvasAgg(figure)
        self._handle = None

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi)
        return buffer.getvalue()

    def show(self):
        """Display the figure in the current cell's output; later refreshes replace it."""
        self._handle = display(Image(self.png()), display_id=True)

    def refresh(self):
        if self._handle is None:
            self.show()
        else:
            self._handle.update(Image(self.png()))


class Dashboard:
    """Train a GAN live. `make_trainer()` builds a fresh Trainer (at start and on reset);
    `draw(figure, trainer)` redraws the whole figure from the trainer's current state.

    dashboard.run(steps): train now, refreshing at most every `refresh_seconds` (headless-safe).
    dashboard.show(): controls (train N steps, play/pause, reset, learning rates, objective)
    above the live figure.
    """

    def __init__(self, make_trainer: Callable[[], Trainer], draw: Callable[[Figure, Trainer], None],
                 figsize=(16, 3.6), refresh_seconds: float = 2.0, chunk_steps: int | None = None,
                 evaluate_every: int | None = None, dpi: int = 72, draw_budget: float = 0.1):
        if refresh_seconds < 0:
            raise ValueError(f"refresh_seconds must be >= 0, got {refresh_seconds}")
        if not 0 < draw_budget <= 1:
            raise ValueError(f"draw_budget must be in (0, 1], got {draw_budget}")
        self.draw_budget = draw_budget  # at most this share of wall time goes to drawing
        self.make_trainer = make_trainer
        self.draw = draw
        self.refresh_seconds = refresh_seconds
        self.evaluate_every = evaluate_every
        self.trainer = make_trainer()
        self.chunk_steps = chunk_steps or self.trainer.config.chunk_size
        # No constrained layout: it would double the cost of every refresh. `draw` places the axes.
        self.live = LiveFigure(Figure(figsize=figsize), dpi=dpi)
        self._last_refresh = 0.0
        self._last_draw_seconds = 0.0
        self._controls = None
        self._report = None  # the controls' status-line updater, once they exist
        self._buttons = {}  # the controls' widgets by name, once they exist
        self.redraw_count = 0

    # ---- training -----------------------------------------------------------------------
    def redraw(self):
        start = time.perf_counter()
        self.draw(self.live.figure, self.trainer)
        self.live.refresh()
        self.redraw_count += 1
        self._last_refresh = time.perf_counter()
        self._last_draw_seconds = self._last_refresh - start

    def _maybe_redraw(self, force=False):
        # Wait refresh_seconds, or longer when drawing is slow, so that drawing takes at most
        # draw_budget of the wall time on any machine.
        cost = self._last_draw_seconds
        wait = max(self.refresh_seconds, cost * (1 - self.draw_budget) / self.draw_budget)
        if force or time.perf_counter() - self._last_refresh >= wait:
            self.redraw()

    def _train(self, steps: int, progress: bool | None = False, callback=None):
        kwargs = {"evaluate_every": self.evaluate_every} if self.evaluate_every else {}
        self.trainer.train(steps, progress=progress, callback=callback, **kwargs)

    def run(self, steps: int, progress: bool | None = None):
        """Train `steps` steps now, redrawing the figure in place as it goes and at the end."""
        if self.live._handle is None:
            self.live.show()
        self._last_refresh = time.perf_counter()
        self._train(steps, progress, callback=lambda _: self._maybe_redraw())
        self.redraw()
        if self._report is not None:
            self._report()
        return self.trainer.history

    def reset(self, keep_choices: bool = False):
        """Start over with a fresh trainer from make_trainer, and redraw. With keep_choices (the
        Reset button) the learning rates and loss set in the controls apply to it; otherwise the
        controls take the new trainer's own settings (after a notebook switched to another kind
        of trainer, say WGAN-GP with its own learning rate)."""
        self.trainer = self.make_trainer()
        if self._buttons:
            d_lr, g_lr, loss = (self._buttons[name] for name in ("d_lr", "g_lr", "loss"))
            if keep_choices:
                self.trainer.set_learning_rates(d=d_lr.value, g=g_lr.value)
                self.trainer.set_objective(loss.value)
            else:
                c = self.trainer.config
                d_lr.value, g_lr.value, loss.value = c.d_learning_rate, c.g_learning_rate, c.objective
        self.redraw()
        if self._report is not None:
            self._report()

    # ---- widgets ------------------------------------------------------------------------
    def controls(self) -> widgets.Widget:
        c = self.trainer.config
        steps = widgets.BoundedIntText(value=1000, min=1, max=1_000_000, step=100,
                                       description="steps", layout=widgets.Layout(width="170px"))
        train = widgets.Button(description="Train N steps", icon="forward")
        play = widgets.Play(value=0, min=0, max=10**9, step=1, interval=250, description="play")
        reset = widgets.Button(description="Reset", icon="undo")
        d_lr = widgets.FloatLogSlider(value=c.d_learning_rate, base=10, min=-5, max=-1, step=0.25,
                                      description="D lr", readout_format=".1e")
        g_lr = widgets.FloatLogSlider(value=c.g_learning_rate, base=10, min=-5, max=-1, step=0.25,
                                      description="G lr", readout_format=".1e")
        loss = widgets.Dropdown(options=list(game.OBJECTIVES), value=c.objective, description="objective")
        status = widgets.HTML()
        self._status = status
        busy = {"until": 0.0}

        def report(message=None):
            t = self.trainer
            h = t.history
            text = f"step {int(t.step.numpy())}"
            if len(h):
                text += f" · D loss {h['d_loss'][-1]:.3f} · G loss {h['g_loss'][-1]:.3f}"
            status.value = message or text

        def guarded(action):
            try:
                action()
            except TrainingDiverged as error:
                report(f"<b style='color:#b00'>{error}</b>")
                return
            report()

        def on_train(_):
            guarded(lambda: (self._train(steps.value), self.redraw()))

        def on_tick(change):
            # Each tick of the Play widget trains one chunk. Ticks that queued up while the
            # kernel was busy are dropped, so pausing takes effect at once.
            if time.perf_counter() < busy["until"]:
                return
            guarded(lambda: (self._train(self.chunk_steps), self._maybe_redraw()))
            busy["until"] = time.perf_counter() + 0.5 * play.interval / 1000

        def on_reset(_):
            guarded(lambda: self.reset(keep_choices=True))

        train.on_click(on_train)
        play.observe(on_tick, names="value")
        reset.on_click(on_reset)
        d_lr.observe(lambda ch: self.trainer.set_learning_rates(d=ch["new"]), names="value")
        g_lr.observe(lambda ch: self.trainer.set_learning_rates(g=ch["new"]), names="value")
        loss.observe(lambda ch: self.trainer.set_objective(ch["new"]), names="value")
        report()
        self._report = report
        self._controls = widgets.VBox([
            widgets.HBox([steps, train, widgets.Label("play/pause:"), play, reset]),
            widgets.HBox([d_lr, g_lr, loss]),
            status,
        ])
        self._buttons = {"train": train, "reset": reset, "play": play, "steps": steps,
                         "d_lr": d_lr, "g_lr": g_lr, "loss": loss}
        return self._controls

    def show(self):
        """Display the controls and, below them, the live figure."""
        display(self.controls())
        self.live.show()
        self.redraw()
