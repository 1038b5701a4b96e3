"""Gaussian tasks with a general block covariance, built from a few parameters.

Σ = [[Σ_X, C], [Cᵀ, Σ_Y]] with unit variances. The true MI is
I = ½ (log det Σ_X + log det Σ_Y − log det Σ), computed with ``slogdet``.
A parameter set whose Σ is not positive definite is rejected.

* ``gaussian-dense``: every cross-correlation equals ``c``; within X and
  within Y all correlations equal ``inner``.
* ``gaussian-sparse``: ``nonzero`` cross-correlations equal to ``c`` at
  positions drawn once from ``structure_seed`` (the task, not the samples).
* ``gaussian-pairs``: the first ``k`` coordinates of X and Y form correlated
  pairs (rho); the rest are independent noise dimensions.
"""

from __future__ import annotations

import numpy as np

from mibench.plugin import Integer, ParameterError, Real, Task, param, register_task, require

#: A correlation strictly between −1 and 1.
CORR = Real(gt=-1, lt=1, cast=True)
DIM_X = param(5, Integer(min=1), "dimension of X")
DIM_Y = param(5, Integer(min=1), "dimension of Y")


class BlockGaussian(Task):
    """Base of Gaussian tasks defined by a joint covariance matrix; a subclass
    declares ``dim_x`` and ``dim_y`` among its parameters."""

    _chol: np.ndarray
    _mi: float

    def _set_cov(self, cov: np.ndarray) -> None:
        try:
            self._chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            raise ParameterError(
                f"{self.name}: these parameters give a covariance that is not positive "
                f"definite (smallest eigenvalue {np.linalg.eigvalsh(cov).min():.3g}); "
                "lower the correlations"
            ) from None
        dx = self.dim_x
        _, ld = np.linalg.slogdet(cov)
        _, ldx = np.linalg.slogdet(cov[:dx, :dx])
        _, ldy = np.linalg.slogdet(cov[dx:, dx:])
        self._mi = max(0.0, 0.5 * (ldx + ldy - ld))

    @property
    def mi(self) -> float:
        return self._mi

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        z = rng.standard_normal((n, self.dim_x + self.dim_y)) @ self._chol.T
        return z[:, : self.dim_x], z[:, self.dim_x :]


def _with_inner(d: int, inner: float) -> np.ndarray:
    return np.full((d, d), inner) + (1 - inner) * np.eye(d)


@register_task("gaussian-dense")
class DenseGaussian(BlockGaussian):
    """All cross-correlations equal to ``c`` (and within-block correlation ``inner``)."""

    description = "Gaussian, every corr(X_i, Y_j) = c; MI from log-determinants"
    dim_x: int = param(3, Integer(min=1), "dimension of X")
    dim_y: int = param(3, Integer(min=1), "dimension of Y")
    c: float = param(0.2, CORR, "every cross-correlation corr(X_i, Y_j)")
    inner: float = param(0.0, CORR, "every correlation within X and within Y")

    def __post_init__(self) -> None:
        dx, dy = self.dim_x, self.dim_y
        self._set_cov(np.block([[_with_inner(dx, self.inner), np.full((dx, dy), self.c)],
                                [np.full((dy, dx), self.c), _with_inner(dy, self.inner)]]))

    @classmethod
    def examples(cls) -> list[str]:
        return ["gaussian-dense", "gaussian-dense[dim_x=2,dim_y=5,c=0.15,inner=0.3]"]


@register_task("gaussian-sparse")
class SparseGaussian(BlockGaussian):
    """``nonzero`` cross-correlations of value ``c`` at seeded random positions."""

    description = "Gaussian with a few nonzero cross-correlations c at seeded positions"
    dim_x: int = DIM_X
    dim_y: int = DIM_Y
    nonzero: int = param(3, Integer(min=0), "cross-correlations that are not zero")
    c: float = param(0.5, CORR, "their value")
    structure_seed: int = param(0, Integer(min=0), "seed of their positions (the task's, not "
                                                   "the samples')")

    def __post_init__(self) -> None:
        dx, dy = self.dim_x, self.dim_y
        require(self.nonzero <= dx * dy,
                f"{self.name}: nonzero must be at most dim_x*dim_y = {dx * dy}; "
                f"got {self.nonzero}")
        cross = np.zeros(dx * dy)
        rng = np.random.default_rng(self.structure_seed)
        cross[rng.choice(dx * dy, self.nonzero, replace=False)] = self.c
        cross = cross.reshape(dx, dy)
        self._set_cov(np.block([[np.eye(dx), cross], [cross.T, np.eye(dy)]]))

    @classmethod
    def examples(cls) -> list[str]:
        return ["gaussian-sparse", "gaussian-sparse[dim_x=10,dim_y=3,nonzero=4,c=0.4]"]


@register_task("gaussian-pairs")
class PairsGaussian(BlockGaussian):
    """``k`` correlated pairs (X_i, Y_i) with correlation rho; the rest independent."""

    description = "Gaussian, k pairs corr(X_i, Y_i) = rho, other dims noise; MI = -k/2 log(1-rho^2)"
    dim_x: int = DIM_X
    dim_y: int = DIM_Y
    k: int = param(2, Integer(min=0), "correlated pairs (the first k coordinates)")
    rho: float = param(0.8, CORR, "their correlation")

    def __post_init__(self) -> None:
        dx, dy = self.dim_x, self.dim_y
        require(self.k <= min(dx, dy),
                f"{self.name}: k must be at most min(dim_x, dim_y); got {self.k}")
        cross = np.zeros((dx, dy))
        cross[np.arange(self.k), np.arange(self.k)] = self.rho
        self._set_cov(np.block([[np.eye(dx), cross], [cross.T, np.eye(dy)]]))

    @classmethod
    def examples(cls) -> list[str]:
        return ["gaussian-pairs", "gaussian-pairs[dim_x=3,dim_y=8,k=3,rho=-0.6]"]
