"""club and doe: the density-model estimators trained by the shared neural trainer."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mibench

pytest.importorskip("torch")


def test_club_sits_above_the_truth_near_its_closed_form() -> None:
    # With the true conditional, CLUB of a Gaussian pair is rho²/(1 − rho²) = 1.78 at
    # rho = 0.8, where I = 0.51; a learned q(y|x) lands between the two, near the former.
    task = mibench.get_task("gaussian", dim=1, rho=0.8)
    x, y = task.sample(2000, np.random.default_rng(1))
    res = mibench.get_estimator("club", steps=800, eval_every=50).estimate_with_info(x, y)
    assert task.mi + 0.5 < res.value < 0.64 / 0.36 + 0.2
    assert math.isnan(res.info["ceiling"])  # no log N ceiling


def test_doe_is_not_capped_by_log_n() -> None:
    # McAllester & Stratos: a distribution-free lower bound cannot exceed about log N;
    # the difference of entropies can. Truth 9.32 nats, log N = 7.6.
    task = mibench.get_task("gaussian", dim=3, rho=0.999)
    x, y = task.sample(2000, np.random.default_rng(2))
    value = mibench.get_estimator("doe", steps=1500, eval_every=50).estimate(x, y)
    assert value > math.log(2000) + 0.5
    assert abs(value - task.mi) < 0.1 * task.mi


def test_density_estimators_refuse_critics_they_cannot_train() -> None:
    with pytest.raises(mibench.ParameterError, match="gaussian"):
        mibench.get_estimator("club", critic="concat")
    with pytest.raises(mibench.ParameterError, match="concat"):
        mibench.get_estimator("mine", critic="gaussian")
