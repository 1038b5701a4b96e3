"""KDE: exact agreement with scipy's gaussian_kde and a brute-force leave-one-out."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import mibench

TRUTH_09 = -0.5 * np.log(1 - 0.81)


def _pair(n: int, rho: float, seed: int, dim: int = 1):
    return mibench.get_task("gaussian", dim=dim, rho=rho).sample(n, np.random.default_rng(seed))


def scipy_resubstitution(x: np.ndarray, y: np.ndarray, bw: str | float) -> float:
    xy = np.hstack([x, y])
    f = [stats.gaussian_kde(z.T, bw_method=bw).logpdf(z.T) for z in (xy, x, y)]
    return float(np.mean(f[0] - f[1] - f[2]))


def brute_loo(x: np.ndarray, y: np.ndarray) -> float:
    """Leave-one-out log densities written out with full N×N matrices (Scott's rule)."""
    def logf(z: np.ndarray) -> np.ndarray:
        n, d = z.shape
        h = n ** (-1.0 / (d + 4))
        cov = np.atleast_2d(np.cov(z.T)) * h * h
        inv = np.linalg.inv(cov)
        diff = z[:, None, :] - z[None, :, :]
        q = np.einsum("ijk,kl,ijl->ij", diff, inv, diff)
        k = np.exp(-0.5 * q) / np.sqrt(np.linalg.det(2 * np.pi * cov))
        np.fill_diagonal(k, 0.0)
        return np.log(k.sum(axis=1) / (n - 1))

    return float(np.mean(logf(np.hstack([x, y])) - logf(x) - logf(y)))


@pytest.mark.parametrize("bw", ["scott", "silverman", 0.3])
@pytest.mark.parametrize("dim", [1, 2])
def test_resubstitution_equals_scipy(bw: str | float, dim: int) -> None:
    x, y = _pair(400, 0.8, dim, dim)
    ours = mibench.get_estimator("kde", bandwidth=bw, leave_one_out=False).estimate(x, y)
    assert ours == pytest.approx(scipy_resubstitution(x, y, bw), abs=1e-10)


def test_leave_one_out_equals_brute_force() -> None:
    x, y = _pair(300, 0.6, 4, 2)
    assert mibench.get_estimator("kde").estimate(x, y) == pytest.approx(brute_loo(x, y),
                                                                         abs=1e-10)


def test_blocks_and_threads_do_not_change_the_value() -> None:
    from mibench.run.measure import limit_threads

    x, y = _pair(1500, 0.7, 5)
    ref = mibench.get_estimator("kde", block=2048).estimate(x, y)
    with limit_threads(1):
        one = mibench.get_estimator("kde", block=64).estimate(x, y)
    with limit_threads(2):
        two = mibench.get_estimator("kde", block=100).estimate(x, y)
    assert one == pytest.approx(ref, abs=1e-12) and two == pytest.approx(ref, abs=1e-12)


def test_accuracy_1d_gaussian() -> None:
    # Scott-rule KDE at N = 10 000 on a 1-D Gaussian pair: bias about -0.004 nats,
    # sd about 0.009 nats over seeds (20 seeds, this machine); 0.05 is > 5 sd.
    x, y = _pair(10_000, 0.9, 0)
    assert abs(mibench.get_estimator("kde").estimate(x, y) - TRUTH_09) < 0.05


def test_outlier_underflow_is_handled() -> None:
    x, y = _pair(500, 0.5, 6)
    x[0, 0] = 1e4  # its kernel sum underflows to zero in plain float64
    v = mibench.get_estimator("kde").estimate(x, y)
    assert np.isfinite(v)


def test_ties_and_integer_data_finite() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, 1000)
    y = x + rng.integers(0, 3, 1000)
    assert np.isfinite(mibench.get_estimator("kde").estimate(x, y))


def test_bad_params() -> None:
    for bad in ({"bandwidth": "wide"}, {"bandwidth": -1.0}, {"block": 2}):
        with pytest.raises(mibench.ParameterError):
            mibench.get_estimator("kde", **bad)
