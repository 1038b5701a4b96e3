"""f-DIME: the three discriminative estimators, and the cap that plain permutations impose."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import mibench  # noqa: E402
from mibench_estimators.neural import bounds  # noqa: E402


def test_each_bound_is_maximised_at_the_log_density_ratio() -> None:
    # two atoms a, b: P = (3/4, 1/4), Q = (1/4, 3/4), as four equally weighted samples each;
    # over every T = (t_a, t_b) on a grid, each bound peaks at T = log(P/Q) = (log 3, -log 3)
    grid = torch.linspace(-2.0, 2.0, 401)
    ta, tb = torch.meshgrid(grid, grid, indexing="ij")
    ta, tb = ta.reshape(-1, 1), tb.reshape(-1, 1)
    joint = torch.cat([ta, ta, ta, tb], dim=1)
    marg = torch.cat([ta, tb, tb, tb], dim=1)
    for fn in (bounds.kl_dime, bounds.hd_dime, bounds.gan_dime):
        best = int(torch.argmax(fn(joint, marg)))
        assert float(ta[best]) == pytest.approx(math.log(3), abs=0.01), fn.__name__
        assert float(tb[best]) == pytest.approx(-math.log(3), abs=0.01), fn.__name__


def test_estimates_on_an_easy_gaussian() -> None:
    x, y = mibench.get_task("gaussian", rho=0.8).sample(3000, np.random.default_rng(0))
    for name in ("kl-dime", "hd-dime", "gan-dime"):
        v = mibench.get_estimator(name, steps=600, eval_every=50, hidden=(32,),
                                  lr=3e-3).estimate(x, y)
        assert abs(v - 0.5108) < 0.1, (name, v)


def test_permutation_negatives_cap_the_estimate_at_log_batch() -> None:
    # truth 8 nats; with plain permutations of batches of 32 the discriminator learns a
    # ratio of at most 32, so the estimate stays below log 32 = 3.47; derangements do not
    task = mibench.get_task("gaussian", dim=10, target_mi=8.0)
    x, y = task.sample(4000, np.random.default_rng(1))
    common = {"batch_size": 32, "steps": 2500, "eval_every": 100, "hidden": (64, 64)}
    perm = mibench.get_estimator("kl-dime", negatives="permutation", **common)
    res = perm.estimate_with_info(x, y)
    assert res.ceiling is not None and res.ceiling.value == pytest.approx(math.log(32))
    assert res.value < math.log(32)
    der = mibench.get_estimator("kl-dime", **common).estimate_with_info(x, y)
    assert der.ceiling is None and der.value > math.log(32) + 0.5
