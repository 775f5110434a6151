"""One colour per meaning: real and fake are reserved, and every plotting module reads the one table."""

import matplotlib.colors as mcolors
import pytest

from gan_lessons import colors, curve_plots, image_plots, mode_plots, theory_plots

TABLE = {"FAKE_BEFORE": colors.FAKE_BEFORE, "FLOOR": colors.FLOOR, "CEILING": colors.CEILING,
         "DISCRIMINATOR": colors.DISCRIMINATOR, "GENERATOR": colors.GENERATOR,
         **{f"LOSS[{k}]": v for k, v in colors.LOSS.items()},
         **{f"REMEDY[{k}]": v for k, v in colors.REMEDY.items()}}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_no_entry_reuses_the_real_or_the_fake_colour(name):
    assert not mcolors.same_color(TABLE[name], colors.REAL), name
    assert not mcolors.same_color(TABLE[name], colors.FAKE), name


def test_real_and_fake_differ():
    assert not mcolors.same_color(colors.REAL, colors.FAKE)


def test_the_table_names_every_generator_loss_and_every_remedy():
    assert set(colors.LOSS) == {"minimax", "non_saturating", "maximum_likelihood"}
    assert set(colors.REMEDY) == {"none", "packing", "minibatch_std", "wgan_gp"}


def test_no_plotting_module_keeps_its_own_colour_constants():
    for module in (curve_plots, image_plots, mode_plots, theory_plots):
        own = [n for n in vars(module) if "COLOR" in n or n in ("REAL", "FAKE", "FAKE_AFTER")]
        assert own == [], (module.__name__, own)
