"""Which entries of a results-table row are the best: the best one and every one not
significantly worse, by paired tests over seeds.

Every estimator of a run sees the same data for the same repetition (``seed``), so the
errors of two estimators on one (task, n) are paired. For each row the best estimator is
the one with the smallest mean loss over its seeds — the absolute error |estimate −
truth|, or the squared error when the table shows RMSE — and each other estimator is
compared with it by a one-sided paired t-test on the seeds both finished (H₀: its mean
loss is no larger; ``scipy.stats.ttest_rel``), the p-values Holm-corrected over the
row's comparisons (``statsmodels``). Marked are the best and every estimator whose
corrected p-value is at least ``alpha``.

A comparison needs ``MIN_PAIRS`` seeds that both estimators finished; a row where the
best has such a comparison with nobody, or where any estimator has too few paired seeds,
is not marked at all (:attr:`RowMarks.note` says why), rather than bolding one entry on
noise. The paired t-test assumes roughly normal differences; with 3–10 seeds nothing
better is available (the exact Wilcoxon test cannot reach p < 0.05 below 6 pairs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..store.schema import Status

#: Fewest seeds both estimators finished for a paired comparison.
MIN_PAIRS = 3
TEST = ("one-sided paired t-test over seeds of the {loss} against the row's best "
        "(smallest mean {loss}), Holm-corrected over the row, α = {alpha:g}")


@dataclass
class RowMarks:
    """The marked estimators of one row, and why a row is not marked."""

    marked: set[str]
    best: str | None
    note: str = ""


def _losses(table: pd.DataFrame, squared: bool) -> pd.DataFrame:
    """(task, n, seed) × estimator: each ok cell's loss (NaN where it failed)."""
    ok = table[table["status"] == Status.OK]
    err = ok["estimate"] - ok["true_mi"]
    loss = err**2 if squared else err.abs()
    return ok.assign(_loss=loss).pivot_table(index=["task", "n", "seed"], columns="estimator",
                                             values="_loss", aggfunc="first", sort=False)


def mark_row(losses: pd.DataFrame, estimators: list[str], alpha: float = 0.05) -> RowMarks:
    """Marks for one row: ``losses`` is seeds × estimators (NaN: the seed failed)."""
    means = losses.reindex(columns=estimators).mean()
    finite = means.dropna()
    if len(finite) < 2:
        return RowMarks(set(finite.index), None, "one estimator finished")
    best = str(finite.idxmin())
    others = [e for e in finite.index if e != best]
    pvalues, short = [], []
    for e in others:
        pair = losses[[best, e]].dropna()
        if len(pair) < MIN_PAIRS:
            short.append(e)
            continue
        d = pair[e].to_numpy() - pair[best].to_numpy()
        if np.ptp(d) == 0:  # no spread: worse exactly when every difference is positive
            p = 0.0 if d[0] > 0 else 1.0
        else:
            p = float(stats.ttest_rel(pair[e], pair[best], alternative="greater").pvalue)
        pvalues.append((e, p))
    if short:
        return RowMarks(set(), best, f"fewer than {MIN_PAIRS} paired seeds for "
                                     + ", ".join(short))
    from statsmodels.stats.multitest import multipletests

    adjusted = multipletests([p for _, p in pvalues], method="holm")[1] if pvalues else []
    marked = {best} | {e for (e, _), q in zip(pvalues, adjusted, strict=True) if q >= alpha}
    return RowMarks(marked, best)


def paired_marks(table: pd.DataFrame, squared: bool = False, alpha: float = 0.05
                 ) -> dict[tuple[str, int], RowMarks]:
    """Marks of every (task, n) row of a results table (rows of cells, one per seed)."""
    losses = _losses(table, squared)
    estimators = list(dict.fromkeys(table["estimator"]))
    out = {}
    for (task, n), g in losses.groupby(level=["task", "n"], sort=False):
        out[(str(task), int(n))] = mark_row(g.droplevel(["task", "n"]), estimators, alpha)
    return out


def describe_test(squared: bool, alpha: float = 0.05) -> str:
    return TEST.format(loss="squared error" if squared else "absolute error", alpha=alpha)
