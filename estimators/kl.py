"""MI as a sum of Kozachenko–Leonenko entropies: I = H(X) + H(Y) − H(X, Y) ("3H").

References: L. F. Kozachenko, N. N. Leonenko, "Sample estimate of the entropy
of a random vector", Problems Inform. Transmission 23, 95–101 (1987); the k-NN
form as in Kraskov, Stögbauer, Grassberger, Phys. Rev. E 69, 066138 (2004),
eq. (20):

    Ĥ(Z) = ψ(N) − ψ(k) + log V_d + (d/N) Σ_i log r_i,

with r_i the distance from z_i to its k-th nearest neighbour and V_d the
volume of the unit ball of the norm (2^d for the max-norm). The joint space
uses KSG's distance max(d_x, d_y), whose unit ball is the product of the two
balls. Each entropy is estimated on its own k-NN scale, so their biases do not
cancel as KSG's coupled neighbourhoods make them do — the reason KSG was
proposed; this estimator is here to show that difference.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma

from mibench.plugin import (
    ContractSettings,
    Estimator,
    InputError,
    Integer,
    OneOf,
    margins_param,
    param,
    register_estimator,
    thread_budget,
)

from ._knn import (
    JITTER,
    METRICS,
    WORKERS,
    joint_kth_distance,
    kth_distance,
    log_unit_ball,
    prepare_columns,
)


@register_estimator("kl")
class KozachenkoLeonenkoMI(Estimator):
    """H(X) + H(Y) − H(X, Y) with Kozachenko–Leonenko k-NN entropies."""

    description = "MI from three Kozachenko-Leonenko k-NN entropies, H(X)+H(Y)-H(X,Y)"
    contract = ContractSettings(zero_tol=0.08, easy_tol=0.08)

    k: int = param(3, Integer(min=1), "neighbour rank of the entropy estimates")
    metric: str = param("max", OneOf(*METRICS),
                        "norm within X and within Y (joint: the larger of the two)")
    jitter: float = param(1e-10, JITTER, "tie-breaking noise, as for ksg")
    margins: str = margins_param("standardize", "every row, before the neighbour search",
                                 replaces_standardize=True)
    seed: int = param(0, Integer(), "seed of the jitter")
    workers: int | None = param(None, WORKERS, "threads for the neighbour search")

    def min_samples(self, dim_x: int, dim_y: int) -> int:
        return self.k + 1

    def _entropy(self, r: np.ndarray, d: int, log_ball: float) -> float:
        n = r.shape[0]
        if (r <= 0).any():
            raise InputError(
                f"kl: {int((r <= 0).sum())} of {n} points have more than k={self.k} exact "
                "duplicates (k-th neighbour at distance 0); keep jitter > 0")
        return float(digamma(n) - digamma(self.k) + log_ball + d * np.mean(np.log(r)))

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> float:
        workers = self.workers if self.workers is not None else thread_budget()
        x, y = prepare_columns(x, y, self.margins, self.jitter, self.seed)
        dx, dy = x.shape[1], y.shape[1]
        bx, by = log_unit_ball(dx, self.metric), log_unit_ball(dy, self.metric)
        hx = self._entropy(kth_distance(x, self.k, self.metric, workers), dx, bx)
        hy = self._entropy(kth_distance(y, self.k, self.metric, workers), dy, by)
        rz = joint_kth_distance(x, y, self.k, self.metric, workers)
        hz = self._entropy(rz, dx + dy, bx + by)
        return hx + hy - hz
