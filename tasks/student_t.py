"""Multivariate Student-t pairs (heavy tails, dependence beyond correlation).

(X, Y) = Z / sqrt(W/ν) with Z ~ N(0, Σ), W ~ χ²_ν, Σ the componentwise
correlation of the ``gaussian`` task (corr(Z_Xi, Z_Yi) = rho). Marginals of a
multivariate t are t with the same ν, and from the entropy of the
multivariate t,

    I = I_Gauss(Σ) + log Γ(ν/2) + log Γ((ν+d)/2) − log Γ((ν+dx)/2) − log Γ((ν+dy)/2)
        + (ν+dx)/2 ψ((ν+dx)/2) + (ν+dy)/2 ψ((ν+dy)/2) − (ν+d)/2 ψ((ν+d)/2) − ν/2 ψ(ν/2),

with d = dx + dy and I_Gauss(Σ) = −(dim/2) log(1 − rho²). The correction is
positive: even rho = 0 leaves X and Y dependent through the shared W.

Its pointwise MI is exact: the joint is a 2·dim-variate t with shape Σ and each
marginal a dim-variate t with shape I (``scipy.stats.multivariate_t`` gives the
log densities).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import digamma, gammaln
from scipy.stats import multivariate_t

from mibench.plugin import Integer, Real, Task, param, register_task


def t_correction(dof: float, dx: int, dy: int) -> float:
    """MI of a multivariate t beyond the Gaussian term of its dispersion matrix."""
    v, d = dof, dx + dy
    return float(
        gammaln(v / 2) + gammaln((v + d) / 2) - gammaln((v + dx) / 2) - gammaln((v + dy) / 2)
        + (v + dx) / 2 * digamma((v + dx) / 2) + (v + dy) / 2 * digamma((v + dy) / 2)
        - (v + d) / 2 * digamma((v + d) / 2) - v / 2 * digamma(v / 2)
    )


@register_task("student-t")
class StudentT(Task):
    """Multivariate Student-t with ``dof`` degrees of freedom."""

    description = "multivariate Student-t (dof), componentwise dispersion rho; closed-form MI"

    dim: int = param(2, Integer(min=1), "dimension of X and of Y")
    rho: float = param(0.5, Real(gt=-1, lt=1, cast=True, text="a number with |rho| < 1"),
                       "componentwise correlation of the dispersion matrix")
    dof: float = param(3.0, Real(gt=0, finite=True, cast=True),
                       "degrees of freedom ν (heavier tails for smaller ν)")

    @property
    def dim_x(self) -> int:
        return self.dim

    @property
    def dim_y(self) -> int:
        return self.dim

    @property
    def gaussian_part(self) -> float:
        return -0.5 * self.dim * math.log1p(-self.rho**2)

    @property
    def mi(self) -> float:
        return self.gaussian_part + t_correction(self.dof, self.dim, self.dim)

    def pmi(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        d = self.dim
        eye = np.eye(d)
        shape = np.block([[eye, self.rho * eye], [self.rho * eye, eye]])
        side = multivariate_t(np.zeros(d), eye, df=self.dof)
        joint = multivariate_t(np.zeros(2 * d), shape, df=self.dof)
        x, y = np.asarray(x, float).reshape(-1, d), np.asarray(y, float).reshape(-1, d)
        return np.atleast_1d(joint.logpdf(np.hstack([x, y])) - side.logpdf(x) - side.logpdf(y))

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        z = rng.standard_normal((n, 2 * self.dim))
        x = z[:, : self.dim]
        y = self.rho * x + math.sqrt(1 - self.rho**2) * z[:, self.dim :]
        scale = np.sqrt(rng.chisquare(self.dof, size=(n, 1)) / self.dof)
        return x / scale, y / scale

    @classmethod
    def examples(cls) -> list[str]:
        return ["student-t", "student-t[dim=1,rho=0,dof=1]", "student-t[dim=5,rho=0.8,dof=10]"]
