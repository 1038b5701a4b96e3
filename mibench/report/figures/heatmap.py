"""The Beyond Normal heatmap: tasks × estimators, mean estimate, coloured by log(mean/truth)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ...analysis.scores import CLIP
from ..context import ReportContext
from ._base import Drawn, FigureSpec, pyplot

CAPTION = ("Mean estimate of each task (rows; true MI in brackets) by each estimator "
           "(columns), at the largest n of each task. Colour: log(mean / true MI), clipped to "
           "±1 — white is right, blue under-estimates, red over-estimates; a mean at or below "
           "zero is the darkest blue. Failed seeds are counted in their cell.")


def draw(ctx: ReportContext) -> Iterator[Drawn]:
    r = ctx.ratio_table
    if r.empty:
        return
    plt, u = pyplot(), ctx.units
    tasks = list(dict.fromkeys(r["task"]))
    ests = list(dict.fromkeys(r["estimator"]))
    colour = np.full((len(tasks), len(ests)), np.nan)
    fig, ax = plt.subplots(figsize=(3.2 + 1.1 * len(ests), 1.8 + 0.28 * len(tasks)),
                           layout="constrained")
    for _, row in r.iterrows():
        i, j = tasks.index(row["task"]), ests.index(row["estimator"])
        colour[i, j] = row["colour"]
        text = "—" if not np.isfinite(row["mean"]) else f"{u(row['mean']):.2f}"
        if row["failures"]:
            text += f"\n{int(row['failures'])} failed"
        ax.text(j, i, text, ha="center", va="center", fontsize=6)
    im = ax.imshow(colour, cmap="coolwarm", vmin=-CLIP, vmax=CLIP, aspect="auto")
    ax.grid(False)  # the style's grid lines would cross the cells
    truth = r.drop_duplicates("task").set_index("task")
    labels = []
    for t in tasks:
        se = truth.loc[t, "truth_se"]
        err = f" ± {u(se):.3f}" if np.isfinite(se) and se > 0 else ""
        labels.append(f"{t} ({u(truth.loc[t, 'true_mi']):.2f}{err})")
    ax.set_yticks(range(len(tasks)), labels, fontsize=6)
    ax.set_xticks(range(len(ests)), ests, rotation=30, ha="right", fontsize=7)
    cbar = fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02)
    cbar.set_label("log(mean / true MI),\nclipped to ±1", fontsize=7)
    cbar.ax.tick_params(labelsize=6)
    fig.suptitle(f"Mean estimate ({u.name}; true MI in brackets)", fontsize=9)
    yield Drawn("heatmap", fig, CAPTION)


FIGURE = FigureSpec("Beyond Normal heatmap", draw)
