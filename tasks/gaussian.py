"""Correlated Gaussians with componentwise correlation (the MINE paper's setting).

X and Y are each ``dim``-dimensional standard normal vectors, with
corr(X_i, Y_i) = rho and all other pairs independent. Then
I(X; Y) = −(dim/2)·log(1 − rho²) nats.
"""

from __future__ import annotations

import math

import numpy as np

from mibench import Task, register_task, require


def gaussian_mi(dim: int, rho: float) -> float:
    """True MI of the componentwise-correlated Gaussian pair, in nats."""
    return -0.5 * dim * math.log1p(-rho * rho)


def rho_for_mi(mi: float, dim: int) -> float:
    """The correlation that gives ``mi`` nats at ``dim`` components."""
    return math.sqrt(-math.expm1(-2.0 * mi / dim))


@register_task("gaussian")
class GaussianTask(Task):
    """Componentwise-correlated standard Gaussians.

    Parameters
    ----------
    dim : int
        Dimension of X and of Y.
    rho : float
        Correlation of each pair (X_i, Y_i), |rho| < 1. Ignored if ``mi`` is set.
    target_mi : float or None
        Target MI in nats; when given, rho is solved for it (rho ≥ 0).
    """

    description = "X, Y ~ N(0, I_dim) with corr(X_i, Y_i) = rho; MI = -dim/2 log(1-rho^2)"

    def __init__(self, dim: int = 1, rho: float = 0.5, target_mi: float | None = None) -> None:
        require(isinstance(dim, int) and not isinstance(dim, bool) and dim >= 1,
                f"gaussian: dim must be a positive integer; got {dim!r}")
        require(isinstance(rho, (int, float)) and not isinstance(rho, bool),
                f"gaussian: rho must be a number; got {rho!r}")
        require(abs(rho) < 1, f"gaussian: rho must satisfy |rho| < 1; got {rho}")
        if target_mi is not None:
            require(isinstance(target_mi, (int, float)) and math.isfinite(target_mi)
                    and target_mi >= 0,
                    f"gaussian: target_mi must be a finite number >= 0; got {target_mi!r}")
        self.dim = dim
        self.rho = float(rho)
        self.target_mi = target_mi
        self._rho = rho_for_mi(float(target_mi), dim) if target_mi is not None else float(rho)

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
