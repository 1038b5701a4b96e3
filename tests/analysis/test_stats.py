"""Ranks across tasks, paired marking within a row, coverage — against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mibench.analysis.coverage import ALL, coverage
from mibench.analysis.paired import paired_marks
from mibench.analysis.ranks import nemenyi_cd, rank_summary

NAN = float("nan")


def _metrics(means: dict[str, list[float]], truth: float = 1.0) -> pd.DataFrame:
    rows = []
    for est, values in means.items():
        for i, v in enumerate(values):
            rows.append({"estimator": est, "task": f"t{i + 1}", "n": 100, "true_mi": truth,
                         "mean": v})
    return pd.DataFrame(rows)


def test_ranks_by_hand_and_failed_cells_rank_last() -> None:
    # errors |mean - 1|:   t1          t2          t3            t4
    m = _metrics({"A": [1.1, 1.0, 1.5, 0.9],      # .1 (1)     0 (1)     .5 (3)      .1 (1)
                  "B": [1.3, 0.9, 1.2, NAN],      # .3 (3)    .1 (2)     .2 (1.5)  fail (2.5)
                  "C": [0.8, NAN, 0.8, NAN]})     # .2 (2)  fail (3)     .2 (1.5)  fail (2.5)
    s = rank_summary(m)
    assert s.ranks.loc[("t2", 100), "C"] == 3 and s.ranks.loc[("t4", 100), "B"] == 2.5
    assert s.mean_rank.to_dict() == {"A": 1.5, "B": 2.25, "C": 2.25}
    assert s.failed.to_dict() == {"A": 0, "B": 1, "C": 2}
    assert s.wins.loc["A", "B"] == "3/0/1" and s.wins.loc["B", "C"] == "1/2/1"
    # Friedman with the tie correction: rank sums 6, 9, 9 give 1.5, over 1 - 12/96
    assert s.friedman[0] == pytest.approx(1.5 / (1 - 12 / 96))
    assert s.blocks == 4 and s.pvalues.loc["A", "B"] == s.pvalues.loc["B", "A"]
    # bmi's score: a non-positive mean has no log ratio and ranks last as well
    lr = rank_summary(_metrics({"A": [1.1, -0.2], "B": [1.5, 0.5]}), "abs_log_ratio")
    assert lr.ranks.loc[("t2", 100)].to_dict() == {"A": 2.0, "B": 1.0}


def test_nemenyi_critical_difference_matches_demsar_table() -> None:
    # Demšar (2006), Table 5: q_0.05 = 2.343 for k = 3; CD = q sqrt(k(k+1)/6N)
    assert nemenyi_cd(3, 10) == pytest.approx(2.3437 * math.sqrt(3 * 4 / 60), abs=1e-3)
    assert nemenyi_cd(5, 40) == pytest.approx(2.728 * math.sqrt(5 * 6 / 240), abs=1e-3)


def _table(errors: dict[str, list[float]], truth: float = 1.0) -> pd.DataFrame:
    rows = []
    for est, errs in errors.items():
        for seed, e in enumerate(errs):
            rows.append({"estimator": est, "task": "t", "n": 500, "seed": seed,
                         "true_mi": truth, "estimate": truth + e,
                         "status": "ok" if math.isfinite(e) else "failed"})
    return pd.DataFrame(rows)


def _mean_ci(errs: list[float]) -> tuple[float, float]:
    from scipy import stats

    a = np.asarray(errs)
    return stats.t.interval(0.95, len(a) - 1, loc=a.mean(), scale=a.std(ddof=1) / np.sqrt(len(a)))


def test_overlapping_and_not_significant_marks_both() -> None:
    a = [0.10, -0.12, 0.08, -0.11, 0.09]
    b = [0.12, -0.09, 0.10, -0.13, 0.07]
    (lo_a, hi_a), (lo_b, hi_b) = _mean_ci(a), _mean_ci(b)
    assert lo_a < hi_b and lo_b < hi_a  # the intervals overlap
    (row,) = paired_marks(_table({"A": a, "B": b})).values()
    assert row.marked == {"A", "B"} and row.note == ""


def test_overlapping_but_significant_when_paired_marks_one() -> None:
    # the seeds share a large error (the same data), B adds a small one of its own
    rng = np.random.default_rng(0)
    common = rng.uniform(0.2, 0.8, 8)
    a = list(common)
    b = list(common + 0.05 + 0.005 * rng.standard_normal(8))
    (lo_a, hi_a), (lo_b, hi_b) = _mean_ci(a), _mean_ci(b)
    assert lo_a < hi_b and lo_b < hi_a  # unpaired, the intervals overlap
    (row,) = paired_marks(_table({"A": a, "B": b})).values()
    assert row.best == "A" and row.marked == {"A"}


def test_too_few_paired_seeds_marks_nothing_and_says_why() -> None:
    (row,) = paired_marks(_table({"A": [0.1, 0.2], "B": [0.3, 0.4]})).values()
    assert row.marked == set() and "fewer than 3 paired seeds" in row.note
    # failed seeds do not pair: A has 4 ok, B only 2 of them
    (row,) = paired_marks(_table({"A": [0.1, 0.2, 0.1, 0.2],
                                  "B": [0.3, NAN, NAN, 0.4]})).values()
    assert row.marked == set() and "B" in row.note


def test_coverage_by_family_and_overall() -> None:
    m = pd.DataFrame([
        # calibrated: covers 3 of 4
        *({"estimator": "cal", "family": f, "true_mi": 1.0, "mean_lo": lo, "mean_hi": hi}
          for f, lo, hi in (("f1", 0.9, 1.1), ("f1", 0.8, 1.2), ("f2", 0.95, 1.05),
                            ("f2", 1.01, 1.2))),
        # biased with tight seeds: covers none
        *({"estimator": "tight", "family": f, "true_mi": 1.0, "mean_lo": 1.2, "mean_hi": 1.21}
          for f in ("f1", "f1", "f2", "f2")),
        # too few seeds for an interval: not counted as covered, counted apart
        {"estimator": "few", "family": "f1", "true_mi": 1.0, "mean_lo": NAN, "mean_hi": NAN},
    ])
    c = coverage(m).set_index(["estimator", "family"])
    assert c.loc[("cal", ALL), "coverage"] == 0.75 and c.loc[("cal", "f2"), "coverage"] == 0.5
    assert c.loc[("tight", ALL), "coverage"] == 0.0
    assert c.loc[("few", ALL), "with_interval"] == 0 and np.isnan(c.loc[("few", ALL), "coverage"])
