"""Figures for lessons 02 (the minimax game) and 05 (generator losses), and lesson 02's sliders.

Figure functions return a matplotlib Figure (never shown here); `density_explorer` returns an
ipywidgets `interactive` whose sliders redraw the densities, D* and the numbers live.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure

from gan_lessons import colors, figures, history_plots, theory

LOSS_LABELS = {"minimax": "minimax  log(1 - D)", "non_saturating": "non-saturating  -log D",
               "maximum_likelihood": "maximum likelihood  -D/(1 - D)"}


def png(figure: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes (for IPython.display.Image)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# ---- lesson 02 -------------------------------------------------------------------------------
def pointwise_objective_figure(pairs=((0.8, 0.2), (0.5, 0.5), (0.25, 0.75))) -> Figure:
    """a log y + b log(1 - y) against y for a few (a, b) = (p_data(x), p_g(x)); each peaks at
    y = a / (a + b), marked."""
    figure = figures.new_figure((6, 3.4))
    ax = figure.add_subplot()
    y = np.linspace(0.005, 0.995, 400)
    for a, b in pairs:
        line, = ax.plot(y, theory.pointwise_objective(y, a, b), label=f"a={a:g}, b={b:g}")
        best = a / (a + b)
        ax.plot([best], [theory.pointwise_objective(best, a, b)], "o", color=line.get_color())
        ax.axvline(best, color=line.get_color(), lw=0.8, ls=":")
    ax.set(xlabel="y = D(x)", ylabel="a log y + b log(1 - y)", ylim=(-3, 0),
           title="the integrand of V at one x peaks at y = a / (a + b)")
    ax.legend(loc="lower center")
    return figure


def densities_figure(p_data: theory.Mixture, p_g: theory.Mixture, grid: theory.Grid | None = None,
                     xlim=None) -> Figure:
    """p_data and p_g (top), D*(x) with the line 1/2 (bottom); V(D*, G) and JSD in the title."""
    grid = grid or theory.grid_for(p_data, p_g)
    x = grid.x
    figure = figures.new_figure((7, 4.2))
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    top.fill_between(x, p_data.pdf(x), alpha=0.3, color=colors.REAL, label=f"p_data = {p_data}")
    top.plot(x, p_g.pdf(x), color=colors.FAKE, lw=2, label=f"p_g = {p_g}")
    top.set(ylabel="density")
    top.legend(loc="upper right", fontsize=8)
    bottom.plot(x, theory.optimal_discriminator(p_data, p_g, x), color=colors.DISCRIMINATOR, lw=2,
                label="D*(x) = p_data / (p_data + p_g)")
    bottom.axhline(0.5, color="gray", ls="--", lw=1, label="1/2")
    bottom.set(xlabel="x", ylabel="D*(x)", ylim=(-0.05, 1.05))
    bottom.legend(loc="center right", fontsize=8)
    if xlim is None:
        low, high = (min(d.bounds(4)[0] for d in (p_data, p_g)),
                     max(d.bounds(4)[1] for d in (p_data, p_g)))
        xlim = (low, high)
    bottom.set_xlim(*xlim)
    criterion = theory.training_criterion(p_data, p_g, grid)
    jsd = theory.js_divergence(p_data, p_g, grid)
    top.set_title(f"V(D*, G) = {criterion:.6f}    JSD = {jsd:.6f}    "
                  f"-log 4 + 2 JSD = {-theory.LOG_4 + 2 * jsd:.6f}", fontsize=10)
    return figure


def density_explorer(p_data: theory.Mixture, mean: float = 1.0, std: float = 1.0,
                     mean_range=(-6.0, 6.0), std_range=(0.2, 4.0), xlim=(-8.0, 8.0)):
    """Sliders for p_g = N(mean, std²); the densities, D*, V(D*, G) and JSD redraw live.

    Uses only ipywidgets APIs common to 7.7 and 8.x (interactive, FloatSlider).
    """
    import ipywidgets as widgets
    from IPython.display import Image, display

    def draw(mean, std):
        figure = densities_figure(p_data, theory.gaussian(mean, std), xlim=xlim)
        display(Image(png(figure)))

    return widgets.interactive(
        draw,
        mean=widgets.FloatSlider(value=mean, min=mean_range[0], max=mean_range[1], step=0.1,
                                 description="p_g mean", continuous_update=False),
        std=widgets.FloatSlider(value=std, min=std_range[0], max=std_range[1], step=0.05,
                                description="p_g std", continuous_update=False),
    )


def discriminator_values_figure(slopes, intercepts, values, best_value: float) -> Figure:
    """V(D, G) for logistic discriminators D(x) = sigmoid(w x + b): values (len(intercepts),
    len(slopes)) as a map, the best grid point marked, V(D*, G) = best_value in the title."""
    figure = figures.new_figure((5.6, 4))
    ax = figure.add_subplot()
    values = np.asarray(values)
    image = ax.pcolormesh(slopes, intercepts, values, shading="auto", cmap="viridis",
                          vmin=max(values.min(), best_value - 1.5), vmax=best_value)
    figure.colorbar(image, ax=ax, label="V(D, G)")
    row, column = np.unravel_index(np.argmax(values), values.shape)
    ax.plot(slopes[column], intercepts[row], "r*", ms=14,
            label=f"best on the grid: V = {values[row, column]:.4f}")
    ax.set(xlabel="slope w", ylabel="intercept b",
           title=f"no discriminator beats D*: V(D*, G) = {best_value:.4f}")
    ax.legend(loc="lower left", fontsize=8)
    return figure


def criterion_scan_figure(means, criterion_values, jsd_values, data_label: str = "") -> Figure:
    """C(G) and -log 4 + 2 JSD against p_g's mean; the line -log 4 and the minimum marked."""
    figure = figures.new_figure((6, 3.4))
    ax = figure.add_subplot()
    means, criterion_values = np.asarray(means), np.asarray(criterion_values)
    ax.plot(means, criterion_values, lw=3, alpha=0.5, label="C(G) = V(D*, G)")
    ax.plot(means, -theory.LOG_4 + 2 * np.asarray(jsd_values), "k--", lw=1,
            label="-log 4 + 2 JSD(p_data || p_g)")
    ax.axhline(-theory.LOG_4, color="gray", lw=1, ls=":", label="-log 4")
    best = int(np.argmin(criterion_values))
    ax.plot(means[best], criterion_values[best], "ro", label=f"minimum at mean {means[best]:.2f}")
    ax.set(xlabel="mean of p_g", ylabel="C(G)", title=f"C(G) as p_g slides {data_label}".strip())
    ax.legend(fontsize=8)
    return figure


