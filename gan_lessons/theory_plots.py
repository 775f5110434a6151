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
    """A `draw(figure, trainer)` for dashboard.Dashboard, 2 x 2: real and generated samples
    (training units) over D(x), with an arrow from each of 60 fakes along minus the gradient of
    G's loss at that fake, on one fixed scale (push_arrows) so that the two losses' pushes compare
    (minimax barely moves the fakes D rejects); D(x) and D(G(z)) over steps; G's gradient norm
    over steps; the losses. Places its own axes."""
    from gan_lessons import curve_plots  # TensorFlow: not for lesson 02's figures

    figure.clear()
    samples, verdicts, gradient, losses = figure.subplots(2, 2).ravel()
    figure.subplots_adjust(left=0.09, right=0.98, bottom=0.09, top=0.94, wspace=0.3, hspace=0.42)
    real = np.asarray(trainer.sample_real(np.array([777, 3], np.int64), 500))
    latent = trainer.latent_vectors(500, np.array([777, 0], np.int64))  # = trainer.generate(500, 777)'s
    fake, push = curve_plots.generator_push(trainer, latent)
    objective = trainer.config.objective
    color = colors.LOSS.get(objective, colors.FAKE)
    (x0, x1), (y0, y1) = (-3.0, 3.0), (-2.0, 4.5)
    xs, ys = np.linspace(x0, x1, 60), np.linspace(y0, y1, 60)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(np.float32)
    verdict = trainer.discriminate(grid).reshape(len(ys), len(xs))
    probabilities = trainer.objective.probabilities
    samples.imshow(verdict, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", cmap="RdBu_r",
                   alpha=0.35, vmin=0 if probabilities else None, vmax=1 if probabilities else None)
    samples.scatter(real[:, 0], real[:, 1], s=4, c=colors.REAL, alpha=0.4, label="real")
    samples.scatter(fake[:, 0], fake[:, 1], s=5, c=color, alpha=0.7, edgecolor="k", linewidth=0.2,
                    label="generated")
    arrows = push_arrows(push[:60])
    samples.quiver(fake[:60, 0], fake[:60, 1], arrows[:, 0], arrows[:, 1], angles="xy",
                   scale_units="xy", scale=1, color="k", width=0.004, headwidth=4, headlength=4)
    samples.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="x (training units)", ylabel="y",
                title=f"{objective}, step {int(trainer.step.numpy()):,}: D(x), G's push")
    samples.legend(loc="upper center", ncol=2, markerscale=2)
    history = trainer.history
    window = max(1, min(50, len(history) // 10))
    history_plots.draw_discriminator_outputs(verdicts, history, window, fake_color=color,
                                             fake_label=f"D(G(z)), {objective}")
    if len(history):
        gradient.plot(history.steps, history.smoothed("g_grad_norm", window), color=color)
        gradient.set_yscale("log")
        history_plots.set_step_limits(gradient, history.steps)
    gradient.set(xlabel="generator step", title="|∇ generator loss| (running mean)")
    history_plots.draw_losses(losses, history, window)


def push_arrows(push, longest: float = 0.6, half: float = 10.0) -> np.ndarray:
    """Arrows (n, 2) for pushes (n, 2) on one fixed scale for every frame and both losses: along
    each push, `longest` * |push| / (|push| + half) long, so a push of `half` gets half the
    longest arrow and a vanishing push (minimax on a rejected fake) none."""
    push = np.asarray(push, np.float64)
    norms = np.linalg.norm(push, axis=1, keepdims=True)
    return push / np.maximum(norms, 1e-30) * longest * norms / (norms + half)


draw_training_state.figsize = (7.6, 6.0)
