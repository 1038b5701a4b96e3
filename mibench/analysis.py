"""Metrics of a results table, with bootstrap confidence intervals.

For each (estimator configuration, task configuration, n), over the seeds
whose status is ``ok``:

* ``mean``, ``bias`` (mean − truth), ``std`` (sample sd, ddof = 1),
  ``rmse`` (√mean((est − truth)²)), ``mre`` (mean |est − truth| / truth; NaN
  when the truth is 0), ``median_time_s``, ``median_mem_mb``;
* ``failures``: cells whose status is not ``ok``;
* for every metric, ``<metric>_lo`` and ``<metric>_hi``: a percentile
  bootstrap interval (resampling the seeds with replacement, ``n_boot``
  resamples from a seeded generator, level ``level``). With fewer than two
  ok seeds the interval is NaN.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd

GROUP = ["estimator", "task", "n"]

_STATS: dict[str, Callable[[np.ndarray, np.ndarray, float], np.ndarray]] = {
    # each takes (estimates (B, k), times (B, k), truth) and returns (B,)
    "mean": lambda e, t, mi: e.mean(axis=-1),
    "bias": lambda e, t, mi: e.mean(axis=-1) - mi,
    "std": lambda e, t, mi: e.std(axis=-1, ddof=1) if e.shape[-1] > 1 else np.full(
        e.shape[:-1], np.nan),
    "rmse": lambda e, t, mi: np.sqrt(((e - mi) ** 2).mean(axis=-1)),
    "mre": lambda e, t, mi: np.abs(e - mi).mean(axis=-1) / mi if mi != 0 else np.full(
        e.shape[:-1], np.nan),
    "median_time_s": lambda e, t, mi: np.median(t, axis=-1),
}
METRICS = [*_STATS, "median_mem_mb"]


def task_family(row: pd.Series) -> str:
    """The task's family (transformed and nonlinear tasks carry their map)."""
    name = row["task_name"]
    params = json.loads(row["task_params"]) if isinstance(row.get("task_params"), str) else {}
    if name == "transformed":
        return f"transformed:{params.get('transform', '?')}"
    if name == "nonlinear":
        return f"nonlinear:{params.get('f', '?')}"
    return str(name)


def metrics(table: pd.DataFrame, n_boot: int = 2000, level: float = 0.95,
            seed: int = 0) -> pd.DataFrame:
    """One row per (estimator, task, n) with every metric and its bootstrap CI."""
    if table.empty:
        return pd.DataFrame()
    rng = np.random.default_rng(seed)
    alpha = (1 - level) / 2
    rows = []
    for (est, task, n), g in table.groupby(GROUP, sort=False):
        ok = g[g["status"] == "ok"]
        e = ok["estimate"].to_numpy(dtype=float)
        t = ok["wall_time_s"].to_numpy(dtype=float)
        mi = float(g["true_mi"].iloc[0])
        first = g.iloc[0]
        row: dict[str, object] = {
            "estimator": est, "task": task, "n": int(n),
            "estimator_name": first["estimator_name"], "task_name": first["task_name"],
            "family": task_family(first), "task_params": first.get("task_params", "{}"),
            "dim_x": int(first["dim_x"]),
            "dim_y": int(first["dim_y"]), "true_mi": mi, "seeds": len(ok),
            "failures": int(len(g) - len(ok)),
        }
        k = len(e)
        boot_idx = rng.integers(0, k, (n_boot, k)) if k >= 2 else None
        for name, fn in _STATS.items():
            if k == 0:
                row[name] = row[f"{name}_lo"] = row[f"{name}_hi"] = np.nan
                continue
            row[name] = float(fn(e[None, :], t[None, :], mi)[0])
            if boot_idx is None:
                row[f"{name}_lo"] = row[f"{name}_hi"] = np.nan
            else:
                b = fn(e[boot_idx], t[boot_idx], mi)
                if np.isfinite(b).any():
                    row[f"{name}_lo"], row[f"{name}_hi"] = (
                        float(v) for v in np.nanquantile(b, [alpha, 1 - alpha]))
                else:
                    row[f"{name}_lo"] = row[f"{name}_hi"] = np.nan
        mem = ok["peak_mem_mb"].to_numpy(dtype=float) if "peak_mem_mb" in ok else np.array([])
        row["median_mem_mb"] = float(np.nanmedian(mem)) if np.isfinite(mem).any() else np.nan
        if boot_idx is not None and np.isfinite(mem).all() and len(mem) == k:
            b = np.median(mem[boot_idx], axis=-1)
            row["median_mem_mb_lo"], row["median_mem_mb_hi"] = (
                float(v) for v in np.quantile(b, [alpha, 1 - alpha]))
        else:
            row["median_mem_mb_lo"] = row["median_mem_mb_hi"] = np.nan
        rows.append(row)
    return pd.DataFrame(rows)
