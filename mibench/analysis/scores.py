"""The scores of the "Beyond Normal" benchmark (Czyż et al., NeurIPS 2023), from metrics.

* :func:`ratio_table` — its heatmap: tasks × estimators, the mean estimate,
  coloured by log(mean / truth) clipped to ±1 (a mean ≤ 0 takes −1); failures
  are counted in the cell
  (that benchmark drops them; here a cell with 3 of 10 seeds failed says so).
* :func:`samples_needed` — the smallest N of the run's grid from which on the
  estimate stays within a factor ``ratio`` (1.5) of the truth: |log(mean/truth)|
  < log 1.5 at that N and at every larger N run.

Both take :func:`mibench.analysis.metrics` output; tasks are named by their
``task_label`` where a suite gave one (the reference benchmark's task id).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

CLIP = 1.0
RATIO = 1.5


def task_ids(m: pd.DataFrame) -> pd.Series:
    """Each metrics row's task name in the scores: its suite label where it has one."""
    if "task_label" in m:
        label = m["task_label"].fillna("").astype(str)
        return label.where(label != "", m["task"])
    return m["task"]


def log_ratio(mean: float, truth: float) -> float:
    """log(mean / truth); nan where undefined (truth 0 or a non-positive mean)."""
    if not (np.isfinite(mean) and truth > 0 and mean > 0):
        return math.nan
    return math.log(mean / truth)


def ratio_table(m: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Long table (task, estimator, n, true_mi, truth_se, mean, log_ratio, colour,
    seeds, failures) at sample size ``n`` (default: the largest of each task)."""
    if m.empty:
        return pd.DataFrame()
    m = m.assign(task_id=task_ids(m))
    if n is None:
        largest = m.groupby("task_id")["n"].transform("max")
        m = m[m["n"] == largest]
    else:
        m = m[m["n"] == n]
    out = m[["task_id", "estimator", "n", "true_mi", "truth_se", "mean", "seeds",
             "failures"]].rename(columns={"task_id": "task"}).copy()
    out["log_ratio"] = [log_ratio(a, b) for a, b in zip(out["mean"], out["true_mi"],
                                                         strict=True)]
    # a mean at or below zero against a positive truth is the most under-estimated colour
    under = (out["mean"] <= 0) & (out["true_mi"] > 0)
    out["colour"] = out["log_ratio"].where(~under, -CLIP).clip(-CLIP, CLIP)
    return out.reset_index(drop=True)


def samples_needed(m: pd.DataFrame, ratio: float = RATIO) -> pd.DataFrame:
    """Wide table tasks × estimators: the smallest N after which the mean estimate
    stays within ``ratio`` of the truth on the run's grid, or ">N_max"."""
    if m.empty:
        return pd.DataFrame()
    m = m.assign(task_id=task_ids(m))
    bound = math.log(ratio)
    rows: dict[str, dict[str, str]] = {}
    for (task, est), g in m.groupby(["task_id", "estimator"], sort=False):
        g = g.sort_values("n")
        good = [abs(log_ratio(a, t)) < bound
                if np.isfinite(log_ratio(a, t)) else False
                for a, t in zip(g["mean"], g["true_mi"], strict=True)]
        ns = list(g["n"])
        answer = f">{ns[-1]}"
        for i in range(len(ns)):
            if all(good[i:]):
                answer = str(ns[i])
                break
        rows.setdefault(task, {})[est] = answer
    return pd.DataFrame.from_dict(rows, orient="index").fillna("")
