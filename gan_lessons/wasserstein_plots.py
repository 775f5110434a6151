"""Figures for lesson 07 (the Wasserstein GAN): the separated pair, the critic's estimate against
the exact W1, weight histograms, critic surfaces and gradient-norm heatmaps, the mode table and the
Fashion-MNIST curves; `draw_live` is the dashboard's draw(figure, trainer).

Figure functions return a matplotlib Figure and never show it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from gan_lessons import colors, figures, history_plots, theory, wasserstein

CONSTRAINT_COLORS = {"penalty": "tab:brown", "clipping": "tab:cyan", "gan": "tab:gray",
                     "normal": "tab:pink"}
GRADIENT_NORM_LIMIT = 2.0  # heatmaps of ||grad f|| run from 0 to this (1: the Lipschitz target)


# ---- 1. the separated pair ------------------------------------------------------------------------
def separated_pair_figure(scan: dict) -> Figure:
    """Left: C(G) + log 4 = 2 JSD and W1 against p_g's mean; right: what the generator's mean
    receives, dC/dmu and dW1/dmu (log scale: the JSD gradient dies exponentially)."""
    figure = figures.new_figure((11, 3.6))
    left, right = figure.subplots(1, 2)
    mu = scan["mean"]
    left.plot(mu, scan["criterion"] + theory.LOG_4, color=colors.LOSS["minimax"], lw=2,
              label="C(G) + log 4 = 2 JSD (quadrature)")
    left.axhline(2 * theory.LOG_2, color=colors.LOSS["minimax"], ls=":", lw=1, label="2 log 2: saturated")
    left.plot(mu, scan["w1"], color=CONSTRAINT_COLORS["penalty"], lw=2, label="W1 = |mu| (closed form)")
    left.plot(mu, scan["w1_quadrature"], "k--", lw=1, label="W1 by quadrature of the CDFs")
    left.set(xlabel="mean mu of p_g (p_data = N(0, 1))", ylabel="distance", ylim=(0, max(3, mu.max() * 0.6)),
             title="JSD saturates; W1 keeps growing")
    left.legend(fontsize=8, loc="upper left")
    positive = mu > 0
    right.semilogy(mu[positive], np.abs(scan["criterion_gradient"][positive]), color=colors.LOSS["minimax"],
                   lw=2, label="|dC/dmu|: the GAN generator's signal")
    right.semilogy(mu[positive], np.abs(scan["w1_gradient"][positive]), color=CONSTRAINT_COLORS["penalty"],
                   lw=2, label="|dW1/dmu| = 1: the WGAN generator's")
    right.set(xlabel="mean mu of p_g", ylabel="gradient magnitude", ylim=(1e-12, 10),
              title="the gradient the generator receives")
    right.legend(fontsize=8, loc="lower left")
    return figure


# ---- 2. the estimate against the truth ------------------------------------------------------------
def estimate_figure(runs: dict[str, list[dict]], title: str = "") -> Figure:
    """For each labelled run (its evaluations from wasserstein.estimate_tracker): the critic's estimate
    and the exact W1 over training (left), and estimate against W1 with the line of equality (right)."""
    figure = figures.new_figure((11, 3.6))
    left, right = figure.subplots(1, 2)
    top = 0.0
    for i, (label, evaluations) in enumerate(runs.items()):
        color = f"C{i}"
        steps = [e["step"] for e in evaluations]
        estimate = np.array([e["critic_estimate"] for e in evaluations])
        exact = np.array([e["exact_w1"] for e in evaluations])
        left.plot(steps, exact, color=color, lw=2, label=f"{label}: exact W1 (optimal transport)")
        left.plot(steps, estimate, color=color, ls="--", marker=".", label=f"{label}: critic estimate")
        right.plot(exact, estimate, "o-", color=color, ms=3, label=label)
        top = max(top, exact.max(), estimate.max())
    floors = [e["w1_floor"] for evaluations in runs.values() for e in evaluations[:1] if "w1_floor" in e]
    if floors:
        left.axhline(floors[0], color=colors.FLOOR, ls=":", label="W1 floor (real vs real, same n)")
    right.plot([0, top], [0, top], "k:", lw=1, label="estimate = W1")
    left.set(xlabel="generator step", ylabel="training units", title=title or "W1 during training")
    right.set(xlabel="exact W1", ylabel="E f(real) - E f(fake)", title="estimate against the truth")
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    return figure


def pair_networks_figure(critic_fits: list[dict], discriminator_fits: list[dict]) -> Figure:
    """Networks on the separated pair (wasserstein.fit_separated_pair): the critic's estimate beside
    the exact W1, the discriminator's JSD estimate beside log 2, and the signal each gives G."""
    figure = figures.new_figure((13, 3.4))
    left, middle, right = figure.subplots(1, 3)
    shifts = [f["shift"] for f in critic_fits]
    left.plot(shifts, [f["exact_w1"] for f in critic_fits], "k-", lw=2, label="exact W1 (optimal transport)")
    left.plot(shifts, [f["critic_estimate"] for f in critic_fits], "o--", color=CONSTRAINT_COLORS["penalty"],
              label="critic estimate E f(x) - E f(G(z))")
    left.set(xlabel="shift mu", ylabel="distance", title="the critic: a distance that grows")
    left.legend(fontsize=7)
    d_shifts = [f["shift"] for f in discriminator_fits]
    middle.plot(d_shifts, [f["jsd_estimate"] for f in discriminator_fits], "o--",
                color=colors.LOSS["minimax"], label="discriminator's JSD estimate")
    middle.axhline(theory.LOG_2, color=colors.LOSS["minimax"], ls=":", lw=1, label="log 2")
    middle.set(xlabel="shift mu", ylabel="JSD (nats)", title="the discriminator: saturates")
    middle.legend(fontsize=7)
    right.semilogy(shifts, np.abs([f["generator_signal"] for f in critic_fits]), "o-",
                   color=CONSTRAINT_COLORS["penalty"], label="WGAN: |d(-E f(G(z)))/d mu|")
    right.semilogy(d_shifts, np.abs([f["generator_signal"] for f in discriminator_fits]), "o-",
                   color=colors.LOSS["minimax"], label="minimax GAN: |d E log(1 - D(G(z)))/d mu|")
    right.set(xlabel="shift mu", ylabel="gradient magnitude", title="the generator's signal")
    right.legend(fontsize=7)
    return figure


