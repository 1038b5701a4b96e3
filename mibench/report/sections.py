"""The report's tables beyond the results table, each a section: files and page HTML.

Each function takes the :class:`~mibench.report.context.ReportContext` and returns the
paths it wrote and its part of ``report.html`` (both empty where the run has nothing
for it); :data:`SECTIONS` is the order they appear in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..analysis.consistency import TOLERANCE
from ..analysis.coverage import coverage_overall
from ..analysis.ranks import SCORES, ranks_table
from .context import ReportContext
from .tables import frame_markdown, latex_table

Section = Callable[[ReportContext], tuple[list[Path], str]]


def _blank(df: pd.DataFrame) -> pd.DataFrame:
    """NaN shown as an empty cell."""
    return df.astype(object).where(df.notna(), "")


def ranks(ctx: ReportContext) -> tuple[list[Path], str]:
    """Mean ranks across tasks by both scores, wins/ties/losses, Friedman, Wilcoxon–Holm."""
    summaries = ctx.rank_summaries
    main = summaries[0]
    if main.blocks < 2 or len(main.mean_rank) < 2:
        return [], ""
    table = ranks_table(summaries).round(2)
    fr, p = main.friedman
    note = (f"Ranks over {main.blocks} blocks (task × n): 1 is the smallest error, ties share "
            "the average rank, a cell with no estimate ranks last. "
            + (f"Friedman test that all estimators rank alike (by {SCORES[main.score]}): "
               f"χ² = {fr:.2f}, p = {p:.3g}. " if fr == fr else "")
            + f"Nemenyi critical difference of mean ranks at α = {main.alpha:g}: "
              f"{main.nemenyi_cd:.2f}. Pairwise: Wilcoxon signed-rank tests of the per-block "
              "score differences, Holm-corrected (Benavoli et al. 2016); cells W/T/L are the "
              "row estimator's wins, ties and losses against the column one.")
    wtl = main.wins.rename_axis("W/T/L")
    pv = main.pvalues.round(4).rename_axis("p (Wilcoxon–Holm)")
    md = "\n\n".join([frame_markdown(table), note, frame_markdown(wtl), frame_markdown(pv)])
    out = ctx.out
    (out / "ranks.md").write_text(md + "\n")
    (out / "ranks.tex").write_text(latex_table(table, note, "l" + "r" * table.shape[1],
                                               index=True))
    html = (f"<h2>Ranks across tasks</h2>{table.to_html(border=0)}<p>{note}</p>"
            f"{wtl.to_html(border=0)}{pv.to_html(border=0)}")
    return [out / "ranks.md", out / "ranks.tex"], html


def coverage(ctx: ReportContext) -> tuple[list[Path], str]:
    """How often each estimator's 95 % interval over seeds covers the truth."""
    cov = ctx.coverage
    if cov.empty or not (cov["with_interval"] > 0).any():
        return [], ""
    out = ctx.out
    cov.to_csv(out / "coverage.csv", index=False)
    wide = _blank(coverage_overall(cov).round(2))
    totals = cov[cov["family"] == "all families"].set_index("estimator")
    note = ("Coverage: the fraction of cells (task × n) whose 95 % Student-t interval over "
            "seeds contains the true MI, by task family; a calibrated estimator covers about "
            "95 %. One that covers few cells is biased by more than its seeds spread: its "
            "intervals describe its seeds, not the truth. Cells with fewer than 3 ok seeds "
            "have no interval and are left out (" + ", ".join(
                f"{e} {int(r['cells'] - r['with_interval'])}" for e, r in totals.iterrows())
            + " such cells).")
    (out / "coverage.md").write_text(frame_markdown(wide) + "\n\n" + note + "\n")
    html = f"<h2>Coverage of the intervals</h2>{wide.to_html(border=0)}<p>{note}</p>"
    return [out / "coverage.csv", out / "coverage.md"], html


def beyond_normal(ctx: ReportContext) -> tuple[list[Path], str]:
    """The Beyond Normal score tables: the heatmap's numbers and samples needed."""
    r, need, out = ctx.ratio_table, ctx.samples_needed, ctx.out
    if r.empty:
        return [], ""
    r.to_csv(out / "heatmap.csv", index=False)
    need.to_csv(out / "samples_needed.csv")
    note = (f"Smallest N of the grid {sorted(set(ctx.metrics['n']))} from which on the mean "
            "estimate stays within a factor 1.5 of the true MI (|log(mean/truth)| < log 1.5); "
            "'>N' where it never does.")
    (out / "samples_needed.md").write_text(frame_markdown(need.rename_axis("task")) + "\n\n"
                                           + note + "\n")
    html_part = f"<h2>Samples needed</h2>{need.to_html(border=0)}<p>{note}</p>"
    return [out / "heatmap.csv", out / "samples_needed.csv", out / "samples_needed.md"], html_part


def self_consistency(ctx: ReportContext) -> tuple[list[Path], str]:
    """The self-consistency score table, where the run has such tasks."""
    scores = ctx.consistency_scores
    if scores.empty:
        return [], ""
    out = ctx.out
    scores.to_csv(out / "self_consistency.csv", index=False)
    note = ("Self-consistency (Song & Ermon 2020). Rising tests: decreases of the mean "
            "estimate between consecutive steps, and those beyond twice their standard error "
            "(pass: none). Ratio tests: mean |ratio − ideal| over the steps and the ratio "
            f"furthest from the ideal (pass: every ratio within {TOLERANCE:.0%} of it).")
    shown = _blank(scores.assign(passes=scores["passes"].map({True: "yes", False: "no"}))
                   .round(3))
    (out / "self_consistency.md").write_text(frame_markdown(shown, index=False) + "\n\n"
                                             + note + "\n")
    html_part = (f"<h2>Self-consistency</h2>{shown.to_html(index=False, border=0)}"
                 f"<p>{note}</p>")
    return [out / "self_consistency.csv", out / "self_consistency.md"], html_part


SECTIONS: tuple[Section, ...] = (ranks, coverage, beyond_normal, self_consistency)
