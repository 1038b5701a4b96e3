"""Gaussian plug-in estimator: exact small-sample bias and what it is not."""

from __future__ import annotations

import numpy as np
import pytest

import mibench
from mibench_estimators.gaussian import gaussian_plugin_bias


def test_exact_bias_matches_monte_carlo_and_first_order_does_not() -> None:
    # n = 20, 3 + 3 dimensions, rho = 0.5 (truth 0.432). Over 4000 draws the
    # plug-in's mean bias is 0.296 with standard error 0.004 (this machine);
    # the exact formula gives 0.292, the first-order dx·dy/(2n) only 0.225.
    task = mibench.get_task("gaussian", dim=3, rho=0.5)
    rng = np.random.default_rng(0)
    est = mibench.get_estimator("gaussian")
    vals = np.array([est.estimate(*task.sample(20, rng)) for _ in range(4000)])
    se = vals.std(ddof=1) / np.sqrt(vals.size)
    bias = vals.mean() - task.mi
    assert abs(bias - gaussian_plugin_bias(20, 3, 3)) < 3 * se
    assert abs(bias - 9 / 40) > 10 * se


def test_bias_correction_subtracts_the_exact_term() -> None:
    x, y = mibench.get_task("gaussian", dim=2, rho=0.3).sample(50, np.random.default_rng(1))
    plain = mibench.get_estimator("gaussian").estimate(x, y)
    corrected = mibench.get_estimator("gaussian", bias_correction=True).estimate(x, y)
    assert plain - corrected == pytest.approx(gaussian_plugin_bias(50, 2, 2), abs=1e-12)
    # the leading term of the expansion is dx·dy / (2n)
    assert gaussian_plugin_bias(10**6, 2, 3) == pytest.approx(6 / (2 * 10**6), rel=1e-4)


def test_not_a_lower_bound_on_a_mixture() -> None:
    # X = ±1 (fair sign) plus small noise, Y = same sign plus small noise:
    # the true MI is at most log 2 = 0.693, but the covariance is that of a
    # strongly correlated pair, so the Gaussian estimate is far above it.
    rng = np.random.default_rng(2)
    s = rng.choice([-1.0, 1.0], 5000)
    x = s + 0.07 * rng.standard_normal(5000)
    y = s + 0.07 * rng.standard_normal(5000)
    assert mibench.get_estimator("gaussian").estimate(x, y) > 2.0 > np.log(2)
