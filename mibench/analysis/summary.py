"""Summaries of a results table: :func:`summarize` (a table) and the end-of-run text.

:func:`format_summary` is what ``mibench run`` prints: one block per task and n.

Each block has a header line (task label, n, true MI) and one line per
estimator: mean, its 95 % t-interval over seeds (or "-" with the reason in a
footnote when the seeds cannot support one), bias, sd, ok/total seeds and the
median time per cell. Labels longer than the space for them are cut with an
ellipsis, so the text fits ``width`` columns (100 by default).
"""

from __future__ import annotations

import math

import pandas as pd

from .metrics import MIN_SEEDS_T, metrics

#: What :func:`summarize` keeps of :func:`~mibench.analysis.metrics.metrics`.
SUMMARY_COLUMNS = ["estimator", "task", "n", "true_mi", "mean", "bias", "std", "seeds",
                   "failures", "median_time_s"]


def summarize(table: pd.DataFrame) -> pd.DataFrame:
    """Per estimator × task × n: truth, mean estimate, bias, sd, ok seeds, failures and
    median time (columns of :func:`~mibench.analysis.metrics.metrics`, which has the
    intervals too)."""
    m = metrics(table, n_boot=200)
    return m[SUMMARY_COLUMNS] if not m.empty else pd.DataFrame(columns=SUMMARY_COLUMNS)


def _fit(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _num(v: float, spec: str = ".3f") -> str:
    return format(v, spec) if math.isfinite(v) else "-"


def format_summary(table: pd.DataFrame, width: int = 100) -> str:
    """The summary of a results table as text no wider than ``width`` columns."""
    m = metrics(table, n_boot=200)
    if m.empty:
        return ""
    est_w = min(max(9, int(m["estimator"].str.len().max())), width - 67)
    head = (f"  {'estimator':<{est_w}}  {'mean':>8}  {'95% CI':>17}  {'bias':>8}  "
            f"{'sd':>7}  {'seeds':>6}  {'time s':>7}")
    lines: list[str] = []
    short = False
    batched = False
    for (task, n), g in m.groupby(["task", "n"], sort=False):
        truth = float(g["true_mi"].iloc[0])
        tail = f"  n={int(n):,}  true MI {truth:.3f}"
        lines.append(_fit(str(task), width - len(tail)) + tail)
        lines.append(head)
        for _, r in g.iterrows():
            if math.isfinite(r["mean_lo"]):
                ci = f"[{r['mean_lo']:.3f}, {r['mean_hi']:.3f}]"
            else:
                ci, short = "-", short or r["seeds"] > 0
            seeds = f"{int(r['seeds'])}/{int(r['seeds'] + r['failures'])}"
            time_s = _num(r["median_time_s"], ".2f")
            if r.get("group_size", 1) > 1:
                time_s, batched = time_s + "*", True
            lines.append(f"  {_fit(str(r['estimator']), est_w):<{est_w}}  {_num(r['mean']):>8}  "
                         f"{ci:>17}  {_num(r['bias'], '+.3f'):>8}  {_num(r['std']):>7}  "
                         f"{seeds:>6}  {time_s:>7}")
        lines.append("")
    if short:
        lines.append(f"95% CI: Student-t over seeds; '-' where fewer than {MIN_SEEDS_T} seeds "
                     "are ok (too few for an interval).")
    if batched:
        lines.append("time s*: the seeds were trained together in one batch; the time is "
                     "each seed's share.")
    return "\n".join(lines).rstrip() + "\n"
