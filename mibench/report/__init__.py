"""Reports: tables (Markdown, LaTeX, CSV), figures (PNG, PDF) and an HTML page.

``write_report(table, out)`` writes into ``out``:

* ``metrics.csv`` — :func:`mibench.analysis.metrics` (every metric with its CI);
* ``table.md`` / ``table.tex`` — the results table (:mod:`.tables`);
* ``scaling.csv`` — exponents and verdicts (:mod:`mibench.analysis.scaling`);
* ``ranks.md`` / ``ranks.tex`` — mean ranks across tasks, wins/ties/losses, the
  Friedman test and Wilcoxon–Holm p-values (:mod:`mibench.analysis.ranks`), with
  the critical-difference diagram ``cd_diagram.png`` / ``.pdf``;
* ``coverage.md`` / ``.csv`` — how often each estimator's 95 % interval covers the truth;
* ``heatmap.csv``, ``samples_needed.csv`` / ``.md`` — the Beyond Normal scores;
* ``self_consistency.md`` / ``.csv`` — the self-consistency scores, where the run has them;
* one PNG and one PDF per figure of :data:`.figures.FIGURES` that the run has
  data for (estimate against truth, bias and RMSE, time, training curves,
  parameter sweeps, the bmi heatmap, samples needed, PMI profiles);
* ``report.html`` — one self-contained page: the tables, interactive figures
  (:mod:`.interactive`: hover, filters by family and estimator, log/linear time
  axes, training curves per cell) and every static figure, each with a caption
  saying what to read from it.
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
from .sections import SECTIONS
from .tables import STATS, caption, results_table, to_html, to_latex, to_markdown


def _save(d: Drawn, out: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    paths = []
    for ext in ("png", "pdf"):
        p = out / f"{d.name}.{ext}"
        d.figure.savefig(p, dpi=150, bbox_inches="tight")
        paths.append(p)
    plt.close(d.figure)
    return paths


def write_report(table: pd.DataFrame, out: str | Path, stat: str = "mean_ci",
                 bits: bool = False, figures_on: bool = True, title: str = "mibench report"
                 ) -> list[Path]:
    """Write every table, figure and the HTML page; return the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = ReportContext.build(table, out, bits=bits, stat=stat)
    if ctx.metrics.empty:
        from ..core.errors import ParameterError

        raise ParameterError("no result rows to report")
    text, best = results_table(ctx.metrics, stat, ctx.units, ctx.marks)
    note = caption(ctx.metrics, stat, ctx.units)
    ctx.metrics.drop(columns="dim").to_csv(out / "metrics.csv", index=False)
    (out / "table.md").write_text(to_markdown(text, best, note))
    (out / "table.tex").write_text(to_latex(text, best, note))
    written = [out / "metrics.csv", out / "table.md", out / "table.tex"]
    scal = scaling_rows(ctx.table)
    scal.to_csv(out / "scaling.csv", index=False)
    written.append(out / "scaling.csv")
    section_html = ""
    for section in SECTIONS:
        paths, part = section(ctx)
        written += paths
        section_html += part
    shown: list[tuple[str, Path, str]] = []
    for spec in FIGURES if figures_on else ():
        for d in spec.draw(ctx):
            paths = _save(d, out)
            written += paths
            shown.append((spec.title, paths[0], d.caption))
    from . import interactive

    live = interactive.section(ctx) if figures_on else ""
    head = interactive.plotly_js() + interactive.page_data(ctx) if live else ""
    (out / "report.html").write_text(page(title, to_html(text, best), note, scal, shown,
                                          section_html, live, head))
    written.append(out / "report.html")
    return written


__all__ = ["STATS", "ReportContext", "Units", "parameter_sweeps", "results_table",
           "training_curves", "write_report"]
