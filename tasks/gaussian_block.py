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

from mibench import ParameterError, Task, register_task, require


def _posint(v: object, name: str, family: str, minimum: int = 1) -> int:
    require(isinstance(v, int) and not isinstance(v, bool) and v >= minimum,
            f"{family}: {name} must be an integer >= {minimum}; got {v!r}")
    return int(v)  # type: ignore[arg-type]


def _corr(v: object, name: str, family: str) -> float:
    require(isinstance(v, (int, float)) and not isinstance(v, bool) and -1 < v < 1,
            f"{family}: {name} must be a number in (-1, 1); got {v!r}")
    return float(v)  # type: ignore[arg-type]


class BlockGaussian(Task):
    """Base of Gaussian tasks defined by a joint covariance matrix."""

    dx: int
    dy: int
    _chol: np.ndarray
    _mi: float

    def get_params(self) -> dict[str, object]:
        # dim_x / dim_y are properties of every task, so those values live in dim_x_ / dim_y_
        return {k: getattr(self, k + "_" if k in ("dim_x", "dim_y") else k)
                for k in self.param_defaults()}

    def _set_cov(self, cov: np.ndarray, dx: int, dy: int) -> None:
        self.dx, self.dy = dx, dy
        try:
            self._chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            raise ParameterError(
                f"{self.name}: these parameters give a covariance that is not positive "
                f"definite (smallest eigenvalue {np.linalg.eigvalsh(cov).min():.3g}); "
                "lower the correlations"
            ) from None
        _, ld = np.linalg.slogdet(cov)
        _, ldx = np.linalg.slogdet(cov[:dx, :dx])
        _, ldy = np.linalg.slogdet(cov[dx:, dx:])
        self._mi = max(0.0, 0.5 * (ldx + ldy - ld))

    @property
    def dim_x(self) -> int:
        return self.dx

    @property
    def dim_y(self) -> int:
        return self.dy

    @property
    def mi(self) -> float:
        return self._mi

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        z = rng.standard_normal((n, self.dx + self.dy)) @ self._chol.T
        return z[:, : self.dx], z[:, self.dx :]


def _with_inner(d: int, inner: float) -> np.ndarray:
    return np.full((d, d), inner) + (1 - inner) * np.eye(d)


@register_task("gaussian-dense")
class DenseGaussian(BlockGaussian):
    """All cross-correlations equal to ``c`` (and within-block correlation ``inner``)."""

    description = "Gaussian, every corr(X_i, Y_j) = c; MI from log-determinants"

    def __init__(self, dim_x: int = 3, dim_y: int = 3, c: float = 0.2,
                 inner: float = 0.0) -> None:
        self.dim_x_ = _posint(dim_x, "dim_x", "gaussian-dense")
        self.dim_y_ = _posint(dim_y, "dim_y", "gaussian-dense")
        self.c = _corr(c, "c", "gaussian-dense")
        self.inner = _corr(inner, "inner", "gaussian-dense")
        dx, dy = self.dim_x_, self.dim_y_
        cov = np.block([[_with_inner(dx, inner), np.full((dx, dy), c)],
                        [np.full((dy, dx), c), _with_inner(dy, inner)]])
        self._set_cov(cov, dx, dy)


    @classmethod
    def examples(cls) -> list[str]:
        return ["gaussian-dense", "gaussian-dense[dim_x=2,dim_y=5,c=0.15,inner=0.3]"]


@register_task("gaussian-sparse")
class SparseGaussian(BlockGaussian):
    """``nonzero`` cross-correlations of value ``c`` at seeded random positions."""

    description = "Gaussian with a few nonzero cross-correlations c at seeded positions"

    def __init__(self, dim_x: int = 5, dim_y: int = 5, nonzero: int = 3, c: float = 0.5,
                 structure_seed: int = 0) -> None:
        fam = "gaussian-sparse"
        self.dim_x_ = _posint(dim_x, "dim_x", fam)
        self.dim_y_ = _posint(dim_y, "dim_y", fam)
        self.nonzero = _posint(nonzero, "nonzero", fam, minimum=0)
        require(self.nonzero <= self.dim_x_ * self.dim_y_,
                f"{fam}: nonzero must be at most dim_x*dim_y = {self.dim_x_ * self.dim_y_}; "
                f"got {nonzero}")
        self.c = _corr(c, "c", fam)
        self.structure_seed = _posint(structure_seed, "structure_seed", fam, minimum=0)
        dx, dy = self.dim_x_, self.dim_y_
        cross = np.zeros(dx * dy)
        pos = np.random.default_rng(structure_seed).choice(dx * dy, self.nonzero, replace=False)
        cross[pos] = c
        cross = cross.reshape(dx, dy)
        cov = np.block([[np.eye(dx), cross], [cross.T, np.eye(dy)]])
        self._set_cov(cov, dx, dy)


    @classmethod
    def examples(cls) -> list[str]:
        return ["gaussian-sparse", "gaussian-sparse[dim_x=10,dim_y=3,nonzero=4,c=0.4]"]


@register_task("gaussian-pairs")
class PairsGaussian(BlockGaussian):
    """``k`` correlated pairs (X_i, Y_i) with correlation rho; the rest independent."""

    description = "Gaussian, k pairs corr(X_i, Y_i) = rho, other dims noise; MI = -k/2 log(1-rho^2)"

    def __init__(self, dim_x: int = 5, dim_y: int = 5, k: int = 2, rho: float = 0.8) -> None:
        fam = "gaussian-pairs"
        self.dim_x_ = _posint(dim_x, "dim_x", fam)
        self.dim_y_ = _posint(dim_y, "dim_y", fam)
        self.k = _posint(k, "k", fam, minimum=0)
        require(self.k <= min(self.dim_x_, self.dim_y_),
                f"{fam}: k must be at most min(dim_x, dim_y); got {k}")
        self.rho = _corr(rho, "rho", fam)
        dx, dy = self.dim_x_, self.dim_y_
        cross = np.zeros((dx, dy))
        cross[np.arange(self.k), np.arange(self.k)] = rho
        self._set_cov(np.block([[np.eye(dx), cross], [cross.T, np.eye(dy)]]), dx, dy)


    @classmethod
    def examples(cls) -> list[str]:
        return ["gaussian-pairs", "gaussian-pairs[dim_x=3,dim_y=8,k=3,rho=-0.6]"]
