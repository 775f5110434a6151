"""Per-step training curves from a trainer's History: D's and G's losses, D's outputs (lessons 01, 03-05).

Each `draw_*` draws running means over `window` generator steps on an Axes, titles an empty
history "(not trained yet)" instead of failing, and places its legend where it covers least.
"""

from __future__ import annotations

import numpy as np

from gan_lessons import colors


def _untrained(ax, history, title: str) -> bool:
    if len(history):
        return False
    ax.set(xlabel="generator step", title=f"{title} (not trained yet)")
    return True


def draw_losses(ax, history, window: int = 50):
    """D's and G's losses per step (running means), with D's loss at D = 1/2 (log 4) marked."""
    if _untrained(ax, history, "losses"):
        return
    steps = np.asarray(history.steps)
    ax.plot(steps, history.smoothed("d_loss", window), color=colors.DISCRIMINATOR, label="D loss")
    ax.plot(steps, history.smoothed("g_loss", window), color=colors.GENERATOR, label="G loss")
    ax.axhline(np.log(4), color="gray", linestyle="--", linewidth=1, label="log 4 (D = 1/2)")
    ax.set(xlabel="generator step", ylabel="loss", title="losses (running mean)")
    ax.legend(fontsize=8, loc="best")


def draw_discriminator_outputs(ax, history, window: int = 50, fake_color: str = colors.FAKE,
                               fake_label: str = "D(G(z)), fake"):
    """D(x) on real and D(G(z)) on generated batches per step (running means), with 1/2 marked;
    `fake_color` and `fake_label` name the generator when several are compared (lesson 05)."""
    ax.set(ylim=(0, 1))
    if _untrained(ax, history, "discriminator outputs"):
        return
    steps = np.asarray(history.steps)
    ax.plot(steps, history.smoothed("d_real", window), color=colors.REAL, label="D(x), real")
    ax.plot(steps, history.smoothed("d_fake", window), color=fake_color, label=fake_label)
    ax.axhline(0.5, color="gray", linestyle="--", linewidth=1, label="1/2 (balance)")
    ax.set(xlabel="generator step", title="discriminator outputs (running mean)")
    ax.legend(fontsize=8, loc="best")
