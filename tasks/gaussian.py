"""Correlated Gaussians with componentwise correlation (the MINE paper's setting).

X and Y are each ``dim``-dimensional standard normal vectors, with
corr(X_i, Y_i) = rho and all other pairs independent. Then
I(X; Y) = −(dim/2)·log(1 − rho²) nats.
"""

from __future__ import annotations

import math

import numpy as np

from mibench.plugin import Integer, Optional, Real, Task, param, register_task


def gaussian_mi(dim: int, rho: float) -> float:
    """True MI of the componentwise-correlated Gaussian pair, in nats."""
    return -0.5 * dim * math.log1p(-rho * rho)


def rho_for_mi(mi: float, dim: int) -> float:
    """The correlation that gives ``mi`` nats at ``dim`` components."""
    return math.sqrt(-math.expm1(-2.0 * mi / dim))


@register_task("gaussian")
class GaussianTask(Task):
    """Componentwise-correlated standard Gaussians."""

    description = "X, Y ~ N(0, I_dim) with corr(X_i, Y_i) = rho; MI = -dim/2 log(1-rho^2)"

    dim: int = param(1, Integer(min=1), "dimension of X and of Y")
    rho: float = param(0.5, Real(gt=-1, lt=1, cast=True, text="a number with |rho| < 1"),
                       "correlation of each pair (X_i, Y_i); ignored if target_mi is set")
    target_mi: float | None = param(None, Optional(Real(ge=0, finite=True)),
                                    "target MI in nats; when given, rho (>= 0) is solved for it")

    def __post_init__(self) -> None:
        self._rho = (rho_for_mi(float(self.target_mi), self.dim) if self.target_mi is not None
                     else self.rho)

    @property
    def dim_x(self) -> int:
        return self.dim

    @property
    def dim_y(self) -> int:
        return self.dim

    @property
    def mi(self) -> float:
        return gaussian_mi(self.dim, self._rho)

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        z = rng.standard_normal((n, 2 * self.dim))
        x = z[:, : self.dim]
        r = self._rho
        y = r * x + math.sqrt(1.0 - r * r) * z[:, self.dim :]
        return x, y
