"""Histograms of pointwise MI for the tasks whose density is known (``Task.pmi``)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ...core.factory import get_task
from ..context import ReportContext
from ._base import Drawn, FigureSpec, grid, pyplot, short

DRAWS = 20_000
CAPTION = ("Distribution of the pointwise MI log p(x,y) − log p(x) − log p(y) over "
           f"{DRAWS:,} draws of each task whose density is known; its mean (dashed) is the "
           "MI. A long right tail or several modes is dependence that a few samples rarely "
           "show, which is where estimators fall short.")


def pmi_profiles(table: pd.DataFrame, n: int = DRAWS) -> dict[str, np.ndarray]:
    """Pointwise MI of ``n`` draws (seed 0) for each task of the table whose
    density is known (:meth:`mibench.Task.pmi`), keyed by its label or selector."""
    out: dict[str, np.ndarray] = {}
    for sel, lab in dict(zip(table["task"], table["task_label"], strict=True)).items():
        try:
            task = get_task(sel)
        except Exception:  # a plugin no longer installed: no profile, the rest stays
            continue
        if task.has_pmi:
            x, y = task.sample(n, np.random.default_rng(0))
            out[str(lab) or sel] = np.asarray(task.pmi(x, y))
    return out


def draw(ctx: ReportContext) -> Iterator[Drawn]:
    profiles = pmi_profiles(ctx.table)
    if not profiles:
        return
    plt = pyplot()
    fig, axes = grid(plt, len(profiles), 3.2, 2.4)
    for ax, (name, p) in zip(axes, profiles.items(), strict=True):
        lo, hi = np.percentile(p, [0.5, 99.5])  # rare extreme values would squash it
        ax.hist(p, bins=80, range=(lo, hi), density=True, color="0.4")
        ax.axvline(p.mean(), color="k", ls="--", lw=1)
        ax.set_title(short(name, 40), fontsize=7)
        ax.set_xlabel("pointwise MI (nats); dashed: its mean, the MI", fontsize=6)
    fig.tight_layout()
    yield Drawn("pmi_profiles", fig, CAPTION)


FIGURE = FigureSpec("PMI profiles", draw)
