"""Time against n and against dimension, log–log, with fitted exponents."""

from __future__ import annotations

from collections.abc import Iterator

from ...analysis.scaling import fit_power_law
from ..context import ReportContext
from ._base import Drawn, FigureSpec, log_x, pyplot

CAPTION = ("Median wall time per estimate against {what}, log–log; the legend gives each "
           "line's fitted exponent with its 95 % interval (1: linear cost; the verdicts are "
           "in the scaling table). Seeds trained together in one batch show each seed's "
           "share of the batch's time.")


def _draw_axis(ctx: ReportContext, axis: str) -> Drawn | None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    drawn = False
    for (est, fam), g in ctx.ok.groupby(["estimator", "family"]):
        for _, gg in g.groupby("task" if axis == "n" else "n"):
            if gg[axis].nunique() < 3:
                continue
            fit = fit_power_law(gg[axis], gg["wall_time_s"])
            med = gg.groupby(axis)["wall_time_s"].median()
            batch = " (share of a batched group)" if (gg["group_size"] > 1).any() else ""
            ax.plot(med.index, med.to_numpy(), marker="o", ms=3, color=ctx.colour(est),
                    label=f"{est} ({fam}){batch}: exponent {fit.exponent:.2f} "
                          f"[{fit.lo:.2f}, {fit.hi:.2f}]")
            drawn = True
    if not drawn:
        plt.close(fig)
        return None
    what = "n" if axis == "n" else "dimension"
    log_x(ax)
    ax.set_yscale("log")
    ax.set_xlabel("sample size n" if axis == "n" else "dimension of (X, Y)")
    ax.set_ylabel("wall time per estimate (s)")
    ax.set_title(f"Time against {what} (median over seeds; fitted exponent with 95 % interval)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False, fontsize=7,
              ncol=1)
    fig.tight_layout()
    return Drawn(f"time_vs_{axis}", fig, CAPTION.format(what=what))


def draw(ctx: ReportContext) -> Iterator[Drawn]:
    for axis in ("n", "dim"):
        d = _draw_axis(ctx, axis)
        if d is not None:
            yield d


FIGURE = FigureSpec("Time", draw)
