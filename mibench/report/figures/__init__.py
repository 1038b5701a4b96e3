"""The report's figures: one module per figure, walked in the order of :data:`FIGURES`.

A figure module defines ``draw(ctx)``, which yields :class:`Drawn` figures (a
file stem, a matplotlib figure and a caption saying what to read from it), or
nothing where the run has nothing to show; and ``FIGURE``, its
:class:`FigureSpec`. Adding a figure is adding a module and a line here.
"""

from __future__ import annotations

from . import (
    bias_rmse,
    cd_diagram,
    estimate_vs_truth,
    heatmap,
    pmi_profiles,
    samples_needed,
    self_consistency,
    sweeps,
    timing,
    training_curves,
)
from ._base import Drawn, FigureSpec

FIGURES: tuple[FigureSpec, ...] = (
    estimate_vs_truth.FIGURE,
    cd_diagram.FIGURE,
    bias_rmse.FIGURE,
    timing.FIGURE,
    training_curves.FIGURE,
    sweeps.FIGURE,
    heatmap.FIGURE,
    samples_needed.FIGURE,
    pmi_profiles.FIGURE,
    self_consistency.FIGURE,
)

__all__ = ["FIGURES", "Drawn", "FigureSpec"]
