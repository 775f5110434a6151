"""The one Figure constructor of every plotting module (lessons 01-09): never shown, Agg canvas."""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def new_figure(figsize) -> Figure:
    """A Figure of `figsize` inches with constrained layout and an Agg canvas (so it can be
    saved, animated and turned into PNG bytes without pyplot); the caller adds its axes."""
    figure = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(figure)
    return figure
