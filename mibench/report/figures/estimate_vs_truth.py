"""Estimate against true MI, one panel per task family, ceilings drawn in."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..context import ReportContext, finite_max
from ._base import Drawn, FigureSpec, grid, pyplot

CAPTION = ("Each point is one task configuration at one n: the mean estimate over seeds (bars: "
           "± sd) against the true MI, one panel per task family. On the dashed diagonal an "
           "estimator is unbiased; below it, it under-estimates. A dotted line is an "
           "estimator's ceiling: points pinned there show the method's limit, not a training "
           "failure.")


def draw(ctx: ReportContext) -> Iterator[Drawn]:
    m, u = ctx.metrics, ctx.units
    if m.empty:
        return
    plt = pyplot()
    fams = sorted(m["family"].unique())
    fig, axes = grid(plt, len(fams), 3.2, 3.0)
    for ax, fam in zip(axes, fams, strict=True):
        g = m[m["family"] == fam]
        hi = finite_max(u(g["true_mi"]), u(g["mean"])) * 1.1
        lo = min(0.0, float(np.nanmin(u(g["mean"]).to_numpy())))
        ax.plot([lo, hi], [lo, hi], color="0.4", lw=1, ls="--", label="truth")
        for est, ge in g.groupby("estimator"):
            ax.errorbar(u(ge["true_mi"]), u(ge["mean"]), yerr=u(ge["std"]).fillna(0), fmt="o",
                        ms=3, capsize=2, color=ctx.colour(est), label=est)
            ceil = u(ge["ceiling"].min())
            if np.isfinite(ceil) and ceil <= hi:  # a ceiling the data come near
                ax.axhline(ceil, color=ctx.colour(est), lw=1, ls=":")
                ax.annotate(f"{ge['estimator_name'].iloc[0]} ceiling", (lo, ceil), fontsize=6,
                            color=ctx.colour(est), va="bottom")
        ax.set_title(fam)
        ax.set_xlabel(f"true MI ({u.name})")
        ax.set_ylabel(f"estimate ({u.name})")
    handles = [plt.Line2D([], [], color="0.4", ls="--", label="truth")] + [
        plt.Line2D([], [], marker="o", ls="", color=ctx.colour(e), label=e)
        for e in ctx.estimators]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.suptitle("Estimate against true MI\n(mean ± sd over seeds; dotted: ceilings)",
                 fontsize=9)
    fig.tight_layout()
    yield Drawn("estimate_vs_truth", fig, CAPTION)


FIGURE = FigureSpec("Estimate against truth", draw)
