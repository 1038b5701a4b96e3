"""Variational lower bounds on mutual information, as functions of critic scores.

Every function takes critic values and returns the bound per leading index
(so a batch of S independent critics is handled at once). Inputs:

* ``t_joint`` (..., n): T at pairs drawn from the joint P_XY;
* ``t_marg`` (..., m): T at pairs drawn from the product of marginals P_X ⊗ P_Y;
* ``scores`` (..., K, K): T(x_i, y_j) for a batch of K joint pairs; the
  diagonal holds joint pairs, the K(K−1) off-diagonal entries are negatives.

Bounds (nats), for a critic T:

* Donsker–Varadhan (MINE): E_P[T] − log E_Q[e^T]
* f-divergence / NWJ (MINE-f): E_P[T] − E_Q[e^(T−1)]
* InfoNCE: E[T(x_i, y_i) − log (1/K) Σ_j e^(T(x_i, y_j))], never above log K
* SMILE: E_P[T] − log E_Q[clip(e^T, e^−τ, e^τ)] — an estimate, not a bound:
  clipping the partition term can move it above or below the DV value

Log-mean-exp is computed stably (max shift through ``torch.logsumexp``).
"""

from __future__ import annotations

import math

import torch
from torch.nn.functional import softplus


def log_mean_exp(t: torch.Tensor, dim: int | tuple[int, ...] = -1) -> torch.Tensor:
    """log(mean(exp(t))) along ``dim``, without overflow."""
    dims = (dim,) if isinstance(dim, int) else dim
    count = 1
    for d in dims:
        count *= t.shape[d]
    return torch.logsumexp(t, dim=dims) - math.log(count)


def off_diagonal(scores: torch.Tensor) -> torch.Tensor:
    """The K(K−1) off-diagonal entries of (..., K, K) scores, flattened to (..., K(K−1))."""
    k = scores.shape[-1]
    mask = ~torch.eye(k, dtype=torch.bool, device=scores.device)
    return scores[..., mask]


def dv(t_joint: torch.Tensor, t_marg: torch.Tensor) -> torch.Tensor:
    """Donsker–Varadhan bound E_P[T] − log E_Q[e^T]."""
    return t_joint.mean(-1) - log_mean_exp(t_marg, -1)


def nwj(t_joint: torch.Tensor, t_marg: torch.Tensor) -> torch.Tensor:
    """f-divergence (NWJ, MINE-f) bound E_P[T] − E_Q[e^(T−1)]."""
    return t_joint.mean(-1) - torch.exp(t_marg - 1.0).mean(-1)


def js_fgan(t_joint: torch.Tensor, t_marg: torch.Tensor) -> torch.Tensor:
    """Jensen–Shannon f-GAN objective E_P[−softplus(−T)] − E_Q[softplus(T)] (a training signal)."""
    return -softplus(-t_joint).mean(-1) - softplus(t_marg).mean(-1)


def infonce(scores: torch.Tensor) -> torch.Tensor:
    """InfoNCE bound for (..., K, K) scores: mean_i[T_ii − logsumexp_j T_ij] + log K."""
    k = scores.shape[-1]
    diag = torch.diagonal(scores, dim1=-2, dim2=-1)
    return (diag - torch.logsumexp(scores, dim=-1)).mean(-1) + math.log(k)


def smile(t_joint: torch.Tensor, t_marg: torch.Tensor, tau: float) -> torch.Tensor:
    """SMILE estimate: DV with the partition term's e^T clipped to [e^−τ, e^τ] (not a bound)."""
    return t_joint.mean(-1) - log_mean_exp(torch.clamp(t_marg, -tau, tau), -1)


def dv_all_pairs(scores: torch.Tensor) -> torch.Tensor:
    """DV with the diagonal as joint pairs and all K(K−1) off-diagonal pairs as negatives."""
    return dv(torch.diagonal(scores, dim1=-2, dim2=-1), off_diagonal(scores))


def nwj_all_pairs(scores: torch.Tensor) -> torch.Tensor:
    return nwj(torch.diagonal(scores, dim1=-2, dim2=-1), off_diagonal(scores))


def dv_ema_surrogate(t_joint: torch.Tensor, t_marg: torch.Tensor,
                     log_ma: torch.Tensor) -> torch.Tensor:
    """MINE's bias-corrected objective (Belghazi et al. 2018, Algorithm 1).

    Its value is not a bound; its gradient is
    E_P[∇T] − E_Q[e^T ∇T] / ma, where ``ma = exp(log_ma)`` is a moving average
    of E_Q[e^T] treated as a constant, which removes the bias of the minibatch
    estimate of the DV gradient's denominator.
    """
    lme = log_mean_exp(t_marg, -1)
    return t_joint.mean(-1) - torch.exp(lme - log_ma.detach())


def update_log_ma(log_ma: torch.Tensor | None, t_marg: torch.Tensor,
                  rate: float) -> torch.Tensor:
    """ma ← (1 − rate)·ma + rate·mean(e^T), kept in the log domain (no overflow)."""
    lme = log_mean_exp(t_marg.detach(), -1)
    if log_ma is None:
        return lme
    return torch.logaddexp(log_ma + math.log1p(-rate), lme + math.log(rate))


def mean_over(values: list[torch.Tensor]) -> torch.Tensor:
    """The elementwise mean of equally shaped tensors (say one bound per batch)."""
    return torch.stack(values).mean(0)


# -- f-DIME (Letizia, Novello & Tonello, NeurIPS 2024): each is the variational bound of an
# f-divergence between P and Q in a parametrisation whose optimum is T = log(p/q), so that
# the estimate is E_P[T] on joint pairs alone.


def kl_dime(t_joint: torch.Tensor, t_marg: torch.Tensor) -> torch.Tensor:
    """KL bound E_P[T] − E_Q[e^T] + 1 (the f-divergence bound of KL with T shifted by 1)."""
    return t_joint.mean(-1) - torch.exp(t_marg).mean(-1) + 1.0


def hd_dime(t_joint: torch.Tensor, t_marg: torch.Tensor) -> torch.Tensor:
    """Squared-Hellinger bound 2 − E_P[e^(−T/2)] − E_Q[e^(T/2)] (discriminator D = e^(−T/2))."""
    return 2.0 - torch.exp(-0.5 * t_joint).mean(-1) - torch.exp(0.5 * t_marg).mean(-1)


def gan_dime(t_joint: torch.Tensor, t_marg: torch.Tensor) -> torch.Tensor:
    """GAN bound E_P[log σ(T)] + E_Q[log(1 − σ(T))] (the discriminator's logit T)."""
    return -softplus(-t_joint).mean(-1) - softplus(t_marg).mean(-1)
