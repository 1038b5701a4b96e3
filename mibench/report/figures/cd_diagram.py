"""The critical-difference diagram of the ranks across tasks (Demšar 2006)."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import ReportContext
from ._base import Drawn, FigureSpec, pyplot

CAPTION = ("Mean rank of each estimator over the run's tasks (by |mean − truth|; 1 is best). "
           "Estimators joined by a bar are not significantly different (pairwise Wilcoxon "
           "signed-rank tests, Holm-corrected, α = {alpha:g}); the bar above the axis is "
           "Nemenyi's critical difference ({cd:.2f}) over {blocks} blocks (task × n).")


def draw(ctx: ReportContext) -> Iterator[Drawn]:
    main = ctx.rank_summaries[0]
    if main.blocks < 2 or len(main.mean_rank) < 2 or main.pvalues.empty:
        return
    import scikit_posthocs as sp

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.3 * len(main.mean_rank)))
    sp.critical_difference_diagram(main.mean_rank, main.pvalues, ax=ax, alpha=main.alpha,
                                   cd=main.nemenyi_cd, label_props={"fontsize": 8},
                                   color_palette={e: ctx.colour(e) for e in main.mean_rank.index})
    # scikit-posthocs draws the CD bar at y = 0.5 and its label at 0.65, on top of the rank
    # tick labels (which sit on the rank axis at y = 0): lift both above the ticks
    for line in ax.lines:
        if list(line.get_ydata()) == [0.5, 0.5]:
            line.set_ydata([1.3, 1.3])
    for text in ax.texts:
        if text.get_text().startswith("CD ="):
            text.set_y(1.45)
            text.set_verticalalignment("bottom")
            text.set_horizontalalignment("center")
    low, _ = ax.get_ylim()
    ax.set_ylim(low, 1.9)
    ax.set_title("Critical-difference diagram: mean rank across tasks", fontsize=9, pad=22)
    yield Drawn("cd_diagram", fig, CAPTION.format(alpha=main.alpha, cd=main.nemenyi_cd,
                                                  blocks=main.blocks))


FIGURE = FigureSpec("Critical-difference diagram", draw)
