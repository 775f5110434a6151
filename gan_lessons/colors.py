"""The course's colour table: one colour per meaning, used by every figure (lessons 01-09).

REAL and FAKE are reserved: no other entry reuses them. FAKE is off the red-blue colormaps that
draw D's decision surfaces (lessons 01, 06), so generated points stay visible on top of them.
"""

REAL = "tab:blue"  # real data: samples, p_data, D(x) on real batches, the modes of a mixture
FAKE = "tab:orange"  # generated data: samples, p_g, D(G(z)), the generated-class histogram
FAKE_BEFORE = "#ffbb78"  # light orange: the same fakes one generator step earlier (lesson 01)
FLOOR = "tab:green"  # the real-vs-real floor of a quality metric
CEILING = "tab:red"  # the untrained-generator ceiling of a quality metric
DISCRIMINATOR = "tab:purple"  # D's own curves: its loss, the optimal discriminator D*
GENERATOR = "tab:brown"  # G's loss

LOSS = {"minimax": "tab:red", "non_saturating": "tab:olive", "maximum_likelihood": "tab:cyan"}
REMEDY = {"none": "tab:gray", "packing": "tab:green", "minibatch_std": "tab:purple",
          "wgan_gp": "tab:brown"}
