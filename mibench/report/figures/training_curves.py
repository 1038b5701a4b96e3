"""Training curves of the estimators that report one (held-out reading against step)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from ..context import ReportContext
from ._base import Drawn, FigureSpec, grid, pyplot, short

MOST_TASKS = 8
CAPTION = ("Held-out reading of every cell during training (one line per seed), at the largest "
           "n of each task; dashed: the true MI. A curve still rising at its end was stopped "
           "too early; one that peaks and falls over-fitted (early stopping keeps the peak); "
           "seeds that end far apart make a noisy estimate.")


def training_curves(ctx: ReportContext) -> pd.DataFrame:
    """Long table (estimator, task, key, step, heldout, true_mi, label) of the training
    curves in the results (:attr:`~mibench.EstimateResult.curve`), for the largest n of
    each task."""
    ok = ctx.ok
    ok = ok[ok["n"] == ok.groupby("task")["n"].transform("max")]
    rows = []
    for i, r in ok.iterrows():
        curve = ctx.fields[i].curve
        if curve is None:
            continue
        for step, v in zip(curve.step, curve.heldout, strict=False):
            if v is not None:
                rows.append({"estimator": r["estimator"], "task": r["task"], "key": r["key"],
                             "step": step, "heldout": float(v), "true_mi": r["true_mi"],
                             "label": curve.label})
    return pd.DataFrame(rows)


def draw(ctx: ReportContext) -> Iterator[Drawn]:
    curves = training_curves(ctx)
    if curves.empty:
        return
    plt, u = pyplot(), ctx.units
    tasks_shown = list(dict.fromkeys(curves["task"]))[:MOST_TASKS]
    fig, axes = grid(plt, len(tasks_shown), 3.4, 2.9)
    for ax, task in zip(axes, tasks_shown, strict=True):
        g = curves[curves["task"] == task]
        for (est, _key), gc in g.groupby(["estimator", "key"], sort=False):
            ax.plot(gc["step"], u(gc["heldout"]), color=ctx.colour(est), lw=0.8, alpha=0.7)
        ax.axhline(u(g["true_mi"].iloc[0]), color="k", lw=1, ls="--")
        ax.set_title(short(str(task), 40), fontsize=8)
        ax.set_xlabel("training step")
        labels = set(g["label"])
        ax.set_ylabel(f"{labels.pop() if len(labels) == 1 else 'held-out reading'} ({u.name})")
    handles = [plt.Line2D([], [], color="k", ls="--", label="truth")] + [
        plt.Line2D([], [], color=ctx.colour(e), label=e)
        for e in dict.fromkeys(curves["estimator"])]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.suptitle("Training curves: held-out reading per cell (largest n of each task)")
    fig.tight_layout()
    yield Drawn("training_curves", fig, CAPTION)


FIGURE = FigureSpec("Training curves", draw)
