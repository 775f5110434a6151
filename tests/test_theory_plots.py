"""Lesson 02/05 figures show what their titles claim, and the sliders redraw when moved."""

import numpy as np
from matplotlib.figure import Figure

from gan_lessons import theory, theory_plots


def test_densities_figure_reports_the_criterion_and_jsd_of_its_densities():
    p_data, p_g = theory.gaussian(0, 1), theory.gaussian(1, 1)
    figure = theory_plots.densities_figure(p_data, p_g)
    assert isinstance(figure, Figure)
    title = figure.axes[0].get_title()
    assert "V(D*, G) = -1.163451" in title and "JSD = 0.111421" in title
    d_star = figure.axes[1].lines[0].get_ydata()
    assert np.all((d_star >= 0) & (d_star <= 1))


def test_generator_costs_figure_plots_three_costs_and_their_gradients():
    figure = theory_plots.generator_costs_figure()
    costs, gradients = figure.axes
    assert len(costs.lines) == len(gradients.lines) == 3
    d = gradients.lines[0].get_xdata()
    minimax = gradients.lines[theory.GENERATOR_COSTS.index("minimax")].get_ydata()
    np.testing.assert_allclose(minimax, d, rtol=1e-9)  # |d cost / d logit| = D for minimax


def test_discriminator_map_marks_its_best_grid_point():
    slopes, intercepts = np.linspace(-2, 0, 5), np.linspace(0, 1, 3)
    values = -np.add.outer((intercepts - 0.5) ** 2, (slopes + 1) ** 2)  # peak at w = -1, b = 0.5
    figure = theory_plots.discriminator_values_figure(slopes, intercepts, values, best_value=0.0)
    star = figure.axes[0].lines[0]
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (-1.0, 0.5)


def test_outcome_figure_has_one_panel_per_regime():
    runs = [{"regime": r, "loss": loss, "seed": s, "final_w1_ratio": 1.0 + s}
            for r in ("balanced", "strong_discriminator") for loss in ("minimax", "non_saturating")
            for s in range(3)]
    figure = theory_plots.outcome_figure({"regimes": {"balanced": {}, "strong_discriminator": {}},
                                          "runs": runs, "steps": 10})
    assert [ax.get_title() for ax in figure.axes] == ["balanced (10 steps)",
                                                      "strong_discriminator (10 steps)"]


def test_density_explorer_redraws_when_a_slider_moves(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kwargs: shown.append(obj))
    explorer = theory_plots.density_explorer(theory.gaussian(0, 1), mean=1.0, std=1.0)
    mean_slider, std_slider = explorer.children[:2]
    assert (mean_slider.description, std_slider.description) == ("p_g mean", "p_g std")
    drawn = len(shown)  # 8.x draws on creation, 7.7 on first display: either way a move redraws
    mean_slider.value = 0.0
    assert len(shown) == drawn + 1
    assert shown[-1].data[:8] == b"\x89PNG\r\n\x1a\n"
