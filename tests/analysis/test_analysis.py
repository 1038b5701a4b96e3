"""Metrics on a hand-made results table, and power-law fits on synthetic timings."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mibench.analysis import metrics
from mibench.analysis.scaling import fit_power_law, scaling_rows, steps_to_target
from mibench.store.schema import ResultFields


def hand_table() -> pd.DataFrame:
    """Two estimators on one task (truth 1.0) at n = 100, five seeds each."""
    rows = []
    est_a = [0.9, 1.0, 1.1, 1.2, 0.8]  # mean 1.0, bias 0, sd sqrt(0.025)
    est_b = [1.5, 1.5, 1.5, 1.5, 1.5]  # bias 0.5, sd 0
    for name, vals in (("a", est_a), ("b", est_b)):
        for seed, v in enumerate(vals):
            rows.append({"estimator": name, "estimator_name": name, "task": "t[x=1]",
                         "task_name": "t", "task_params": "{}", "n": 100, "seed": seed,
                         "dim_x": 1, "dim_y": 1, "true_mi": 1.0, "estimate": v,
                         "status": "ok", "wall_time_s": 0.1 * (seed + 1),
                         "peak_mem_mb": 10.0, "info": "{}"})
    rows.append({**rows[0], "seed": 9, "estimate": float("nan"), "status": "failed"})
    return pd.DataFrame(rows)


def test_metrics_known_values() -> None:
    m = metrics(hand_table()).set_index("estimator")
    a, b = m.loc["a"], m.loc["b"]
    assert a["mean"] == pytest.approx(1.0) and a["bias"] == pytest.approx(0.0, abs=1e-12)
    assert a["std"] == pytest.approx(np.sqrt(0.025))
    assert a["rmse"] == pytest.approx(np.sqrt(np.mean(np.square([-0.1, 0, 0.1, 0.2, -0.2]))))
    assert a["mre"] == pytest.approx(0.12)
    assert a["failures"] == 1 and a["seeds"] == 5
    assert a["median_time_s"] == pytest.approx(0.3)
    assert b["bias"] == pytest.approx(0.5) and b["std"] == 0 and b["rmse"] == pytest.approx(0.5)
    # a constant sample has a degenerate interval at its value
    assert b["bias_lo"] == pytest.approx(0.5) and b["bias_hi"] == pytest.approx(0.5)
    # five seeds: the t-interval mean ± t(4, 0.975)·sd/√5 = 1 ± 2.776·0.1581/2.236
    half = 2.7764451 * np.sqrt(0.025) / np.sqrt(5)
    assert a["mean_lo"] == pytest.approx(1 - half, abs=1e-6)
    assert a["mean_hi"] == pytest.approx(1 + half, abs=1e-6)
    assert a["bias_lo"] == pytest.approx(-half, abs=1e-6)
    # chi-square interval of the sd: s·sqrt(4/chi2(0.975, 4)), s·sqrt(4/chi2(0.025, 4))
    s = np.sqrt(0.025)
    assert a["std_lo"] == pytest.approx(s * np.sqrt(4 / 11.143287), rel=1e-6)
    assert a["std_hi"] == pytest.approx(s * np.sqrt(4 / 0.4844186), rel=1e-6)
    # fewer than 10 seeds: no bootstrap interval for RMSE, and the note says so
    assert np.isnan(a["rmse_lo"]) and "at least 10" in a["ci_note"]


def test_bootstrap_interval_matches_theory_and_is_seeded() -> None:
    rng = np.random.default_rng(0)
    vals = rng.normal(2.0, 0.5, 400)
    t = hand_table().iloc[:1].copy()
    t = pd.concat([t.assign(seed=i, estimate=v) for i, v in enumerate(vals)], ignore_index=True)
    m1 = metrics(t, n_boot=4000, seed=1).iloc[0]
    m2 = metrics(t, n_boot=4000, seed=1).iloc[0]
    assert m1["rmse_lo"] == m2["rmse_lo"]  # same seed, same bootstrap interval
    # for a large normal sample the 95 % interval is close to mean ± 1.96 sd / sqrt(n)
    half = 1.96 * vals.std(ddof=1) / np.sqrt(vals.size)
    assert m1["mean_hi"] - m1["mean_lo"] == pytest.approx(2 * half, rel=0.01)
    # RMSE² = bias² + sd²·(k−1)/k; its BCa interval covers the population value
    rmse_pop = np.sqrt(1.0 + 0.25)
    assert m1["rmse_lo"] < rmse_pop < m1["rmse_hi"] and m1["ci_note"] == ""


def test_two_seeds_give_no_interval_and_say_why() -> None:
    t = hand_table()
    two = t[(t["estimator"] == "a") & (t["seed"] < 2)]
    m = metrics(two).iloc[0]
    assert m["seeds"] == 2 and np.isfinite(m["mean"])
    for name in ("mean", "bias", "std", "rmse", "median_time_s"):
        assert np.isnan(m[f"{name}_lo"]) and np.isnan(m[f"{name}_hi"])
    assert m["ci_note"].startswith("no intervals: 2 ok seeds")


def test_t_interval_covers_at_its_level_with_three_seeds() -> None:
    # With k = 3 normal seeds, a 95 % interval must cover the mean about 95 % of
    # the time; a percentile bootstrap over the 3 seeds covers it 75 % of the time
    # (1000 trials, measured here).
    rng = np.random.default_rng(3)
    t = hand_table().iloc[:1]
    hits = 0
    trials = 400
    for _ in range(trials):
        vals = rng.normal(1.0, 0.2, 3)
        tab = pd.concat([t.assign(seed=i, estimate=v) for i, v in enumerate(vals)])
        m = metrics(tab).iloc[0]
        hits += m["mean_lo"] <= 1.0 <= m["mean_hi"]
    # binomial sd at p = 0.95 over 400 trials is 0.011: 0.91 is about 4 sd below
    assert hits / trials > 0.91


@pytest.mark.parametrize("a", [1.0, 2.0])
def test_power_law_recovers_exponent(a: float) -> None:
    rng = np.random.default_rng(int(a))
    x = np.repeat(np.logspace(2, 5, 7), 3)
    y = 3e-6 * x**a * np.exp(rng.normal(0, 0.1, x.size))  # 10 % multiplicative noise
    fit = fit_power_law(x, y)
    assert fit.lo <= a <= fit.hi and fit.hi - fit.lo < 0.1
    assert fit.verdict == ("consistent with linear" if a == 1.0 else "superlinear")


def test_scattered_fit_is_inconclusive() -> None:
    # Three scattered points: the exponent's interval spans several units.
    fit = fit_power_law(np.array([100.0, 1000.0, 10000.0]), np.array([1.0, 0.05, 3.0]))
    assert fit.hi - fit.lo > 1 and fit.verdict == "inconclusive"
    # the MINE step-time fits of the scaling note (intervals of width 0.06 and 0.30)
    # keep their verdicts
    from mibench.analysis.scaling import PowerFit

    assert PowerFit(0.04, 0.01, 0.07, 1.0, 15).verdict == "sublinear (better than linear)"
    assert PowerFit(0.48, 0.33, 0.63, 1.0, 15).verdict == "sublinear (better than linear)"
    assert PowerFit(1.02, 0.93, 1.12, 1.0, 24).verdict == "consistent with linear"


def test_steps_to_target_and_scaling_rows() -> None:
    info = json.dumps({"curve_step": [100, 200, 300], "curve_heldout": [0.5, 0.95, 1.0]})
    assert steps_to_target(ResultFields.of(info), 1.0, 0.1) == 200
    assert np.isnan(steps_to_target(ResultFields.of(info), 3.0, 0.1))
    t = hand_table()
    rows = []
    for n in (100, 1000, 10_000, 100_000):
        rows.append(t.iloc[:5].assign(n=n, wall_time_s=1e-4 * n))
    res = scaling_rows(pd.concat(rows, ignore_index=True))
    assert res.iloc[0]["axis"] == "time vs n"
    assert res.iloc[0]["exponent"] == pytest.approx(1.0)
