"""The self-consistency tests (Song & Ermon 2020): one figure per test."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..context import ReportContext
from ._base import Drawn, FigureSpec, pyplot

RISE = ("{test}: mean estimate (bars: ± sd over seeds) against the step t, one line per "
        "estimator; dashed: the true MI. An estimator passes when its estimate does not fall "
        "as t grows (by more than twice the standard error of the difference); its level "
        "against the truth shows its bias.")
RATIO = ("{test}: mean estimate divided by the mean estimate of the reference task at the "
         "same t (same estimator and n), one line per estimator; dashed: the ideal ratio "
         "{ideal:g}, dotted: the ratio of the truths. An estimator passes when every ratio "
         "is within 10 % of the ideal.")


def draw(ctx: ReportContext) -> Iterator[Drawn]:
    rows = ctx.consistency
    if rows.empty:
        return
    plt, u = pyplot(), ctx.units
    for test, g in rows.groupby("test", sort=False):
        ideal = g["ideal"].dropna()
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        for est, ge in g.groupby("estimator", sort=False):
            ge = ge.sort_values("step")
            if ideal.empty:
                ax.errorbar(ge["step"], u(ge["mean"]), yerr=u(ge["std"]).fillna(0), marker="o",
                            ms=3, capsize=2, color=ctx.colour(est), label=est)
            else:
                ax.plot(ge["step"], ge["ratio"], marker="o", ms=3, color=ctx.colour(est),
                        label=est)
        first = g.drop_duplicates("step").sort_values("step")
        if ideal.empty:
            ax.plot(first["step"], u(first["true_mi"]), color="k", ls="--", label="true MI")
            ax.set_ylabel(f"estimate ({u.name})")
        else:
            ax.axhline(float(ideal.iloc[0]), color="k", ls="--", label="ideal")
            ax.axhspan(0.9 * float(ideal.iloc[0]), 1.1 * float(ideal.iloc[0]), color="0.92")
            ax.plot(first["step"], first["true_ratio"], color="k", ls=":", label="truths' ratio")
            ax.set_ylabel("estimate / reference estimate")
        ax.set_xlabel("step t (rows revealed)")
        ax.set_xticks(np.unique(g["step"]))
        ax.set_title(f"Self-consistency: {test}")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=7)
        fig.tight_layout()
        caption = (RISE.format(test=test) if ideal.empty
                   else RATIO.format(test=test, ideal=float(ideal.iloc[0])))
        yield Drawn(f"self_consistency_{test}", fig, caption)


FIGURE = FigureSpec("Self-consistency", draw)
