"""Gaussian-copula MI (GCMI).

Reference: R. A. A. Ince, B. L. Giordano, C. Kayser, G. A. Rousselet, J. Gross,
P. G. Schyns, "A statistical framework for neuroimaging data analysis based on
mutual information estimated via a gaussian copula", Human Brain Mapping 38,
1541–1573 (2017).

Each column is replaced by its normal scores, Φ⁻¹(r / (n + 1)) with r its rank
(ties share the average rank), and the MI of the result is the Gaussian
estimate of :mod:`.gaussian` with its exact small-sample bias correction
(Ince et al. use the same ψ-based correction of the entropies).

The ranks are all the estimator sees of each column, so the estimate is
exactly the same for any strictly increasing map of any column. It is exact
(up to its small-sample error) when the copula is Gaussian; for other
dependence (a mixture, a circle) it sees only what the normal scores'
correlations show, and it is neither bound in general.
"""

from __future__ import annotations

import numpy as np

from mibench.plugin import (
    Bool,
    ContractSettings,
    Estimator,
    normal_scores,
    param,
    register_estimator,
)

from .gaussian import GaussianEstimator


def copula_normal_scores(a: np.ndarray) -> np.ndarray:
    """Φ⁻¹ of the rank of each value within its column over (n + 1) (every row fitted)."""
    return normal_scores(a)


@register_estimator("gcmi")
class GaussianCopulaMI(Estimator):
    """Gaussian-copula MI: normal scores of each column, then the Gaussian estimate."""

    description = ("Gaussian-copula MI (Ince et al. 2017): rank-normalised columns, "
                   "bias-corrected Gaussian estimate; invariant to monotone maps")
    contract = ContractSettings(zero_tol=0.02, easy_tol=0.05)

    bias_correction: bool = param(True, Bool(),
                                  "subtract the exact small-sample bias of the Gaussian "
                                  "estimate (the method's default, as in Ince et al.)")

    def min_samples(self, dim_x: int, dim_y: int) -> int:
        return dim_x + dim_y + 2

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> float:
        gauss = GaussianEstimator(bias_correction=self.bias_correction)
        return gauss._estimate(copula_normal_scores(x), copula_normal_scores(y))
