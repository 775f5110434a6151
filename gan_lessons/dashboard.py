"""Live training dashboards (lessons 01, 03-07): one matplotlib figure redrawn in place, with
ipywidgets controls that always show the trainer's own settings.

The figure and the status line are outputs shown through IPython display handles and replaced in
place on every refresh: they work in JupyterLab, Colab and classic Notebook, and under papermill
the executed notebook (and its HTML copy) keeps the final frame and the final status, which names
the settings the controls held. Controls use only widgets and traits that ipywidgets 7.7 (Colab)
and 8.x share. Training runs in compiled chunks between refreshes, so the kernel stays responsive.

JupyterLab 4 with ipykernel 7 may handle two widget messages at once, in two threads (a "subshell"
for widgets): one lock lets one action at a time train or draw, and a click or play tick that
arrives while another trains is dropped, as is one the browser sent while the last action was
still running (it queued up behind it: a double click, a burst of play ticks).
"""

from __future__ import annotations

import html
import io
import math
import threading
import time
from collections.abc import Callable
from datetime import datetime

import ipywidgets as widgets
import matplotlib
from IPython.display import Image, display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gan_lessons import game
from gan_lessons.training import Trainer, TrainingDiverged

# Text sizes for a figure about 600 px wide, legible where JupyterLab narrows it to ~560 px (a
# 1,000 px window with the file browser open). Applied only while a dashboard draws.
STYLE = {"font.size": 10.5, "axes.titlesize": 11, "axes.labelsize": 10.5, "xtick.labelsize": 9.5,
         "ytick.labelsize": 9.5, "legend.fontsize": 9, "legend.framealpha": 0.85}
FIGSIZE = (7.6, 6.0)  # inches at DPI: 608 x 480 px, for a draw without a `figsize` of its own
DPI = 80
# The learning rates a slider offers: 1, 2, 3, 5, 7 per decade from 1e-5 to 0.1, as exact floats,
# plus the trainer's own rate wherever it lies (so the slider never rounds the rate in use).
RATES = tuple(float(f"{m}e{e}") for e in range(-5, -1) for m in (1, 2, 3, 5, 7)) + (0.1,)


def sent_at() -> float | None:
    """When the browser sent the widget message being handled, in seconds on the browser's clock
    (its header's date), or None outside a kernel or when the kernel does not say."""
    try:
        from ipykernel.kernelbase import Kernel

        if not Kernel.initialized():
            return None
        kernel = Kernel.instance()
        parent = kernel.get_parent("shell") if hasattr(kernel, "get_parent") else kernel._parent_header
        date = (parent or {}).get("header", {}).get("date")
        if isinstance(date, str):
            date = datetime.fromisoformat(date)
        return date.timestamp() if isinstance(date, datetime) else None
    except Exception:  # an older or other kernel: no way to tell, so every message counts
        return None


def rate_label(rate: float) -> str:
    """A learning rate as a slider shows it: 5e-4, 2.5e-4, 1e-3 (4 significant digits at most)."""
    mantissa, exponent = f"{rate:.3e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def rate_options(rate: float) -> list[tuple[str, float]]:
    """(label, rate) pairs for a learning-rate slider: RATES and `rate` itself, ascending."""
    return [(rate_label(r), r) for r in sorted({*RATES, float(rate)})]