# ---- 3. clipping against the penalty ---------------------------------------------------------------
def weight_histogram_figure(critics: dict[str, np.ndarray], clip: float) -> Figure:
    """Histograms of every critic weight, one panel per labelled weight array; +/- clip marked."""
    figure = figures.new_figure((4.2 * len(critics), 3.2))
    for ax, (label, values) in zip(np.atleast_1d(figure.subplots(1, len(critics))), critics.items()):
        ax.hist(values, bins=81, color="tab:gray")
        for sign in (-1, 1):
            ax.axvline(sign * clip, color=CONSTRAINT_COLORS["clipping"], ls="--", lw=1)
        pinned = np.mean(np.abs(np.abs(values) - clip) <= 0.01 * clip)
        ax.set(xlabel="weight value", ylabel="count", yscale="log",
               title=f"{label}: {100 * pinned:.1f}% within 1% of +/- c")
    return figure


def draw_surface(ax, surface: dict, real=None, fake=None, title: str = ""):
    """The critic's score over the plane (training units), real and generated points on top."""
    extent = (surface["xs"][0], surface["xs"][-1], surface["ys"][0], surface["ys"][-1])
    values = surface["scores"] - np.median(surface["scores"])  # a critic is defined up to a constant
    limit = float(np.abs(values).max()) or 1.0
    image = ax.imshow(values, origin="lower", extent=extent, cmap="coolwarm", vmin=-limit, vmax=limit,
                      aspect="equal")
    if real is not None:
        ax.scatter(*np.asarray(real).T, s=3, color=colors.REAL, alpha=0.5, label="real")
    if fake is not None:
        ax.scatter(*np.asarray(fake).T, s=3, color=colors.FAKE, alpha=0.5, label="generated")
    ax.set(xlim=extent[:2], ylim=extent[2:], title=title, xticks=[], yticks=[])
    return image


def draw_gradient_norms(ax, surface: dict, title: str = ""):
    """||grad f|| over the plane, 0 (white) to GRADIENT_NORM_LIMIT; 1 is the mid colour."""
    extent = (surface["xs"][0], surface["xs"][-1], surface["ys"][0], surface["ys"][-1])
    image = ax.imshow(surface["gradient_norms"], origin="lower", extent=extent, cmap="PuOr_r", vmin=0,
                      vmax=GRADIENT_NORM_LIMIT, aspect="equal")
    ax.set(xlim=extent[:2], ylim=extent[2:], title=title, xticks=[], yticks=[])
    return image


