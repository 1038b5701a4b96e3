"""True MI of every task family against an independent check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import mibench
from mibench.plan import RunSpec
from mibench.plan.suites import all_suites
from mibench_tasks.nonlinear import FUNCTIONS
from mibench_tasks.transformed import TRANSFORMS


def mc_check(logratio: np.ndarray, truth: float, k: float = 4.0) -> None:
    """Monte Carlo mean of log p(x,y)/(p(x)p(y)) within k standard errors of the truth."""
    se = logratio.std(ddof=1) / math.sqrt(logratio.size)
    assert abs(logratio.mean() - truth) < k * se, (logratio.mean(), truth, se)


@pytest.mark.parametrize("sel", ["gaussian-dense[dim_x=2,dim_y=3,c=0.3,inner=0.2]",
                                 "gaussian-sparse[dim_x=4,dim_y=3,nonzero=3,c=0.5]",
                                 "gaussian-pairs[dim_x=3,dim_y=4,k=2,rho=0.7]"])
def test_block_gaussians_by_monte_carlo(sel: str) -> None:
    t = mibench.get_task(sel)
    x, y = t.sample(100_000, np.random.default_rng(0))
    xy = np.hstack([x, y])
    cov = t._chol @ t._chol.T  # the model's Σ
    lr = (stats.multivariate_normal(cov=cov).logpdf(xy)
          - stats.multivariate_normal(cov=cov[: t.dim_x, : t.dim_x]).logpdf(x)
          - stats.multivariate_normal(cov=cov[t.dim_x :, t.dim_x :]).logpdf(y))
    mc_check(lr, t.mi)


def test_block_gaussian_closed_forms() -> None:
    assert mibench.get_task("gaussian-pairs[dim_x=4,dim_y=6,k=3,rho=0.6]").mi == \
        pytest.approx(-1.5 * math.log(1 - 0.36))
    assert mibench.get_task("gaussian-dense[dim_x=1,dim_y=1,c=0.5]").mi == \
        pytest.approx(-0.5 * math.log(0.75))


def test_block_gaussian_not_positive_definite() -> None:
    with pytest.raises(mibench.ParameterError, match="not positive definite"):
        mibench.get_task("gaussian-dense[dim_x=3,dim_y=3,c=0.6]")
    with pytest.raises(mibench.ParameterError, match=r"in \(-1, 1\)"):
        mibench.get_task("gaussian-pairs[rho=1]")


@pytest.mark.parametrize(("dim", "rho", "dof"), [(1, 0.0, 1.0), (2, 0.5, 3.0), (3, 0.8, 10.0)])
def test_student_t_by_monte_carlo(dim: int, rho: float, dof: float) -> None:
    t = mibench.get_task("student-t", dim=dim, rho=rho, dof=dof)
    x, y = t.sample(100_000, np.random.default_rng(1))
    shape = np.eye(2 * dim)
    shape[:dim, dim:] = shape[dim:, :dim] = rho * np.eye(dim)
    lr = (stats.multivariate_t(shape=shape, df=dof).logpdf(np.hstack([x, y]))
          - stats.multivariate_t(shape=np.eye(dim), df=dof).logpdf(x)
          - stats.multivariate_t(shape=np.eye(dim), df=dof).logpdf(y))
    mc_check(lr, t.mi)
    assert t.mi > t.gaussian_part  # the shared scale adds dependence


@pytest.mark.parametrize("transform", [t for t in TRANSFORMS if t != "swissroll"])
def test_transformed_keeps_mi_and_maps_base_samples(transform: str) -> None:
    base = "gaussian[dim=3,rho=0.6]"
    t = mibench.get_task("transformed", base=base, transform=transform)
    b = mibench.get_task(base)
    assert t.mi == b.mi and t.dim_x == 3
    x, y = t.sample(500, np.random.default_rng(2))
    bx, by = b.sample(500, np.random.default_rng(2))
    np.testing.assert_array_equal(x, t.apply(bx, "x"))
    np.testing.assert_array_equal(y, t.apply(by, "y"))
    if transform in ("spiral", "plane-spiral"):
        np.testing.assert_allclose(np.linalg.norm(x, axis=1), np.linalg.norm(bx, axis=1))
    else:  # strictly increasing coordinatewise: ranks are kept
        np.testing.assert_array_equal(np.argsort(x[:, 0]), np.argsort(bx[:, 0]))


def test_transformed_selector_and_errors() -> None:
    t = mibench.get_task("transformed[base=gaussian[dim=5,rho=0.6],transform=spiral]")
    assert t.dim_x == 5 and t.mi == pytest.approx(-2.5 * math.log(1 - 0.36))
    assert t.family == "transformed:spiral"
    with pytest.raises(mibench.ParameterError, match="spiral needs dimension >= 2"):
        mibench.get_task("transformed[base=gaussian[dim=1,rho=0.6],transform=spiral]")
    with pytest.raises(mibench.ParameterError, match="transform must be one of"):
        mibench.get_task("transformed", transform="square")
    with pytest.raises(mibench.ParameterError, match="bad base task"):
        mibench.get_task("transformed[base=gaussian[rho=3]]")


@pytest.mark.parametrize("f", list(FUNCTIONS))
@pytest.mark.parametrize("sigma", [0.1, 0.5])
def test_nonlinear_truth_by_monte_carlo(f: str, sigma: float) -> None:
    """E[log p(y|x) − log p(y)] by Monte Carlo, p(y) by a midpoint rule over x (a
    method independent of the task's Gauss–Legendre quadrature)."""
    t = mibench.get_task("nonlinear", f=f, sigma=sigma)
    x, y = t.sample(20_000, np.random.default_rng(3))
    grid = -1 + (np.arange(4000) + 0.5) / 2000  # midpoints of 4000 cells on [-1, 1]
    fg = FUNCTIONS[f](grid)
    log_py = np.empty(y.shape[0])
    for s in range(0, y.shape[0], 2000):
        d = (y[s:s + 2000] - fg[None, :]) / sigma
        log_py[s:s + 2000] = np.log(np.exp(-0.5 * d * d).mean(axis=1)) - math.log(
            sigma * math.sqrt(2 * math.pi))
    log_pyx = stats.norm.logpdf(y[:, 0], loc=FUNCTIONS[f](x[:, 0]), scale=sigma)
    lr = log_pyx - log_py
    assert abs(lr.mean() - t.mi) < 0.01, (lr.mean(), t.mi)
    assert t.mi_error < 1e-6


def test_nonlinear_depends_on_f_not_only_sigma() -> None:
    mis = {f: mibench.get_task("nonlinear", f=f, sigma=0.5).mi for f in FUNCTIONS}
    assert len({round(v, 3) for v in mis.values()}) == 4
    assert mibench.get_task("nonlinear", dim=3, f="sin").mi == pytest.approx(
        3 * mibench.get_task("nonlinear", f="sin").mi)


@pytest.mark.parametrize("eps", [0.1, 0.5, 0.75, 2.0])
def test_additive_uniform_by_monte_carlo(eps: float) -> None:
    t = mibench.get_task("additive-uniform", eps=eps)
    _, y = t.sample(100_000, np.random.default_rng(4))
    y = y[:, 0]
    # exact density of Y = X + U(-eps, eps): P(X in [y-eps, y+eps] ∩ [0,1]) / (2 eps)
    py = (np.clip(y + eps, 0, 1) - np.clip(y - eps, 0, 1)) / (2 * eps)
    lr = -np.log(2 * eps) - np.log(py)
    mc_check(lr, t.mi)


@pytest.mark.parametrize("m", [2, 4, 7])
def test_mixed_by_monte_carlo(m: int) -> None:
    t = mibench.get_task("mixed", m=m)
    x, y = t.sample(100_000, np.random.default_rng(5))
    y = y[:, 0]
    # p(y) = (1/m) Σ_k 1[k <= y < k+2] / 2
    count = np.minimum(np.floor(y), m - 1) - np.maximum(np.floor(y) - 1, 0) + 1
    lr = np.log(0.5) - np.log(count / (2 * m))
    mc_check(lr, t.mi)
    assert len(np.unique(x)) == m  # ties by construction


def test_staircase_target_mi() -> None:
    for mi in (2, 4, 6, 8, 10):
        assert mibench.get_task("gaussian", dim=20, target_mi=mi).mi == pytest.approx(mi)


@pytest.mark.parametrize("suite", [s.name for s in all_suites()])
def test_suites_expand(suite: str) -> None:
    s = mibench.get_suite(suite)
    cells = RunSpec(estimators=[], tasks=[], n=[], suite=suite).cells()
    assert len(cells) == s.n_task_cells() * len(s.estimators)


def test_mine_paper_and_staircase_contents() -> None:
    cells = RunSpec(estimators=["gaussian"], tasks=[], n=[], suite="mine-paper").cells()
    rhos = sorted({c.task for c in cells})
    assert len(rhos) == 26 and {c.dim_x for c in cells} == {2, 20}
    stairs = RunSpec(estimators=["gaussian"], tasks=[], n=[], suite="staircase").cells()
    assert sorted({round(c.true_mi, 9) for c in stairs}) == [2, 4, 6, 8, 10]


def test_list_shows_every_family_and_suite() -> None:
    from tests.helpers import run_cli

    out = run_cli(["list"]).stdout
    for name in mibench.list_tasks():
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name + " "))
        assert len(line.split(None, 1)[1]) > 10  # a one-line description
    for s in all_suites():
        assert s.name in out
    assert "cells per estimator" in out and "on one core" in out


def test_swissroll_embeds_a_unit_interval_into_the_plane() -> None:
    base = "transformed[base=gaussian[dim=1,rho=0.75],transform=normal-cdf]"
    t = mibench.get_task("transformed", base=base, transform="swissroll", apply_to="x")
    assert (t.dim_x, t.dim_y) == (2, 1) and t.mi == mibench.get_task(base).mi
    x, _ = t.sample(1000, np.random.default_rng(0))
    radius = np.linalg.norm(x, axis=1) * 21 / (1.5 * np.pi)  # = 1 + 2u, u in (0, 1)
    assert radius.min() > 1 and radius.max() < 3
    with pytest.raises(mibench.ParameterError, match="one-dimensional"):
        mibench.get_task("transformed", base="gaussian[dim=2]", transform="swissroll")
    with pytest.raises(mibench.ParameterError, match="dim_y >= 3"):
        mibench.get_task("transformed", base="gaussian[dim=2]", transform="plane-spiral")
