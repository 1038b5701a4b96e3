"""Self-consistency scores (Song & Ermon, ICLR 2020) from metrics, for tasks that say they
are a step of such a test (:attr:`mibench.Task.consistency`).

* A test without a reference (the *baseline*) asks for estimates that rise with the
  step: ``decreases`` counts consecutive steps where an estimator's mean fell, and
  ``significant_decreases`` those where it fell by more than twice the standard error
  of the difference of the two means (so that the noise of a flat stretch is not
  called a violation); it passes with no significant decrease.
* A ratio test divides each step's mean estimate by the mean estimate of its reference
  task (same estimator and n): data processing should give 1, additivity 2.
  ``mean_abs_dev`` is the mean of |ratio − ideal| over the steps; it passes when every
  step's ratio is within 10 % of the ideal.

The true ratio (of the truths) is kept beside each estimated one, so a reader can see
where the test's own truth departs from the ideal.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from ..core.factory import get_task

#: A ratio test passes when every step's ratio is within this fraction of the ideal.
TOLERANCE = 0.10


def _consistency(row: pd.Series) -> tuple[Any, str] | None:
    try:
        task = get_task(str(row["task_name"]), **json.loads(row["task_params"]))
    except Exception:  # a plugin no longer installed: no score, the rest stays
        return None
    info = task.consistency
    return None if info is None else (info, task.canonical())


def consistency_rows(m: pd.DataFrame) -> pd.DataFrame:
    """The metrics rows of self-consistency tasks, with ``test``, ``step``, ``ideal``,
    ``ref_mean`` and ``ratio`` (estimated) and ``true_ratio`` (of the truths)."""
    if m.empty:
        return pd.DataFrame()
    found = {}
    for _, r in m.drop_duplicates("task").iterrows():
        c = _consistency(r)
        if c is not None:
            found[r["task"]] = c
    if not found:
        return pd.DataFrame()
    canonical = {task: can for task, (_, can) in found.items()}
    by_canonical = m.assign(_can=m["task"].map(canonical)).dropna(subset=["_can"])
    ref_cache: dict[str, str] = {}
    rows = []
    for _, r in by_canonical.iterrows():
        info = found[r["task"]][0]
        out = {**r.drop(labels="_can").to_dict(), "test": info.test, "step": info.step,
               "ideal": info.ideal, "ref_mean": math.nan, "ratio": math.nan,
               "true_ratio": math.nan}
        if info.reference is not None:
            if info.reference not in ref_cache:
                ref_cache[info.reference] = get_task(info.reference).canonical()
            ref = by_canonical[(by_canonical["_can"] == ref_cache[info.reference])
                               & (by_canonical["estimator"] == r["estimator"])
                               & (by_canonical["n"] == r["n"])]
            if len(ref):
                out["ref_mean"] = float(ref["mean"].iloc[0])
                out["ratio"] = r["mean"] / out["ref_mean"]
                out["true_ratio"] = r["true_mi"] / float(ref["true_mi"].iloc[0])
        rows.append(out)
    return pd.DataFrame(rows).sort_values(["test", "estimator", "n", "step"]).reset_index(
        drop=True)


def _rise_scores(g: pd.DataFrame) -> dict[str, Any]:
    g = g.sort_values("step")
    mean = g["mean"].to_numpy(dtype=float)
    se = (g["std"] / np.sqrt(g["seeds"].clip(lower=1))).fillna(0).to_numpy(dtype=float)
    drop = mean[1:] - mean[:-1]
    noise = 2 * np.sqrt(se[1:] ** 2 + se[:-1] ** 2)
    significant = int((drop < -noise).sum())
    return {"steps": len(g), "decreases": int((drop < 0).sum()),
            "significant_decreases": significant, "mean_abs_dev": math.nan,
            "worst_ratio": math.nan, "passes": significant == 0}


def _ratio_scores(g: pd.DataFrame) -> dict[str, Any]:
    dev = (g["ratio"] - g["ideal"]).abs()
    rel = dev / g["ideal"].abs()
    worst = g["ratio"].iloc[int(np.nanargmax(rel.to_numpy()))] if rel.notna().any() else math.nan
    return {"steps": len(g), "decreases": math.nan, "significant_decreases": math.nan,
            "mean_abs_dev": float(dev.mean()), "worst_ratio": float(worst),
            "passes": bool(rel.notna().all() and (rel <= TOLERANCE).all())}


def consistency_scores(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per estimator × test × n: how the estimator fares on that test."""
    if rows.empty:
        return pd.DataFrame()
    out = []
    for (est, test, n), g in rows.groupby(["estimator", "test", "n"], sort=False):
        ratio_test = g["ideal"].notna().any()
        scores = _ratio_scores(g) if ratio_test else _rise_scores(g)
        out.append({"estimator": est, "test": test, "n": int(n), **scores})
    return pd.DataFrame(out)
