"""Bias and RMSE against dimension and against n."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from ..context import ReportContext
from ._base import Drawn, FigureSpec, log_x, pyplot

STYLES = ["-", "--", ":", "-."]
AXES = {
    # axis: (x label, what one line holds, what tells lines apart)
    "dim": ("dimension of (X, Y)", ["family", "n"]),
    "n": ("sample size n", ["task"]),
}
CAPTION = ("Left: bias (mean estimate − truth), right: RMSE over seeds, against {what}; one "
           "line per estimator and {lines} (line styles). A bias that grows with {what} "
           "while the RMSE follows it is a systematic error that more seeds will not remove.")


def _label(k: object) -> str:
    return ", ".join(str(v) for v in (k if isinstance(k, tuple) else (k,)))


def _draw_axis(ctx: ReportContext, axis: str, lines: list[tuple[str, object, pd.DataFrame]]
               ) -> Drawn:
    plt, u = pyplot(), ctx.units
    xlabel, keys = AXES[axis]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    style_of: dict[object, str] = {}
    for ax, metric in zip(axes, ("bias", "rmse"), strict=True):
        for est, k, g in lines:
            ls = style_of.setdefault(k, STYLES[len(style_of) % len(STYLES)])
            g2 = u(g.groupby(axis)[metric].mean().sort_index())
            ax.plot(g2.index, g2.to_numpy(), marker="o", ms=3, ls=ls, color=ctx.colour(est),
                    label=f"{est} ({_label(k)})")
        if metric == "bias":
            ax.axhline(0, color="0.4", lw=1)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"{'RMSE' if metric == 'rmse' else 'bias'} ({u.name})")
        log_x(ax)
    shown = list(dict.fromkeys(est for est, _, _ in lines))
    handles = [plt.Line2D([], [], color=ctx.colour(e), marker="o", ms=3, label=e)
               for e in shown]
    handles += [plt.Line2D([], [], color="0.2", ls=ls, label=_label(k))
                for k, ls in style_of.items()]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2,
               frameon=False, fontsize=7)
    what = "dimension" if axis == "dim" else "n"
    fig.suptitle(f"Bias and RMSE against {what}")
    fig.tight_layout()
    caption = CAPTION.format(what=what, lines=" and ".join(keys))
    return Drawn(f"bias_rmse_vs_{axis}", fig, caption)


def draw(ctx: ReportContext) -> Iterator[Drawn]:
    m = ctx.metrics
    if m.empty:
        return
    for axis, (_, keys) in AXES.items():
        lines = [(str(est), k, g) for est, ge in m.groupby("estimator", sort=False)
                 for k, g in ge.groupby(keys) if g[axis].nunique() >= 2]
        if lines:
            yield _draw_axis(ctx, axis, lines)


FIGURE = FigureSpec("Bias and RMSE", draw)