class LiveFigure:
    """A matplotlib Figure shown once and then updated in place (no new figure per refresh)."""

    def __init__(self, figure: Figure, dpi: int = DPI):
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
    `draw(figure, trainer)` redraws the whole figure from the trainer's current state, without
    training (a `draw.figsize` attribute, if any, sizes the figure).

    dashboard.run(steps): train now, refreshing the status and figure as it goes (headless-safe).
    dashboard.show(): controls (train N steps with a progress bar, play/pause, reset, one D or G
    update by hand, learning rates, objective), the status line, and the live figure.
    dashboard.sync(): make the controls show the trainer's settings (every refresh calls it, so a
    notebook may set the trainer's rates or objective directly).
    objectives: the names (keys of game.OBJECTIVES) the objective menu offers; default all.
    """

    def __init__(self, make_trainer: Callable[[], Trainer], draw: Callable[[Figure, Trainer], None],
                 figsize=None, refresh_seconds: float = 2.0, chunk_steps: int | None = None,
                 evaluate_every: int | None = None, dpi: int = DPI, draw_budget: float = 0.1,
                 objectives=None):
        if refresh_seconds < 0:
            raise ValueError(f"refresh_seconds must be >= 0, got {refresh_seconds}")
        if not 0 < draw_budget <= 1:
            raise ValueError(f"draw_budget must be in (0, 1], got {draw_budget}")
        self.draw_budget = draw_budget  # at most this share of wall time goes to drawing
        self.objectives = list(objectives or game.OBJECTIVES)  # what the objective menu offers
        unknown = [name for name in self.objectives if name not in game.OBJECTIVES]
        if unknown:
            raise ValueError(f"objectives {unknown} are not in game.OBJECTIVES: pick from "
                             f"{list(game.OBJECTIVES)}")
        self.make_trainer = make_trainer
        self.draw = draw
        self.refresh_seconds = refresh_seconds
        self.evaluate_every = evaluate_every
        self.trainer = make_trainer()
        self.chunk_steps = chunk_steps or self.trainer.config.chunk_size
        figsize = figsize or getattr(draw, "figsize", FIGSIZE)
        # No constrained layout: it would double the cost of every refresh. `draw` places the axes.
        self.live = LiveFigure(Figure(figsize=figsize), dpi=dpi)
        self._last_refresh = 0.0
        self._last_draw_seconds = 0.0
        self._stale = True  # the trainer changed since the figure was drawn
        self._busy_until = float("-inf")  # browser clock: a message sent before this queued up
        self._status = None  # the status line's display handle, once shown
        self._note = ""  # what the last control did, shown above the status numbers
        self._progress = None  # (done, total, started) while a run is going
        self._lock = threading.RLock()  # held while training or drawing
        self._sync_lock = threading.RLock()  # held while the controls are set from the trainer
        self._syncing = threading.local()  # .on in the thread that sync() writes widgets from
        self._buttons = {}  # the controls' widgets by name, once they exist
        self.redraw_count = 0

    # ---- drawing and the status line -----------------------------------------------------
    def redraw(self):
        """Draw the figure from the trainer now, and refresh the status line."""
        with self._lock:
            start = time.perf_counter()
            with matplotlib.rc_context(STYLE):
                self.draw(self.live.figure, self.trainer)
                self.live.refresh()
            self.redraw_count += 1
            self._stale = False
            self._last_refresh = time.perf_counter()
            self._last_draw_seconds = self._last_refresh - start
        self.sync()

    def _maybe_redraw(self):
        # Wait refresh_seconds, or longer when drawing is slow, so that drawing takes at most
        # draw_budget of the wall time on any machine.
        # A run that will end within that wait skips the frame: its final frame comes sooner.
        cost = self._last_draw_seconds
        wait = max(self.refresh_seconds, cost * (1 - self.draw_budget) / self.draw_budget)
        if time.perf_counter() - self._last_refresh >= wait and self.seconds_left() >= wait:
            self.redraw()
        else:
            self.sync()

    def seconds_left(self) -> float:
        """The time the run in progress should still take, from its pace so far (inf: no run,
        or no step done yet)."""
        progress = self._progress
        if not progress or not progress[0]:
            return math.inf
        done, total, started = progress
        return (time.perf_counter() - started) * (total - done) / done

    def status_text(self) -> str:
        """The status line as plain text: step, last losses, and the settings in use."""
        t, c = self.trainer, self.trainer.config
        h = t.history
        parts = [f"step {int(t.step.numpy()):,}"]
        if len(h):
            parts.append(f"D loss {h['d_loss'][-1]:.3f} · G loss {h['g_loss'][-1]:.3f}")
        parts.append(f"D lr {rate_label(c.d_learning_rate)} · G lr {rate_label(c.g_learning_rate)} · "
                     f"objective {c.objective}")
        progress = self._progress
        if progress:
            done, total, _ = progress
            left = f", about {self.seconds_left():.0f} s left" if done else ""
            parts.insert(0, f"training {done:,} / {total:,} steps{left}")
        return " · ".join(parts)

    def _show_status(self, error: str = ""):
        text = self.status_text()
        lines = [f"<b style='color:#b00'>{html.escape(error)}</b>"] if error else []
        if self._note:
            lines.append(html.escape(self._note))
        lines.append(html.escape(text))
        markup = f"<div class='gan-lessons-status'>{'<br>'.join(lines)}</div>"
        plain = "\n".join(([error] if error else []) + ([self._note] if self._note else []) + [text])
        bundle = {"text/html": markup, "text/plain": plain}
        if self._status is None:
            self._status = display(bundle, raw=True, display_id=True)
        else:
            self._status.update(bundle, raw=True)

    def sync(self, error: str = ""):
        """Make the controls show the trainer's learning rates and objective, and refresh the
        status line (and the progress bar while a run is going)."""
        with self._sync_lock:
            self._sync(error)

    def _sync(self, error: str):
        if self._buttons:
            c = self.trainer.config
            self._syncing.on = True
            try:
                for name, rate in (("d_lr", c.d_learning_rate), ("g_lr", c.g_learning_rate)):
                    slider = self._buttons[name]
                    if slider.value != rate:
                        if rate not in [value for _, value in slider.options]:
                            slider.options = rate_options(rate)
                        slider.value = rate
                menu = self._buttons["loss"]
                if menu.value != c.objective:
                    if c.objective not in menu.options:
                        menu.options = sorted({*self.objectives, c.objective}, key=self._objective_order)
                    menu.value = c.objective
                bar = self._buttons["progress"]
                progress = self._progress
                done, total = progress[:2] if progress else (bar.value, bar.max)
                bar.max, bar.value = max(total, 1), done
            finally:
                self._syncing.on = False
        if self._status is not None:
            self._show_status(error)

    # ---- training -----------------------------------------------------------------------
    def _train_now(self, steps: int, progress: bool | None = False, callback=None):
        kwargs = {"evaluate_every": self.evaluate_every} if self.evaluate_every else {}
        self.trainer.train(steps, progress=progress, callback=callback, **kwargs)
        self._stale = True

    def _train(self, steps: int, progress: bool | None = False):
        """Train `steps` steps, refreshing the status line after every chunk and the figure
        within the draw budget; the figure shows the last step at the end, also after an error
        or an interrupt."""
        started, first = time.perf_counter(), int(self.trainer.step.numpy())
        self._progress = (0, steps, started)

        def after_chunk(trainer):
            self._stale = True
            self._progress = (int(trainer.step.numpy()) - first, steps, started)
            self._maybe_redraw()

        with self._lock:
            try:
                self._train_now(steps, progress, after_chunk)
            finally:
                self._progress = None
                self._stale = True
                self.redraw()

    def run(self, steps: int, progress: bool | None = None):
        """Train `steps` steps now, redrawing the figure in place as it goes and at the end (after
        any run a control started has finished)."""
        with self._lock:
            self._note = ""
            if self.live._handle is None:
                self.redraw()  # show the starting point at once
            self._last_refresh = time.perf_counter()
            self._train(steps, progress)
        return self.trainer.history

    def reset(self, keep_choices: bool = False) -> str:
        """Start over with a fresh trainer from make_trainer, and redraw; the status line says
        how many steps the run it replaced had trained (nothing is discarded silently), and so
        does the note returned. With keep_choices (the Reset button) the learning rates and
        objective set in the controls apply to the new trainer; otherwise the controls take its
        own settings (after a notebook switched to another kind of trainer, say WGAN-GP with its
        own learning rate)."""
        with self._lock:
            trainer = self.make_trainer()
            if self._buttons and keep_choices:
                d_lr, g_lr, loss = (self._buttons[name] for name in ("d_lr", "g_lr", "loss"))
                trainer.set_learning_rates(d=d_lr.value, g=g_lr.value)
                trainer.set_objective(loss.value)
            trained, by_hand = int(self.trainer.step.numpy()), self.trainer.extra_draws
            done = (f"{trained:,} step{'s' * (trained != 1)}" if trained else
                    f"{by_hand} update{'s' * (by_hand != 1)} by hand" if by_hand else "")
            self._note = (f"a fresh run: the last one was discarded after {done}" if done else
                          "a fresh run: the last one had not started, nothing was lost")
            self.trainer = trainer
            self._stale = True
            self.redraw()
            return self._note

    # ---- widgets ------------------------------------------------------------------------
    def _begin(self) -> float | None:
        """Take the lock for a control's action: the start time, or None to drop the message (it
        came while another action runs, or was sent while the last one still ran)."""
        sent = sent_at()
        if sent is not None and sent < self._busy_until:
            return None
        if not self._lock.acquire(blocking=False):
            return None
        return time.perf_counter()

    def _end(self, started: float):
        """Release the lock; messages the browser sent before this action could end are dropped."""
        sent = sent_at()
        if sent is not None:
            self._busy_until = sent + time.perf_counter() - started
        self._lock.release()

    def _objective_order(self, name: str) -> int:
        return self.objectives.index(name) if name in self.objectives else len(self.objectives)

    def controls(self) -> widgets.Widget:
        c = self.trainer.config
        wrap = widgets.Layout(flex_flow="row wrap", align_items="center")
        steps = widgets.BoundedIntText(value=1000, min=1, max=1_000_000, step=100,
                                       description="steps", layout=widgets.Layout(width="170px"))
        train = widgets.Button(description="Train N steps", icon="forward")
        play = widgets.Play(value=0, min=0, max=10**9, step=1, interval=250, description="play")
        reset = widgets.Button(description="Reset", icon="undo", layout=widgets.Layout(width="90px"))
        by_hand = {kind: widgets.Button(description=kind, layout=widgets.Layout(width="80px"),
                                        tooltip=tip) for kind, tip in (
            ("D only", "one discriminator update on a fresh batch; G unchanged, step not advanced"),
            ("G only", "one generator update on a fresh batch; D unchanged, step not advanced"),
            ("both", "one training step: D update(s), then a G update"))}
        d_lr = widgets.SelectionSlider(options=rate_options(c.d_learning_rate), value=c.d_learning_rate,
                                       description="D lr", layout=widgets.Layout(width="300px"))
        g_lr = widgets.SelectionSlider(options=rate_options(c.g_learning_rate), value=c.g_learning_rate,
                                       description="G lr", layout=widgets.Layout(width="300px"))
        loss = widgets.Dropdown(options=sorted({*self.objectives, c.objective}, key=self._objective_order),
                                value=c.objective, description="objective",
                                layout=widgets.Layout(width="260px"))
        progress = widgets.IntProgress(value=0, min=0, max=1, description="progress",
                                       layout=widgets.Layout(width="300px"))
        actions = [train, reset, *by_hand.values()]
        playing = "playing" if "playing" in play.keys else "_playing"  # ipywidgets 8.x, 7.x

        def act(action, note=""):
            """Run a button's action (it may return a note for the status line) with every button
            disabled; the status line reports the outcome, or the error raised."""
            started = self._begin()
            if started is None:
                return  # a click that came while another action trains, or queued behind one
            for button in actions:
                button.disabled = True
            self._note = note
            try:
                self._note = action() or note
                self.sync()
            except TrainingDiverged as error:
                self.sync(error=str(error))
            except Exception as error:  # shown to the student, and logged by ipywidgets
                self.sync(error=f"{type(error).__name__}: {error}")
                raise
            finally:
                for button in actions:
                    button.disabled = False
                self._end(started)

        def one_update(kind):
            def action():
                t = self.trainer
                if kind == "D only":  # a fresh batch at every click (draw=None), also at one step
                    m = t.discriminator_step(draw=None)
                    text = (f"D only: one discriminator update, G unchanged (D loss {m['d_loss']:.3f}, "
                            f"mean D(x) {m['d_real']:.3f}, mean D(G(z)) {m['d_fake']:.3f})")
                elif kind == "G only":
                    m = t.generator_step(draw=None)
                    text = f"G only: one generator update, D unchanged (G loss {m['g_loss']:.3f})"
                else:
                    self._train_now(1)
                    text = f"both: {t.config.d_steps} D update(s), then one G update (one training step)"
                self._stale = True
                self.redraw()
                return text
            return action

        def on_tick(change):
            # Each tick of the Play widget trains one chunk; its stop button sends value = min.
            if change["new"] <= change["old"]:
                on_pause(None)
                return
            started = self._begin()
            if started is None:
                return  # ticks that queued up while the kernel was busy: pausing acts at once
            try:
                self._note = f"playing: {self.chunk_steps} steps a tick"
                self._train_now(self.chunk_steps)
                self._maybe_redraw()
            except TrainingDiverged as error:
                setattr(play, playing, False)
                self.sync(error=str(error))
            finally:
                self._end(started)

        def on_pause(change):
            if change is None or not change["new"]:  # paused or stopped: show the last step
                with self._lock:  # after the tick that may be training now
                    self._note = ""
                    if self._stale:
                        self.redraw()
                    else:
                        self.sync()

        def on_rate(name):
            def observe(change):
                if not getattr(self._syncing, "on", False):  # the student moved it
                    with self._sync_lock:
                        self.trainer.set_learning_rates(**{name: change["new"]})
                        self.sync()
            return observe

        def on_objective(change):
            if getattr(self._syncing, "on", False):
                return
            with self._sync_lock:
                try:
                    self.trainer.set_objective(change["new"])
                    self.sync()
                except ValueError as error:  # an objective this trainer cannot take: back to its own
                    self.sync(error=str(error))

        train.on_click(lambda _: act(lambda: self._train(steps.value)))
        reset.on_click(lambda _: act(lambda: "reset: " + self.reset(keep_choices=True)))
        for kind, button in by_hand.items():
            button.on_click(lambda _, kind=kind: act(one_update(kind)))
        play.observe(on_tick, names="value")
        play.observe(on_pause, names=playing)
        d_lr.observe(on_rate("d"), names="value")
        g_lr.observe(on_rate("g"), names="value")
        loss.observe(on_objective, names="value")
        self._buttons = {"train": train, "reset": reset, "play": play, "steps": steps, "d_lr": d_lr,
                         "g_lr": g_lr, "loss": loss, "progress": progress,
                         **{f"{kind.split()[0].lower()}_step": b for kind, b in by_hand.items()}}
        return widgets.VBox([
            widgets.HBox([steps, train, progress], layout=wrap),
            widgets.HBox([widgets.Label("play/pause:"), play, reset], layout=wrap),
            widgets.HBox([widgets.Label("one update by hand:"), *by_hand.values()], layout=wrap),
            widgets.HBox([d_lr, g_lr, loss], layout=wrap),
        ])

    def show(self):
        """Display the controls, the status line and, below them, the live figure."""
        display(self.controls())
        self._show_status()
        self.redraw()
