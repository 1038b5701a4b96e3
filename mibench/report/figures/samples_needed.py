"""How many samples each estimator needs: log(mean / truth) against n, with the 1.5× band."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ...analysis.scores import RATIO, log_ratio, task_ids
from ..context import ReportContext
from ._base import Drawn, FigureSpec, grid, log_x, pyplot, short

MOST_TASKS = 12
CAPTION = ("log(mean estimate / true MI) against n for each task (panels) and estimator; the "
           f"grey band is a factor {RATIO:g} either way. The samples-needed table gives, per "
           "task and estimator, the smallest n of the grid from which on the curve stays "
           "inside the band.")


def draw(ctx: ReportContext) -> Iterator[Drawn]:
    m = ctx.metrics
    if m.empty or m["n"].nunique() < 2:
        return
    m = m.assign(task_id=task_ids(m))
    tasks = [t for t, g in m.groupby("task_id", sort=False) if g["n"].nunique() >= 2]
    if not tasks:
        return
    plt = pyplot()
    bound = math.log(RATIO)
    fig, axes = grid(plt, min(len(tasks), MOST_TASKS), 3.0, 2.5)
    for ax, task in zip(axes, tasks, strict=False):
        g = m[m["task_id"] == task]
        ax.axhspan(-bound, bound, color="0.9")
        ax.axhline(0, color="0.4", lw=1)
        for est, ge in g.groupby("estimator", sort=False):
            ge = ge.sort_values("n")
            lr = [log_ratio(a, t) for a, t in zip(ge["mean"], ge["true_mi"], strict=True)]
            ax.plot(ge["n"], np.clip(np.array(lr, dtype=float), -2, 2), marker="o", ms=3,
                    color=ctx.colour(est), label=est)
        log_x(ax)
        ax.set_title(short(str(task), 36), fontsize=7)
        ax.set_xlabel("n")
        ax.set_ylabel("log(mean / truth)")
    fig.legend(handles=[plt.Line2D([], [], color=ctx.colour(e), marker="o", label=e)
                        for e in ctx.estimators],
               loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.tight_layout()
    yield Drawn("samples_needed", fig, CAPTION)


FIGURE = FigureSpec("Samples needed", draw)
