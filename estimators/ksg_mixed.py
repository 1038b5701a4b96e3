"""The mixed discrete–continuous k-NN MI estimator.

Reference: W. Gao, S. Kannan, S. Oh, P. Viswanath, "Estimating mutual
information for discrete-continuous mixtures", NeurIPS 2017 (Algorithm 1).

For each point, ρ_i is the max-norm distance to its k-th nearest neighbour in
the joint space.

* ρ_i > 0 (a continuous neighbourhood): k̃_i = k, and n_x(i), n_y(i) count
  the points (itself included) strictly within ρ_i in X and in Y — KSG's
  algorithm 1;
* ρ_i = 0 (the point sits on an atom, a point mass with more than k copies):
  k̃_i, n_x(i), n_y(i) count the points equal to it in (X, Y), X and Y.

Then Î = (1/N) Σ_i [ψ(k̃_i) + log N − ψ(n_x(i)) − ψ(n_y(i))]. (The paper's text
writes logarithms of non-strict counts; its authors' code, which produced its
figures, uses these strict counts and digammas, and so does this estimator:
with non-strict counts the ``mixed`` task came out 0.67 against its 0.87.)

Ties are part of the data, not noise to break: there is no jitter and the
result is deterministic. On continuous data it is KSG (with log N for ψ(N));
on discrete data it is a neighbour form of the plug-in estimate; it is
consistent for mixtures of the two (the paper's Theorem 1).
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma

from mibench.plugin import (
    ContractSettings,
    Estimator,
    Integer,
    apply_margins,
    margins_param,
    param,
    register_estimator,
    thread_budget,
)

from ._knn import WORKERS, _joint_tree_max, marginal_counts


@register_estimator("ksg-mixed")
class KSGMixed(Estimator):
    """Gao et al. (2017) k-NN estimator for discrete, continuous and mixed data."""

    description = "mixed discrete-continuous k-NN MI (Gao, Kannan, Oh & Viswanath 2017); " \
                  "exact ties, no jitter"
    contract = ContractSettings(zero_tol=0.05, easy_tol=0.06)

    k: int = param(5, Integer(min=1), "neighbours (for continuous points)")
    margins: str = margins_param("standardize", "every row (ties stay ties: normal scores "
                                 "give tied values their average rank)",
                                 replaces_standardize=True)
    workers: int | None = param(None, WORKERS, "threads for the neighbour search; none uses "
                                               "the run's thread budget")

    def min_samples(self, dim_x: int, dim_y: int) -> int:
        return self.k + 1

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> float:
        n = x.shape[0]
        x, y = apply_margins(self.margins, x), apply_margins(self.margins, y)
        workers = self.workers if self.workers is not None else thread_budget()
        rho = _joint_tree_max(x, y, self.k, want_sides=False, workers=workers).eps
        atom = rho == 0
        k_tilde = np.full(n, float(self.k))
        # strict counts within rho (continuous points; 0 on atoms), self included
        nx = marginal_counts(x, rho, strict=True) + 1
        ny = marginal_counts(y, rho, strict=True) + 1
        if atom.any():  # count exact copies, self included
            zero = np.zeros(n)
            k_tilde[atom] = (marginal_counts(np.hstack([x, y]), zero, strict=False) + 1)[atom]
            nx[atom] = (marginal_counts(x, zero, strict=False) + 1)[atom]
            ny[atom] = (marginal_counts(y, zero, strict=False) + 1)[atom]
        return float(np.mean(digamma(k_tilde) + np.log(n) - digamma(nx) - digamma(ny)))