def generator_costs_figure(d_range=(1e-4, 1 - 1e-4)) -> Figure:
    """The three generator costs (left) and |d cost / d logit| (right) against D(G(z))."""
    d = np.linspace(*d_range, 2000)
    logits = theory.logit(d)
    figure = figures.new_figure((10, 3.6))
    left, right = figure.subplots(1, 2)
    for name in theory.GENERATOR_COSTS:
        style = {"color": colors.LOSS[name], "label": LOSS_LABELS[name], "lw": 2}
        left.plot(d, theory.generator_cost(name, logits), **style)
        right.plot(d, np.abs(theory.generator_cost_gradient(name, logits)), **style)
    left.set(xlabel="D(G(z))", ylabel="cost the generator minimises", ylim=(-10, 5),
             title="the three generator costs")
    right.set(xlabel="D(G(z))", ylabel="|d cost / d logit|", yscale="log", ylim=(1e-4, 1e2),
              title="their gradients w.r.t. D's logit")
    right.axvspan(0, 0.1, color="gray", alpha=0.15)
    right.text(0.02, 2e-4, "early training:\nD rejects fakes", fontsize=8)
    left.legend(fontsize=8, loc="lower left")
    return figure


# ---- lesson 05 -------------------------------------------------------------------------------
def saturation_figure(curves: list[dict]) -> Figure:
    """From loss_comparison.saturation results (one per seed): G's gradient norm under each loss
    as D trains against a frozen G (left); their ratio against mean D(G(z)) (right)."""
    figure = figures.new_figure((10, 3.6))
    left, right = figure.subplots(1, 2)
    for i, curve in enumerate(curves):
        x = np.asarray(curve["d_updates"]) + 1
        for name in ("minimax", "non_saturating"):
            left.plot(x, curve[name], "o-", ms=3, color=colors.LOSS[name], alpha=0.7,
                      label=name if i == 0 else None)
        right.plot(curve["d_fake"], curve["ratio"], "o", color="black", alpha=0.6,
                   label="measured (one point per checkpoint and seed)" if i == 0 else None)
    smallest = min(float(np.min(curve["d_fake"])) for curve in curves)
    d = np.logspace(np.log10(smallest) - 0.5, np.log10(0.6), 100)
    right.plot(d, d / (1 - d), "k--", lw=1, label="D / (1 - D): one sample's ratio")
    left.set(xscale="log", yscale="log", xlabel="D updates against a frozen G (+1)",
             ylabel="|∇ generator loss|", title="G's gradient as D learns to reject fakes")
    right.set(xscale="log", yscale="log", xlabel="mean D(G(z)) on the probe batch",
              ylabel="minimax / non-saturating", title="ratio of gradient norms")
    left.legend(fontsize=8)
    right.legend(fontsize=8)
    return figure


