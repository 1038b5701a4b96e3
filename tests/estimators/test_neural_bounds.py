"""The variational bounds on their own, with the analytic optimal critic.

For the Gaussian task with componentwise correlation rho the log density
ratio is known in closed form, so each bound's Monte Carlo mean can be
compared with theory independently of any training.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from mibench_estimators.neural import _bounds as B  # noqa: E402
from mibench_tasks.gaussian import rho_for_mi  # noqa: E402

D, K, BATCHES = 20, 64, 600


def log_ratio(x: torch.Tensor, y: torch.Tensor, rho: float) -> torch.Tensor:
    """log p(x, y) / (p(x) p(y)) for componentwise-correlated standard Gaussians."""
    v = 1.0 - rho * rho
    return (-0.5 * math.log(v) - (y - rho * x) ** 2 / (2 * v) + y**2 / 2).sum(-1)


def optimal_scores(mi: float, seed: int) -> torch.Tensor:
    """(BATCHES, K, K) matrices T*(x_i, y_j) = log ratio for joint batches of size K."""
    rho = rho_for_mi(mi, D)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(BATCHES, K, D, generator=g, dtype=torch.float64)
    y = rho * x + math.sqrt(1 - rho * rho) * torch.randn(BATCHES, K, D, generator=g,
                                                         dtype=torch.float64)
    return log_ratio(x.unsqueeze(2), y.unsqueeze(1), rho)


@pytest.mark.parametrize("mi", [2.0, 4.0])
def test_dv_all_pairs_and_nwj_match_true_mi(mi: float) -> None:
    scores = optimal_scores(mi, seed=int(mi))
    dv = B.dv_all_pairs(scores).numpy()
    # NWJ's optimal critic is 1 + log ratio: then E_P[T] − E_Q[e^(T−1)] = I exactly.
    nwj = B.nwj_all_pairs(scores + 1.0).numpy()
    se_nwj = nwj.std(ddof=1) / math.sqrt(BATCHES)
    # NWJ is unbiased at the optimum: its batch mean is within 4 standard errors.
    assert abs(nwj.mean() - mi) < 4 * se_nwj, (nwj.mean(), se_nwj)
    # DV = E_P[log r] − log(mean of r over K(K−1) negatives). The log of a mean of
    # M = K(K−1) ratios (E_Q r = 1) is biased by about −Var_Q(r)/(2M) (delta
    # method), so DV's mean is I + Var(r)/(2M) up to Monte Carlo error.
    r = torch.exp(B.off_diagonal(scores)).numpy()
    delta_bias = r.var() / (2 * K * (K - 1))
    se_dv = dv.std(ddof=1) / math.sqrt(BATCHES)
    assert abs(dv.mean() - mi - delta_bias) < 4 * se_dv + 0.25 * delta_bias, (
        dv.mean(), delta_bias, se_dv)
    assert abs(dv.mean() - mi) < 0.1


@pytest.mark.parametrize("mi", [2.0, 4.0, 8.0])
def test_infonce_never_above_log_k(mi: float) -> None:
    scores = optimal_scores(mi, seed=10 + int(mi))
    nce = B.infonce(scores)
    assert (nce <= math.log(K) + 1e-12).all()
    assert math.log(K) == pytest.approx(4.159, abs=1e-3)
    # and below the truth while the truth is under log K
    if mi < math.log(K):
        assert nce.mean() < mi


def test_log_mean_exp_is_stable() -> None:
    t = torch.tensor([1000.0, 1000.0, -1000.0], dtype=torch.float64)
    assert B.log_mean_exp(t).item() == pytest.approx(1000.0 + math.log(2 / 3))


def test_ema_gradient_matches_formula_and_differs_from_biased() -> None:
    """Tiny critic T(x, y) = w·x·y: both gradients in closed form."""
    xj = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    yj = torch.tensor([0.4, -0.8, 1.5], dtype=torch.float64)
    xm = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    ym = torch.tensor([-0.8, 1.5, 0.4], dtype=torch.float64)
    w0 = 0.7
    ma = 1.9  # moving average of E_Q[e^T] from earlier batches

    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    B.dv_ema_surrogate(w * xj * yj, w * xm * ym,
                       torch.tensor(math.log(ma), dtype=torch.float64)).backward()
    g_ema = w.grad.item()

    w2 = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    B.dv(w2 * xj * yj, w2 * xm * ym).backward()
    g_biased = w2.grad.item()

    pj = (xj * yj).numpy()
    pm = (xm * ym).numpy()
    e = np.exp(w0 * pm)
    assert g_ema == pytest.approx(pj.mean() - (e * pm).mean() / ma, rel=1e-12)
    assert g_biased == pytest.approx(pj.mean() - (e * pm).mean() / e.mean(), rel=1e-12)
    assert abs(g_ema - g_biased) > 1e-3


def test_moving_average_update() -> None:
    t = torch.tensor([0.1, 0.3, -0.2], dtype=torch.float64)
    first = B.update_log_ma(None, t, 0.01)
    assert math.exp(first.item()) == pytest.approx(torch.exp(t).mean().item())
    nxt = B.update_log_ma(torch.tensor(math.log(2.0), dtype=torch.float64), t, 0.01)
    assert math.exp(nxt.item()) == pytest.approx(0.99 * 2.0 + 0.01 * torch.exp(t).mean().item())
