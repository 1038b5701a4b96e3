"""Tasks with uniform noise and a discrete–continuous task, with closed-form MI.

``additive-uniform``: X ~ U(0, 1), Y = X + U(−ε, ε). h(Y | X) = log 2ε and Y
has a trapezoidal density, so I = ε − log 2ε for ε ≤ ½ and I = 1/(4ε) for
ε ≥ ½ (the two agree at ε = ½).

``mixed``: X uniform on {0, …, m−1}, Y | X ~ U[X, X + 2]. Y's density is
1/(2m) on the two end unit intervals and 1/m between, so
I = h(Y) − log 2 = log m − (1 − 1/m) log 2. X has ties by construction.
"""

from __future__ import annotations

import math

import numpy as np

from mibench.plugin import Integer, Real, Task, param, register_task


@register_task("additive-uniform")
class AdditiveUniform(Task):
    """X ~ U(0,1), Y = X + U(−eps, eps)."""

    description = "X ~ U(0,1), Y = X + U(-eps, eps); closed-form MI"

    eps: float = param(0.1, Real(gt=0, finite=True, cast=True), "half-width of the noise")

    dim_x = property(lambda self: 1)
    dim_y = property(lambda self: 1)

    @property
    def mi(self) -> float:
        e = self.eps
        return e - math.log(2 * e) if e <= 0.5 else 1.0 / (4 * e)

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        x = rng.random((n, 1))
        return x, x + rng.uniform(-self.eps, self.eps, (n, 1))

    @classmethod
    def examples(cls) -> list[str]:
        return ["additive-uniform", "additive-uniform[eps=0.75]"]


@register_task("mixed")
class Mixed(Task):
    """Discrete X uniform on {0..m−1}; Y | X uniform on [X, X+2]."""

    description = "discrete X on {0..m-1}, Y|X ~ U[X, X+2] (ties in X); closed-form MI"

    m: int = param(4, Integer(min=2), "values of the discrete X")

    dim_x = property(lambda self: 1)
    dim_y = property(lambda self: 1)

    @property
    def mi(self) -> float:
        return math.log(self.m) - (1 - 1 / self.m) * math.log(2)

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        x = rng.integers(0, self.m, (n, 1)).astype(np.float64)
        return x, x + 2 * rng.random((n, 1))

    @classmethod
    def examples(cls) -> list[str]:
        return ["mixed", "mixed[m=2]"]
