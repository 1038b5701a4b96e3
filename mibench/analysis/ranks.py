"""Ranks across tasks: which estimator is better over many tasks, and is it more than noise?

Each (task, n) of a run is a block; within a block the estimators are ranked by the
error of their mean estimate — ``|error|`` = |mean − truth|, and bmi's score
``|log(mean / truth)|`` — 1 the best, ties sharing the average rank
(``scipy.stats.rankdata``). A cell without an estimate (every seed failed) ranks last,
tied with any other failed cell of the block: failures are counted, never dropped. A
mean at or below zero against a positive truth has no log ratio and ranks last by that
score.

Over the blocks (Demšar, JMLR 2006; Benavoli, Corani & Mangili, JMLR 2016):

* the mean rank of each estimator, and wins / ties / losses of each against each other;
* the Friedman test that all estimators rank alike (``scipy.stats.friedmanchisquare``);
* pairwise Wilcoxon signed-rank tests of the per-block differences of the scores (a
  failed cell counts as the worst score of the run, doubled) with Holm's correction
  (``scipy.stats.wilcoxon``, ``statsmodels``' ``multipletests``) — the post-hoc test
  Benavoli et al. recommend; they decide the bars of the critical-difference diagram;
* Nemenyi's critical difference CD = q_α·√(k(k + 1)/6N) (``scikit-posthocs``' studentized
  range), drawn on the diagram for reference.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

SCORES = {"abs_error": "absolute error", "abs_log_ratio": "absolute log ratio"}


def block_scores(m: pd.DataFrame, score: str = "abs_error") -> pd.DataFrame:
    """Blocks (task, n) × estimators: the score of each cell, +inf where it has none."""
    if score not in SCORES:
        raise ValueError(f"score must be one of {', '.join(SCORES)}; got {score!r}")
    mean, truth = m["mean"].to_numpy(float), m["true_mi"].to_numpy(float)
    if score == "abs_error":
        values = np.abs(mean - truth)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.abs(np.log(mean / truth))
        values[~((mean > 0) & (truth > 0))] = np.inf
    values[~np.isfinite(values)] = np.inf
    wide = m.assign(_score=values).pivot_table(index=["task", "n"], columns="estimator",
                                               values="_score", aggfunc="first", sort=False)
    return wide.reindex(columns=list(dict.fromkeys(m["estimator"]))).fillna(np.inf)


def block_ranks(scores: pd.DataFrame) -> pd.DataFrame:
    """Ranks within each block (row): 1 the best, ties the average rank."""
    return scores.apply(lambda r: pd.Series(stats.rankdata(r.to_numpy()), index=r.index),
                        axis=1)


def _wtl(a: np.ndarray, b: np.ndarray) -> str:
    wins = int(((a < b)).sum())
    losses = int(((a > b)).sum())
    return f"{wins}/{len(a) - wins - losses}/{losses}"


def _holm(pvalues: list[float]) -> list[float]:
    from statsmodels.stats.multitest import multipletests

    return list(multipletests(pvalues, method="holm")[1]) if pvalues else []


@dataclass
class RankSummary:
    """Everything the ranks table and the diagram show, for one score."""

    score: str
    ranks: pd.DataFrame  # blocks × estimators
    mean_rank: pd.Series
    failed: pd.Series  # cells without an estimate, per estimator
    wins: pd.DataFrame  # "w/t/l" of the row estimator against the column one
    friedman: tuple[float, float] = (math.nan, math.nan)  # statistic, p-value
    pvalues: pd.DataFrame = field(default_factory=pd.DataFrame)  # Wilcoxon–Holm
    nemenyi_cd: float = math.nan
    alpha: float = 0.05

    @property
    def blocks(self) -> int:
        return len(self.ranks)


def rank_summary(m: pd.DataFrame, score: str = "abs_error", alpha: float = 0.05) -> RankSummary:
    """The ranks of every estimator over the blocks of the metrics ``m``, and the tests."""
    scores = block_scores(m, score)
    ranks = block_ranks(scores)
    ests = list(scores.columns)
    wins = pd.DataFrame("", index=ests, columns=ests)
    for a, b in itertools.permutations(ests, 2):
        wins.loc[a, b] = _wtl(scores[a].to_numpy(), scores[b].to_numpy())
    out = RankSummary(score, ranks, ranks.mean().sort_values(), np.isinf(scores).sum(), wins,
                      alpha=alpha)
    k, n = len(ests), len(scores)
    if k >= 3 and n >= 2:
        res = stats.friedmanchisquare(*(ranks[e].to_numpy() for e in ests))
        out.friedman = (float(res.statistic), float(res.pvalue))
    if k >= 2 and n >= 2:
        # a failure is worse than any error: the largest difference, of the right sign
        finite = scores.to_numpy()[np.isfinite(scores.to_numpy())]
        worst = 2 * float(finite.max(initial=0.0)) + 1.0
        capped = scores.where(np.isfinite(scores), worst)
        pairs = list(itertools.combinations(ests, 2))
        raw = []
        for a, b in pairs:
            d = capped[a].to_numpy() - capped[b].to_numpy()
            raw.append(1.0 if not np.any(d) else float(stats.wilcoxon(d).pvalue))
        p = pd.DataFrame(1.0, index=ests, columns=ests)
        for (a, b), q in zip(pairs, _holm(raw), strict=True):
            p.loc[a, b] = p.loc[b, a] = q
        out.pvalues = p
        out.nemenyi_cd = nemenyi_cd(k, n, alpha)
    return out


def nemenyi_cd(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi's critical difference of mean ranks for k estimators over n blocks."""
    q = stats.studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2)
    return float(q * math.sqrt(k * (k + 1) / (6 * n)))


def ranks_table(summaries: list[RankSummary]) -> pd.DataFrame:
    """One row per estimator: its mean rank by each score and its failed cells, best first."""
    first = summaries[0]
    table = pd.DataFrame({f"mean rank, {SCORES[s.score]}": s.mean_rank for s in summaries})
    table["failed cells"] = first.failed.astype(int)
    return table.sort_values(table.columns[0]).rename_axis("estimator")
