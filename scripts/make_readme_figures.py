"""Draw the README's pictures from real runs: python scripts/make_readme_figures.py"""

import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from matplotlib.figure import Figure  # noqa: E402

from gan_lessons import dashboard, plots, profiles, recipes, toy  # noqa: E402

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def lesson01_dashboard(path=DOCS / "dashboard_01.png"):
    """The lesson 01 dashboard's final frame after a lecture-profile run (seed 0)."""
    curve = toy.QuadraticCurve()
    trainer = recipes.curve_trainer(seed=0)
    trainer.train(profiles.settings("01", "lecture")["steps"], progress=True)
    live = dashboard.LiveFigure(Figure(figsize=(16, 3.6)), dpi=80)
    plots.curve_dashboard_draw(curve, curve.scaler())(live.figure, trainer)
    path.write_bytes(live.png())
    print(f"wrote {path}")


if __name__ == "__main__":
    DOCS.mkdir(exist_ok=True)
    lesson01_dashboard()
