"""Metrics of a results table, with confidence intervals that the seeds support.

For each (estimator configuration, task configuration, n), over the seeds
whose status is ``ok``:

* ``mean``, ``bias`` (mean − truth), ``std`` (sample sd, ddof = 1),
  ``rmse`` (√mean((est − truth)²)), ``mre`` (mean |est − truth| / truth; NaN
  when the truth is 0), ``median_time_s``, ``median_mem_mb``;
* ``seeds`` (ok cells) and ``failures`` (cells whose status is not ``ok``);
* ``group_size``: the largest number of seeds trained together in one batch
  (1: each cell alone); above 1, time is each seed's share of the batch's time
  and memory is the whole batch's;
* ``ceiling`` and ``ceiling_note``: the most the estimator can report
  whatever the truth, where its results say so (the ``ceiling`` field of
  :class:`~mibench.EstimateResult`; the median over seeds), else NaN and "";
* for every metric, ``<metric>_lo`` and ``<metric>_hi``: a two-sided interval
  at level ``level`` (95 %), or NaN where the seeds cannot support one, with
  the reason in ``ci_note``.

Which interval, and when (the rule)
-----------------------------------
* ``mean`` and ``bias``: Student-t interval, mean ± t(k−1)·sd/√k, which is
  valid for few seeds when the estimates are roughly normal (a percentile
  bootstrap over 2–5 seeds is far too narrow: it cannot reach beyond the
  observed values). Given from ``MIN_SEEDS_T`` = 3 ok seeds.
* ``std``: the chi-square interval for a normal sd,
  [s·√((k−1)/χ²(1−α/2)), s·√((k−1)/χ²(α/2))], also from 3 seeds.
* ``rmse``, ``mre``, ``median_time_s``, ``median_mem_mb``: BCa bootstrap
  (``scipy.stats.bootstrap``, seeded), which has no small-sample theory to
  lean on, so only from ``MIN_SEEDS_BOOTSTRAP`` = 10 ok seeds.

``truth_se`` (the standard error of a task's Monte Carlo truth, where a task
has one) is not folded into the intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from ..store.schema import ResultFields, Status, conform

GROUP = ["estimator", "task", "n"]
#: Fewest ok seeds for the t-interval of mean and bias and the chi-square interval of sd.
MIN_SEEDS_T = 3
#: Fewest ok seeds for the bootstrap intervals of RMSE, MRE, time and memory.
MIN_SEEDS_BOOTSTRAP = 10

METRICS = ["mean", "bias", "std", "rmse", "mre", "median_time_s", "median_mem_mb"]


def t_interval(e: np.ndarray, level: float) -> tuple[float, float]:
    """Student-t interval of the mean of ``e`` (degenerate when all values agree)."""
    m = float(e.mean())
    sem = float(e.std(ddof=1) / np.sqrt(e.size))
    if sem == 0:
        return m, m
    lo, hi = stats.t.interval(level, e.size - 1, loc=m, scale=sem)
    return float(lo), float(hi)


def sd_interval(e: np.ndarray, level: float) -> tuple[float, float]:
    """Chi-square interval of the standard deviation of normal data."""
    k = e.size
    s2 = float(e.var(ddof=1))
    a = (1 - level) / 2
    return (float(np.sqrt((k - 1) * s2 / stats.chi2.ppf(1 - a, k - 1))),
            float(np.sqrt((k - 1) * s2 / stats.chi2.ppf(a, k - 1))))


def bca_interval(e: np.ndarray, statistic: Callable[..., np.ndarray], level: float,
                 seed: int, n_boot: int) -> tuple[float, float]:
    """BCa bootstrap interval of ``statistic(sample, axis=-1)`` over the seeds
    (degenerate when all values agree)."""
    if np.ptp(e) == 0:
        v = float(statistic(e, axis=-1))
        return v, v
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BCa warns on degenerate resamples; NaN follows
        res = stats.bootstrap((e,), statistic, confidence_level=level, n_resamples=n_boot,
                              method="BCa", vectorized=True, axis=-1,
                              rng=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def _rms(s: np.ndarray, axis: int) -> np.ndarray:
    return np.sqrt((s**2).mean(axis=axis))


def separate_versions(table: pd.DataFrame) -> pd.DataFrame:
    """Give rows of one label made by different code different labels.

    An estimator (or task) label is shared by every version of its code; rows
    from two versions must never be averaged together. Where a label has rows
    with more than one code fingerprint (``estimator_version``,
    ``task_version``) or parameter set, each version's label gets
    ``@<fingerprint>`` ("@unversioned" for rows older than fingerprints).
    """
    out = table.copy()
    for label_col, ver_col, par_col in (("estimator", "estimator_version", "estimator_params"),
                                        ("task", "task_version", "task_params")):
        if label_col not in out:
            continue
        ver = (out[ver_col].fillna("") if ver_col in out
               else pd.Series("", index=out.index)).astype(str)
        par = (out[par_col].fillna("") if par_col in out
               else pd.Series("", index=out.index)).astype(str)
        ident = ver + "|" + par
        mixed = ident.groupby(out[label_col]).transform("nunique") > 1
        if mixed.any():
            tag = ver.where(ver != "", "unversioned").str[:12]
            out.loc[mixed, label_col] = out.loc[mixed, label_col] + "@" + tag[mixed]
    return out


def metrics(table: pd.DataFrame, n_boot: int = 2000, level: float = 0.95,
            seed: int = 0) -> pd.DataFrame:
    """One row per (estimator, task, n) with every metric and its interval; rows
    from different code versions are kept apart (:func:`separate_versions`)."""
    if table.empty:
        return pd.DataFrame()
    table = separate_versions(conform(table))
    rows = []
    for (est, task, n), g in table.groupby(GROUP, sort=False):
        ok = g[g["status"] == Status.OK]
        e = ok["estimate"].to_numpy(dtype=float)
        t = ok["wall_time_s"].to_numpy(dtype=float)
        mem = ok["peak_mem_mb"].to_numpy(dtype=float)
        mi = float(g["true_mi"].iloc[0])
        first = g.iloc[0]
        k = len(e)
        row: dict[str, object] = {
            "estimator": est, "task": task, "n": int(n),
            "estimator_name": first["estimator_name"], "task_name": first["task_name"],
            "family": first["family"], "task_params": first["task_params"],
            "dim_x": int(first["dim_x"]), "dim_y": int(first["dim_y"]), "true_mi": mi,
            "truth_se": float(first["true_mi_se"]), "task_label": str(first["task_label"]),
            "seeds": k, "failures": int(len(g) - k),
        }
        point = {
            "mean": e.mean() if k else np.nan,
            "bias": e.mean() - mi if k else np.nan,
            "std": e.std(ddof=1) if k > 1 else np.nan,
            "rmse": np.sqrt(np.mean((e - mi) ** 2)) if k else np.nan,
            "mre": np.mean(np.abs(e - mi)) / abs(mi) if k and mi != 0 else np.nan,
            "median_time_s": np.median(t) if k else np.nan,
            "median_mem_mb": np.nanmedian(mem) if np.isfinite(mem).any() else np.nan,
        }
        ci: dict[str, tuple[float, float]] = {}
        if k >= MIN_SEEDS_T:
            lo, hi = t_interval(e, level)
            ci["mean"], ci["bias"] = (lo, hi), (lo - mi, hi - mi)
            ci["std"] = sd_interval(e, level)
        if k >= MIN_SEEDS_BOOTSTRAP:
            # bootstrap the errors, so the statistics need no truth of their own
            err = e - mi
            ci["rmse"] = bca_interval(err, _rms, level, seed, n_boot)
            if mi != 0:
                ci["mre"] = bca_interval(np.abs(err) / abs(mi), np.mean, level, seed, n_boot)
            ci["median_time_s"] = bca_interval(t, np.median, level, seed, n_boot)
            if np.isfinite(mem).all():
                ci["median_mem_mb"] = bca_interval(mem, np.median, level, seed, n_boot)
        for name in METRICS:
            row[name] = float(point[name])
            row[f"{name}_lo"], row[f"{name}_hi"] = ci.get(name, (np.nan, np.nan))
        row["ci_note"] = ci_note(k)
        # seeds trained together share one timing: each figure is a share of a batch
        row["group_size"] = int(ok["group_size"].max()) if k else 1
        ceilings = [c for c in (ResultFields.of(i).ceiling for i in ok["info"]) if c]
        row["ceiling"] = float(np.median([c.value for c in ceilings])) if ceilings else np.nan
        row["ceiling_note"] = ceilings[0].note if ceilings else ""
        rows.append(row)
    return pd.DataFrame(rows)


def ci_note(k: int) -> str:
    """Why some or all intervals are missing at ``k`` ok seeds ('' when none is)."""
    if k < MIN_SEEDS_T:
        return (f"no intervals: {k} ok seed{'s' if k != 1 else ''} "
                f"(mean, bias and sd need at least {MIN_SEEDS_T})")
    if k < MIN_SEEDS_BOOTSTRAP:
        return (f"RMSE, MRE, time and memory intervals need at least {MIN_SEEDS_BOOTSTRAP} "
                f"ok seeds ({k} here)")
    return ""
