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
    assert res.ceiling is None  # no log N ceiling


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


zuko = pytest.importorskip("zuko")


def test_flow_density_members_trained_together_equal_alone() -> None:
    # The flow model is a list of per-member flows; early stopping must keep each
    # member's own best state (member 0 stops at once with patience 1, member 1 later).
    task = mibench.get_task("gaussian", dim=2, rho=0.5)
    rng = np.random.default_rng(3)
    data = [task.sample(400, rng) for _ in range(2)]
    est = mibench.get_estimator("doe", critic="flow", transforms=1, hidden=(8,), steps=120,
                                eval_every=20, patience=2)
    many = est.estimate_many(data, [0, 7])
    alone = [est.estimate(*data[0]), est.with_params(seed=7).estimate(*data[1])]
    assert [m.value for m in many] == alone
    assert many[0].value != many[1].value


def test_flow_density_model_needs_zuko(monkeypatch: pytest.MonkeyPatch) -> None:
    from mibench.core import registry

    monkeypatch.setitem(registry._AVAIL_CACHE, "zuko", "needs 'zuko', which is not installed")
    with pytest.raises(mibench.PluginUnavailableError, match=r"mibench\[flows\]"):
        mibench.get_estimator("doe", critic="flow")
    mibench.get_estimator("doe", critic="gaussian")  # the Gaussian model needs no zuko
