"""Per-step training curves from a trainer's History: D's and G's losses, D's outputs (lessons 01, 03-05).

Each `draw_*` draws running means over `window` generator steps on an Axes, says "not trained yet"
on an empty history instead of failing, and keeps its legend in headroom above the curves
(`legend_above`), so that it covers none of them.
"""

from __future__ import annotations

import matplotlib.font_manager
import numpy as np

from gan_lessons import colors


def _untrained(ax, history, title: str) -> bool:
    if len(history):
        return False
    ax.set(xlabel="generator step", title=f"{title} (not trained yet)", xticks=[], yticks=[])
    ax.text(0.5, 0.5, "not trained yet:\npress Train, play, or a step button", transform=ax.transAxes,
            ha="center", va="center", color="0.4")
    return True


def set_step_limits(ax, steps):
    """x from the first step to the last, at least 10 steps wide (one step alone is no range)."""
    steps = np.asarray(steps)
    first = int(steps.min()) if steps.size else 0
    last = int(steps.max()) if steps.size else 0
    ax.set_xlim(first, max(last, first + 10))


def _legend_rows(ax, labels, rows: int) -> int:
    """At least `rows`, and enough rows that the legend's entries fit the axes' width (estimated
    from the labels' lengths at the legend's font size)."""
    size = matplotlib.font_manager.FontProperties(size="small").get_size_in_points()
    axes_width = ax.get_position().width * ax.figure.get_figwidth() * 72  # points
    entries = [0.5 * size * len(label) + 2.6 * size for label in labels]  # text, handle and gaps
    while rows < len(labels):
        columns = -(-len(labels) // rows)
        widest_row = max(sum(entries[i:i + columns]) for i in range(0, len(entries), columns))
        if widest_row <= 0.95 * axes_width:
            break
        rows += 1
    return rows


def legend_above(ax, values, rows: int = 1, log: bool = False, bottom=None, **legend):
    """Set y limits so that every value in `values` (a list of arrays) lies in the lower part of
    the axes and the legend, in `rows` rows of entries (more if they do not fit the width) across
    the top, in the headroom above them; `bottom` fixes the lower limit. Values that are not
    finite (or not positive on a log axis) are ignored."""
    handles, labels = ax.get_legend_handles_labels()
    rows = _legend_rows(ax, labels, rows) if handles else rows
    values = np.concatenate([np.ravel(np.asarray(v, float)) for v in values]) if len(values) else np.zeros(0)
    values = values[np.isfinite(values) & ((values > 0) | (not log))]
    if values.size == 0:
        return
    low, high = values.min(), values.max()
    share = 0.16 * rows + 0.06  # of the axes height, for the legend
    if log:
        low, high = np.log10(low), np.log10(high)
    span = max(high - low, 1e-3 if log else 1e-6 * max(1.0, abs(high)))
    low, high = low - 0.05 * span, high + 0.05 * span
    if bottom is not None:
        low = np.log10(bottom) if log else bottom
    top = high + (high - low) * share / (1 - share)
    ax.set_ylim(*(10 ** np.array([low, top]) if log else (low, top)))
    if handles:
        columns = -(-len(handles) // rows)
        ax.legend(loc="upper center", ncol=columns, fontsize="small", handlelength=1.5,
                  columnspacing=1.0, borderaxespad=0.3, **legend)


def draw_losses(ax, history, window: int = 50):
    """D's and G's losses per step (running means), with D's loss at D = 1/2 (log 4) marked."""
    if _untrained(ax, history, "losses"):
        return
    steps = np.asarray(history.steps)
    d_loss, g_loss = history.smoothed("d_loss", window), history.smoothed("g_loss", window)
    ax.plot(steps, d_loss, color=colors.DISCRIMINATOR, label="D loss")
    ax.plot(steps, g_loss, color=colors.GENERATOR, label="G loss")
    ax.axhline(np.log(4), color="gray", linestyle="--", linewidth=1, label="log 4 (D = ½)")
    ax.set(xlabel="generator step", ylabel="loss", title="losses (running mean)")
    set_step_limits(ax, steps)
    legend_above(ax, [d_loss, g_loss, [np.log(4)]])


def draw_discriminator_outputs(ax, history, window: int = 50, fake_color: str = colors.FAKE,
                               fake_label: str = "D(G(z)), fake"):
    """D(x) on real and D(G(z)) on generated batches per step (running means), with 1/2 marked;
    `fake_color` and `fake_label` name the generator when several are compared (lesson 05)."""
    ax.set(ylim=(0, 1))
    if _untrained(ax, history, "discriminator outputs"):
        return
    steps = np.asarray(history.steps)
    real, fake = history.smoothed("d_real", window), history.smoothed("d_fake", window)
    ax.plot(steps, real, color=colors.REAL, label="D(x), real")
    ax.plot(steps, fake, color=fake_color, label=fake_label)
    ax.axhline(0.5, color="gray", linestyle="--", linewidth=1, label="½ (balance)")
    ax.set(xlabel="generator step", title="discriminator outputs (running mean)")
    set_step_limits(ax, steps)
    if 0 <= min(real.min(), fake.min()) and max(real.max(), fake.max()) <= 1:  # probabilities
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
        legend_above(ax, [0.0, 1.0], bottom=0.0)
    else:  # a critic's raw scores (Wasserstein, hinge, least squares objectives)
        legend_above(ax, [real, fake, [0.5]])