def surfaces_figure(panels: list[tuple], size: float = 3.2) -> Figure:
    """One row per (label, surface, real, fake): the critic's score with the samples, and the
    heatmap of ||grad f|| (colour bar: 1 is where a 1-Lipschitz critic's norm should sit)."""
    figure = figures.new_figure((2 * size + 1.2, size * len(panels)))
    axes = np.atleast_2d(figure.subplots(len(panels), 2))
    for (label, surface, real, fake), (left, right) in zip(panels, axes):
        draw_surface(left, surface, real, fake, f"{label}: critic f(x)")
        image = draw_gradient_norms(right, surface, f"{label}: ||grad f(x)||")
        figure.colorbar(image, ax=right, shrink=0.85)
    axes[0, 0].legend(fontsize=7, loc="lower left", markerscale=3)
    return figure


def alpha_figure(norms: dict[str, np.ndarray], alphas: dict[str, np.ndarray]) -> Figure:
    """Left: the alphas each rule draws (U[0, 1] stays on the segment real -> fake, N(0, 1) mostly
    does not); right: ||grad f|| on the segments for critics trained with each rule."""
    figure = figures.new_figure((11, 3.4))
    left, right = figure.subplots(1, 2)
    for label, values in alphas.items():
        left.hist(values, bins=60, range=(-3, 3), histtype="step", lw=2, label=label,
                  color=CONSTRAINT_COLORS.get(label, None))
    left.axvspan(0, 1, color="tab:green", alpha=0.12, label="on the segment: alpha in [0, 1]")
    left.set(xlabel="alpha", ylabel="count", title="where the penalty is applied")
    left.legend(fontsize=8)
    for label, values in norms.items():
        right.hist(values, bins=60, range=(0, GRADIENT_NORM_LIMIT), histtype="step", lw=2,
                   color=CONSTRAINT_COLORS.get(label, None),
                   label=f"{label}: mean {values.mean():.2f}, std {values.std():.2f}")
    right.axvline(1, color="k", ls=":", lw=1)
    right.set(xlabel="||grad f|| at x + alpha (G(z) - x), alpha ~ U[0, 1]", ylabel="count",
              title="the critic's gradient norm where W1 is decided")
    right.legend(fontsize=8)
    return figure


# ---- 4. the mode table -----------------------------------------------------------------------------
def mode_comparison_figure(rows: list[dict], published: dict, ceilings: dict, figsize=(11, 3.4)) -> Figure:
    """Modes captured and high-quality share (mean +/- std over seeds) per distribution and method,
    with the published WGAN-GP row (stars) and uniform noise's ceiling (dotted)."""
    figure = figures.new_figure(figsize)
    axes = figure.subplots(1, 4)
    for d, name in enumerate(("ring", "grid")):
        group = [r for r in rows if r["distribution"] == name]
        labels = [r["method"] for r in group]
        x = np.arange(len(group))
        for ax, key, unit in ((axes[2 * d], "modes", ""), (axes[2 * d + 1], "high_quality", " %")):
            ax.bar(x, [r[key] for r in group], yerr=[r[key + "_std"] for r in group], capsize=3,
                   color=[CONSTRAINT_COLORS.get(m, "tab:gray") for m in labels])
            ax.axhline(published[name][key], color="k", marker="*", ls="--", lw=1, label="published WGAN-GP")
            ax.axhline(ceilings[name][key], color=colors.CEILING, ls=":", lw=1.5, label="uniform noise")
            ax.set_xticks(x, labels)
            ax.set_title(f"{name}: {'modes captured' if key == 'modes' else 'high quality' + unit}")
    axes[0].set_ylim(0, 8.5)
    axes[2].set_ylim(0, 26)
    axes[0].legend(fontsize=7, loc="lower right")
    return figure


# ---- 5. images ------------------------------------------------------------------------------------
def image_tracking_figure(evaluations: list[dict], floor: float, ceiling: float) -> Figure:
    """The critic's estimate and the classifier-feature Frechet distance over training (two axes),
    and one against the other."""
    figure = figures.new_figure((11, 3.4))
    left, right = figure.subplots(1, 2)
    steps = [e["step"] for e in evaluations]
    estimate = [e["critic_estimate"] for e in evaluations]
    distance = [e["frechet_distance"] for e in evaluations]
    left.plot(steps, estimate, color=CONSTRAINT_COLORS["penalty"], marker=".", label="critic estimate")
    left.set(xlabel="generator step", ylabel="E f(real) - E f(fake)", title="WGAN-GP on Fashion-MNIST")
    twin = left.twinx()
    twin.plot(steps, distance, color="k", marker=".", ls="--", label="Frechet distance (classifier features)")
    twin.axhline(floor, color=colors.FLOOR, ls=":", label="floor (real vs real)")
    twin.axhline(ceiling, color=colors.CEILING, ls=":", label="ceiling (untrained G)")
    twin.set(ylabel="Frechet distance", yscale="log")
    left.legend(fontsize=7, loc="center right")
    twin.legend(fontsize=7, loc="upper right")
    right.plot(estimate[1:], distance[1:], "o-", color=CONSTRAINT_COLORS["penalty"], ms=3)
    right.set(xlabel="critic estimate", ylabel="Frechet distance (log)", yscale="log",
              title="estimate against quality, after step 0 (untrained critic)")
    return figure


