"""The mixed discrete–continuous k-NN MI estimator.

Reference: W. Gao, S. Kannan, S. Oh, P. Viswanath, "Estimating mutual
information for discrete-continuous mixtures", NeurIPS 2017 (Algorithm 1).

For each point, ρ_i is the max-norm distance to its k-th nearest neighbour in
the joint space. Where ρ_i = 0 the point sits on an atom (a point mass), and
k̃_i is the number of other points equal to it; elsewhere k̃_i = k. Then
n_x(i) = #{j ≠ i : ‖x_i − x_j‖∞ ≤ ρ_i}, n_y(i) likewise, and

    Î = (1/N) Σ_i [ψ(k̃_i) + log N − log(n_x(i) + 1) − log(n_y(i) + 1)].

Ties are part of the data, not noise to break: there is no jitter and the
result is deterministic. On continuous data it is KSG with non-strict counts
and logarithms; on discrete data it is the plug-in estimate's neighbour form;
it is consistent for mixtures of the two (the paper's Theorem 1).
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma

from mibench import ContractSettings, Estimator, ParameterError, register_estimator
from mibench.runtime import thread_budget
from mibench.validation import standardize_columns

from ._knn import _joint_tree_max, marginal_counts


@register_estimator("ksg-mixed")
class KSGMixed(Estimator):
    """Gao et al. (2017) k-NN estimator for discrete, continuous and mixed data.

    Parameters
    ----------
    k : int
        Neighbours (for continuous points).
    standardize : bool
        Scale each column to unit variance first (ties are kept).
    workers : int or None
        Threads for the neighbour search; None uses the run's thread budget.
    """

    description = "mixed discrete-continuous k-NN MI (Gao, Kannan, Oh & Viswanath 2017); " \
                  "exact ties, no jitter"
    contract = ContractSettings(zero_tol=0.05, easy_tol=0.06)

    def __init__(self, k: int = 5, standardize: bool = True, workers: int | None = None
                 ) -> None:
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ParameterError(f"ksg-mixed: k must be a positive integer; got {k!r}")
        if workers is not None and (not isinstance(workers, int) or workers == 0):
            raise ParameterError(f"ksg-mixed: workers must be a non-zero integer or None; "
                                 f"got {workers!r}")
        self.k = k
        self.standardize = standardize
        self.workers = workers

    def min_samples(self, dim_x: int, dim_y: int) -> int:
        return self.k + 1

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> float:
        n = x.shape[0]
        if self.standardize:
            x, y = standardize_columns(x), standardize_columns(y)
        workers = self.workers if self.workers is not None else thread_budget()
        rho = _joint_tree_max(x, y, self.k, want_sides=False, workers=workers).eps
        k_tilde = np.full(n, float(self.k))
        atom = rho == 0
        if atom.any():
            copies = marginal_counts(np.hstack([x, y]), rho, strict=False)
            k_tilde[atom] = copies[atom]
        nx = marginal_counts(x, rho, strict=False)
        ny = marginal_counts(y, rho, strict=False)
        return float(np.mean(digamma(k_tilde) + np.log(n) - np.log(nx + 1) - np.log(ny + 1)))
