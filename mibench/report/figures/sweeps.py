"""Estimate against a task parameter swept over a grid (the MINE paper's Figure 1 for
the Gaussian task over rho at dim 2 and 20). Nothing here knows any particular task."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pandas as pd

from ..context import ReportContext
from ._base import Drawn, FigureSpec, pyplot

MIN_POINTS = 5
CAPTION = ("Mean estimate (bars: ± sd) against the task parameter {key}, the other parameters "
           "fixed in each panel; the black line is the true MI. Where an estimator's curve "
           "leaves the truth tells at which {key} it stops tracking it.")


def parameter_sweeps(m: pd.DataFrame, min_points: int = MIN_POINTS
                     ) -> dict[tuple[str, str], pd.DataFrame]:
    """Task parameters swept over a numeric grid, for "estimate against parameter" figures.

    For each task family and numeric parameter that takes at least
    ``min_points`` values while the other parameters stay fixed, the metric
    rows with ``x`` (the parameter's value) and ``panel`` (the other
    parameters, one panel each).
    """
    out: dict[tuple[str, str], pd.DataFrame] = {}
    for task_name, g in m.groupby("task_name"):
        params = [json.loads(p) if isinstance(p, str) else {} for p in g["task_params"]]
        keys = sorted({k for p in params for k, v in p.items()
                       if isinstance(v, (int, float)) and not isinstance(v, bool)})
        for key in keys:
            rows = g.assign(
                x=[p.get(key) for p in params],
                panel=[", ".join(f"{k}={v}" for k, v in sorted(p.items()) if k != key
                                 and v is not None) for p in params])
            rows = rows[rows["x"].notna()]
            counts = rows.groupby("panel")["x"].nunique()
            keep = counts[counts >= min_points].index
            if len(keep):
                out[(str(task_name), key)] = rows[rows["panel"].isin(keep)]
    return out


def draw(ctx: ReportContext) -> Iterator[Drawn]:
    if ctx.metrics.empty:
        return
    plt, u = pyplot(), ctx.units
    for (task_name, key), sweep in parameter_sweeps(ctx.metrics).items():
        panels = list(dict.fromkeys(sweep["panel"]))
        fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.6),
                                 squeeze=False)
        for ax, panel in zip(axes[0], panels, strict=True):
            gp = sweep[sweep["panel"] == panel].sort_values("x")
            truth = u(gp.groupby("x")["true_mi"].first())
            ax.plot(truth.index, truth.to_numpy(), color="k", lw=1.5, label="true MI")
            for est, ge in gp.groupby("estimator"):
                ge = ge.groupby("x")[["mean", "std"]].mean()
                ax.errorbar(ge.index, u(ge["mean"]), yerr=u(ge["std"]).fillna(0),
                            marker="o", ms=3, capsize=2, color=ctx.colour(est), label=est)
            ax.set_title(panel or task_name, fontsize=9)
            ax.set_xlabel(key)
            ax.set_ylabel(f"mutual information ({u.name})")
        axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
        fig.suptitle(f"{task_name}: estimate (mean ± sd) against {key}")
        fig.tight_layout()
        yield Drawn(f"sweep_{task_name}_{key}", fig, CAPTION.format(key=key))


FIGURE = FigureSpec("Parameter sweeps", draw)