def quality_over_time_figure(runs: dict[str, tuple[list[float], list[float]]], floor: float,
                             ceiling: float) -> Figure:
    """Frechet distance against training seconds for each labelled run (seconds, distances)."""
    figure = figures.new_figure((6, 3.4))
    ax = figure.add_subplot()
    for i, (label, (seconds, distances)) in enumerate(runs.items()):
        ax.plot(seconds, distances, marker=".", color=f"C{i}", label=label)
    ax.axhline(floor, color=colors.FLOOR, ls=":", label="floor (real vs real)")
    ax.axhline(ceiling, color=colors.CEILING, ls=":", label="ceiling (untrained G)")
    ax.set(xlabel="training seconds", ylabel="Frechet distance (log)", yscale="log",
           title="quality at one wall-clock budget")
    ax.legend(fontsize=8)
    return figure


# ---- 6. live -------------------------------------------------------------------------------------
def draw_live(figure, trainer, n_samples: int = 500, resolution: int = 60, limits=((-2.2, 2.2), (-2.2, 2.2))):
    """The dashboard's draw for a 2-D WGAN trainer (training units) whose evaluate is
    wasserstein.estimate_tracker: the critic's surface with the samples and the ||grad f|| heatmap
    side by side, and below them the critic's estimate beside the exact W1 at each evaluation.
    Sized for a 1,000 px wide notebook (draw_live.figsize, about 600 px at the dashboard's DPI)."""
    figure.clear()  # axes placed by hand: the dashboard's figure has no layout engine
    grid = figure.add_gridspec(2, 2, height_ratios=(1.2, 1), left=0.1, right=0.9, bottom=0.09, top=0.94,
                               wspace=0.25, hspace=0.3)
    surface_ax, norm_ax = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
    w_ax = figure.add_subplot(grid[1, :])
    real = np.asarray(trainer.sample_real(np.array([4321, 0]), n_samples))
    fake = trainer.generate(n_samples, seed=777)
    surface = wasserstein.surface(trainer.discriminator, *limits, resolution=resolution)
    constraint = wasserstein.constraint_of(trainer.config)
    draw_surface(surface_ax, surface, real, fake, f"{constraint} · step {int(trainer.step.numpy()):,}: f(x)")
    surface_ax.legend(loc="lower left", markerscale=3, handletextpad=0.2, borderpad=0.3)
    image = draw_gradient_norms(norm_ax, surface, "||grad f(x)|| (1: Lipschitz)")
    figure.colorbar(image, cax=norm_ax.inset_axes((1.04, 0, 0.06, 1)))
    table = [e for e in trainer.history.evaluations if "exact_w1" in e]
    w_ax.set(xlabel="generator step", ylabel="training units",
             title="W1: the critic's estimate and the truth")
    if not table:
        w_ax.text(0.5, 0.5, "no evaluation yet: press Train, play, or both", transform=w_ax.transAxes,
                  ha="center", va="center", color="0.4")
        w_ax.set(xticks=[], yticks=[])
        return figure
    steps = [e["step"] for e in table]
    exact, estimate = [e["exact_w1"] for e in table], [e["critic_estimate"] for e in table]
    w_ax.plot(steps, exact, color="k", lw=2, label="exact W1")
    w_ax.plot(steps, estimate, color=CONSTRAINT_COLORS[constraint], ls="--", marker=".",
              label="critic estimate")
    floor = [table[0]["w1_floor"]] if "w1_floor" in table[0] else []
    if floor:
        w_ax.axhline(floor[0], color=colors.FLOOR, ls=":", label="W1 floor")
    history_plots.set_step_limits(w_ax, steps)
    history_plots.legend_above(w_ax, [exact, estimate, floor])
    return figure


draw_live.figsize = (7.6, 6.2)
