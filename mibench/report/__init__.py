"""Reports: tables (Markdown, LaTeX, CSV), figures (PNG, PDF) and an HTML page.

``write_report(table, out)`` writes into ``out``:

* ``metrics.csv`` — :func:`mibench.analysis.metrics` (every metric with its CI);
* ``table.md`` / ``table.tex`` — the results table (:mod:`.tables`);
* ``scaling.csv`` — exponents and verdicts (:mod:`mibench.analysis.scaling`);
* ``heatmap.csv``, ``samples_needed.csv`` / ``.md`` — the Beyond Normal scores;
* one PNG and one PDF per figure of :data:`.figures.FIGURES` that the run has
  data for (estimate against truth, bias and RMSE, time, training curves,
  parameter sweeps, the bmi heatmap, samples needed, PMI profiles);
* ``report.html`` — one self-contained page with the tables and every figure,
  each with a caption saying what to read from it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.scaling import scaling_rows
from .context import ReportContext, Units
from .figures import FIGURES, Drawn
from .figures.sweeps import parameter_sweeps
from .figures.training_curves import training_curves
from .page import page
from .tables import STATS, caption, frame_markdown, results_table, to_html, to_latex, to_markdown


def _save(d: Drawn, out: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    paths = []
    for ext in ("png", "pdf"):
        p = out / f"{d.name}.{ext}"
        d.figure.savefig(p, dpi=150, bbox_inches="tight")
        paths.append(p)
    plt.close(d.figure)
    return paths


def _scores(ctx: ReportContext) -> tuple[list[Path], str]:
    """The Beyond Normal score tables (files, and their HTML for the page)."""
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


def _consistency(ctx: ReportContext) -> tuple[list[Path], str]:
    """The self-consistency score table (files, and its HTML for the page)."""
    scores = ctx.consistency_scores
    if scores.empty:
        return [], ""
    from ..analysis.consistency import TOLERANCE

    out = ctx.out
    scores.to_csv(out / "self_consistency.csv", index=False)
    note = ("Self-consistency (Song & Ermon 2020). Rising tests: decreases of the mean "
            "estimate between consecutive steps, and those beyond twice their standard error "
            "(pass: none). Ratio tests: mean |ratio − ideal| over the steps and the ratio "
            f"furthest from the ideal (pass: every ratio within {TOLERANCE:.0%} of it).")
    shown = scores.assign(passes=scores["passes"].map({True: "yes", False: "no"})).round(3)
    shown = shown.astype(object).where(shown.notna(), "")
    (out / "self_consistency.md").write_text(
        frame_markdown(shown, index=False) + "\n\n" + note + "\n")
    html_part = (f"<h2>Self-consistency</h2>{shown.to_html(index=False, border=0)}"
                 f"<p>{note}</p>")
    return [out / "self_consistency.csv", out / "self_consistency.md"], html_part


def write_report(table: pd.DataFrame, out: str | Path, stat: str = "mean_ci",
                 bits: bool = False, figures_on: bool = True, title: str = "mibench report"
                 ) -> list[Path]:
    """Write every table, figure and the HTML page; return the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = ReportContext.build(table, out, bits=bits, stat=stat)
    text, best = results_table(ctx.metrics, stat, ctx.units)
    note = caption(ctx.metrics, stat, ctx.units)
    files = {"metrics.csv": lambda p: ctx.metrics.drop(columns="dim").to_csv(p, index=False),
             "table.md": lambda p: p.write_text(to_markdown(text, best, note)),
             "table.tex": lambda p: p.write_text(to_latex(text, best, note))}
    written = []
    for name, write in files.items():
        write(out / name)
        written.append(out / name)
    scal = scaling_rows(ctx.table)
    scal.to_csv(out / "scaling.csv", index=False)
    written.append(out / "scaling.csv")
    score_files, score_html = _scores(ctx)
    consistency_files, consistency_html = _consistency(ctx)
    written += score_files + consistency_files
    score_html += consistency_html
    shown: list[tuple[str, Path, str]] = []
    for spec in FIGURES if figures_on else ():
        for d in spec.draw(ctx):
            paths = _save(d, out)
            written += paths
            shown.append((spec.title, paths[0], d.caption))
    (out / "report.html").write_text(page(title, to_html(text, best), note, scal, shown,
                                          score_html))
    written.append(out / "report.html")
    return written


__all__ = ["STATS", "ReportContext", "Units", "parameter_sweeps", "results_table",
           "training_curves", "write_report"]
