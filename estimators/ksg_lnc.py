"""KSG with the local non-uniformity correction (KSG-LNC).

Reference: S. Gao, G. Ver Steeg, A. Galstyan, "Efficient estimation of mutual
information for strongly dependent variables", AISTATS 2015.

KSG assumes the density is uniform inside each point's k-NN box; under strong
dependence the neighbours lie along a thin manifold and the box is mostly
empty, so KSG under-estimates, and needs exponentially many samples in the
MI. For each point z_i with neighbours z_(1..k) (max-norm, joint space), let

* V(i) = Π_j max_l |z_(l),j − z_i,j|, the axis-aligned box around z_i that holds
  the neighbours, and
* V̄(i) the same box in the principal axes of the neighbours' local covariance
  Σ_l (z_(l) − z_i)(z_(l) − z_i)ᵀ / k.

Where log V̄(i) − log V(i) < log α the neighbourhood is judged non-uniform and
the estimate is corrected:

    I_LNC = I_KSG − (1/N) Σ_i [log V̄(i) − log V(i)]·1{V̄(i)/V(i) < α}.

The threshold α depends on k and the joint dimension d. Here it is the
``quantile`` (default 5 %) of V̄/V for k points drawn uniformly in a cube
around the centre — the ratio a truly uniform neighbourhood falls below only
that often — computed once per (k, d) by Monte Carlo from a fixed seed (the
paper also sets α from the uniform case; its values are not tabulated for
every (k, d)). The PCA needs k > d; with fewer neighbours every box is flat
and the correction meaningless, which is an error.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.spatial import cKDTree

from mibench import ContractSettings, register_estimator, require
from mibench.runtime import thread_budget

from .ksg import KSG


def log_volume_ratios(diffs: np.ndarray) -> np.ndarray:
    """log V̄ − log V for each (k, d) block of neighbour differences (n, k, d)."""
    tiny = np.finfo(float).tiny
    log_v = np.log(np.maximum(np.abs(diffs).max(axis=1), tiny)).sum(axis=1)
    cov = np.einsum("nkd,nke->nde", diffs, diffs) / diffs.shape[1]
    _, vecs = np.linalg.eigh(cov)
    proj = np.einsum("nkd,nde->nke", diffs, vecs)
    log_vbar = np.log(np.maximum(np.abs(proj).max(axis=1), tiny)).sum(axis=1)
    return log_vbar - log_v


@functools.lru_cache(maxsize=64)
def uniform_threshold(k: int, d: int, quantile: float, draws: int = 20_000) -> float:
    """log α: the ``quantile`` of log V̄/V for k uniform points in [−1, 1]^d."""
    rng = np.random.default_rng(2015)
    diffs = rng.uniform(-1, 1, (draws, k, d))
    return float(np.quantile(log_volume_ratios(diffs), quantile))


@register_estimator("ksg-lnc")
class KSGLNC(KSG):
    """KSG (algorithm 1, max-norm) plus the local non-uniformity correction.

    Parameters
    ----------
    k : int
        Neighbours; must exceed the joint dimension (the local PCA needs k > d).
    quantile : float
        Sets α: the fraction of truly uniform neighbourhoods that would be
        corrected (5 % by default).
    jitter, standardize, seed, workers
        As for ``ksg``.
    """

    description = "KSG with the local non-uniformity correction (Gao, Ver Steeg & " \
                  "Galstyan 2015) for strong dependence"
    contract = ContractSettings(zero_tol=0.06, easy_tol=0.06)

    def __init__(self, k: int = 5, quantile: float = 0.05, jitter: float = 1e-10,
                 standardize: bool = True, seed: int = 0, workers: int | None = None) -> None:
        super().__init__(k=k, variant=1, metric="max", algorithm="tree", jitter=jitter,
                         standardize=standardize, seed=seed, workers=workers)
        require(isinstance(quantile, (int, float)) and not isinstance(quantile, bool)
                and 0 < quantile < 1, f"ksg-lnc: quantile must be in (0, 1); got {quantile!r}")
        self.quantile = float(quantile)

    def get_params(self) -> dict[str, object]:
        return {"k": self.k, "quantile": self.quantile, "jitter": self.jitter,
                "standardize": self.standardize, "seed": self.seed, "workers": self.workers}

    def min_samples(self, dim_x: int, dim_y: int) -> int:
        return self.k + 1

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> float:
        d = x.shape[1] + y.shape[1]
        require(self.k > d, f"ksg-lnc: k={self.k} neighbours cannot span the joint "
                            f"dimension {d}; use k >= {d + 1}")
        ksg = super()._estimate(x, y)
        xs, ys = self._prepare(x, y)
        z = np.hstack([xs, ys])
        workers = self.workers if self.workers is not None else thread_budget()
        _, idx = cKDTree(z).query(z, k=self.k + 1, p=math.inf, workers=workers)
        nbr = idx[:, 1:]
        own = idx[:, 0] != np.arange(z.shape[0])  # exact duplicates: keep the k others
        if own.any():
            nbr[own] = idx[own, : self.k]
        ratios = log_volume_ratios(z[nbr] - z[:, None, :])
        log_alpha = uniform_threshold(self.k, d, self.quantile)
        correction = np.where(ratios < log_alpha, ratios, 0.0)
        return float(ksg - correction.mean())