def loss_study_curves_figure(runs: list[dict], title: str = "") -> Figure:
    """W1/floor at each evaluation, D(G(z)) and G's gradient norm per step, one line per run
    (train_run results), coloured by loss."""
    figure = figures.new_figure((12, 3.4))
    quality, confidence, gradient = figure.subplots(1, 3)
    labelled = set()
    for run in runs:
        color = colors.LOSS[run["loss"]]
        label = run["loss"] if run["loss"] not in labelled else None
        labelled.add(run["loss"])
        evaluations = run["evaluations"]
        quality.plot(evaluations["step"], evaluations["w1_ratio"], "o-", color=color, ms=3,
                     alpha=0.7, label=label)
        steps = (np.arange(len(run["curves"]["d_fake"])) + 0.5) * (run["steps"] /
                                                                 max(1, len(run["curves"]["d_fake"])))
        confidence.plot(steps, run["curves"]["d_fake"], color=color, alpha=0.7, label=label)
        gradient.plot(steps, run["curves"]["g_grad_norm"], color=color, alpha=0.7, label=label)
    quality.axhline(1.0, color=colors.FLOOR, ls=":", lw=1, label="real-vs-real floor")
    quality.set(yscale="log", xlabel="step", ylabel="W1 / floor (lower is better)",
                title="sample quality")
    confidence.axhline(0.5, color="gray", ls=":", lw=1)
    confidence.set(xlabel="step", ylabel="mean D(G(z))", ylim=(0, 0.6), title="D's verdict on fakes")
    gradient.set(yscale="log", xlabel="step", ylabel="|∇ generator loss|", title="G's gradient norm")
    quality.legend(fontsize=8)
    if title:
        figure.suptitle(title)
    return figure


def outcome_figure(results: dict) -> Figure:
    """Final W1/floor of every seed under each loss, one panel per regime; a seed's two runs joined."""
    regimes = list(results["regimes"])
    figure = figures.new_figure((4.2 * len(regimes), 3.6))
    axes = np.atleast_1d(figure.subplots(1, len(regimes), sharey=True))
    losses = ("minimax", "non_saturating")
    for ax, regime in zip(axes, regimes):
        runs = [r for r in results["runs"] if r["regime"] == regime]
        for seed in sorted({r["seed"] for r in runs}):
            pair = {r["loss"]: r["final_w1_ratio"] for r in runs if r["seed"] == seed}
            if len(pair) == 2:
                ax.plot([0, 1], [pair[name] for name in losses], color="gray", lw=0.8)
        for i, name in enumerate(losses):
            values = [r["final_w1_ratio"] for r in runs if r["loss"] == name]
            ax.plot([i] * len(values), values, "o", color=colors.LOSS[name], ms=7)
            ax.plot([i - 0.15, i + 0.15], [np.median(values)] * 2, color="black", lw=2)
        ax.set(xticks=[0, 1], xticklabels=losses, xlim=(-0.5, 1.5), yscale="log",
               title=f"{regime} ({results['steps']} steps)")
    axes[0].set_ylabel("final W1 / floor (lower is better)")
    return figure


def draw_training_state(figure: Figure, trainer) -> None:
    """A `draw(figure, trainer)` for dashboard.Dashboard: real vs generated samples (training
    units), D(x) and D(G(z)) over steps, G's gradient norm over steps. Places its own axes."""
    figure.clear()
    samples, verdicts, gradient = figure.subplots(1, 3)
    figure.subplots_adjust(left=0.05, right=0.99, bottom=0.16, top=0.9, wspace=0.25)
    real = np.asarray(trainer.sample_real(np.array([777, 3], np.int64), 500))
    fake = trainer.generate(500, seed=777)
    color = colors.LOSS[trainer.config.objective]
    samples.scatter(real[:, 0], real[:, 1], s=4, c=colors.REAL, alpha=0.4, label="real")
    samples.scatter(fake[:, 0], fake[:, 1], s=4, c=color, alpha=0.5, label="generated")
    samples.set(xlim=(-3, 3), ylim=(-2, 4), xlabel="x (training units)", ylabel="y",
                title=f"{trainer.config.objective}, step {int(trainer.step.numpy())}")
    samples.legend(loc="upper center", fontsize=8)
    history = trainer.history
    window = max(1, min(50, len(history) // 10))
    history_plots.draw_discriminator_outputs(verdicts, history, window, fake_color=color,
                                             fake_label=f"D(G(z)), {trainer.config.objective}")
    if len(history):
        gradient.plot(history.steps, history.smoothed("g_grad_norm", window), color=color)
        gradient.set_yscale("log")
    gradient.set(xlabel="generator step", title="|∇ generator loss| (running mean)")
