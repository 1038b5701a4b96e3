"""Any task with invertible maps applied to X and/or Y: the MI does not change.

I(g(X); h(Y)) = I(X; Y) for invertible (smooth) g and h, so these tasks keep
the base task's true MI exactly while making the dependence non-Gaussian.
Select them with a nested selector for the base, e.g.
``transformed[base=gaussian[dim=5,rho=0.6],transform=spiral]``.

Transforms (coordinatewise unless stated):

* ``cube``: x³
* ``asinh``: arcsinh(x)
* ``normal-cdf``: Φ(x) — uniform margins for a standard normal base
* ``half-cube``: x·√|x|
* ``wiggly``: x + 0.4·sin(2x) (derivative ≥ 0.2, so strictly increasing)
* ``spiral`` (whole vector, dim ≥ 2): each coordinate pair (0,1), (2,3), … is
  rotated by the angle ``speed``·‖v‖; rotations keep ‖v‖, so the map is
  inverted by rotating back by the same angle.

Transforms of Czyż et al., "Beyond Normal" (NeurIPS 2023), for its benchmark:

* ``plane-spiral`` (whole vector): one coordinate plane is rotated by the angle
  (``speed``/dim)·‖v‖² — the plane (0, 1) of X and (1, 2) of Y (so Y needs
  dim ≥ 3), the speed divided by the variable's dimension, as in that paper.
* ``wiggly-xy``: x + 0.4 sin x + 0.2 sin(1.7x + 1) + 0.03 sin(3.3x − 2.5) on X and
  y − 0.4 sin 0.4y + 0.17 sin(1.3y + 3.5) + 0.02 sin(4.3y − 2.5) on Y (both
  strictly increasing: the derivatives are at least 0.16 and 0.62).
* ``bimodal``: F⁻¹(Φ(v)) with F the CDF of 0.3 N(0,1) + 0.7 N(5,1) on X and of
  ½ N(−1,1) + ½ N(3,1) on Y: a standard normal base gets bimodal margins.
* ``swissroll`` (one-dimensional variable in (0, 1), e.g. a ``normal-cdf``
  base): t ↦ (s cos s, s sin s)/21 with s = 1.5π(1 + 2t), an injective
  embedding into two dimensions, so the transformed variable has dimension 2.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import ndtr

from mibench.plugin import (
    OneOf,
    ParameterError,
    Real,
    Task,
    Text,
    get_task,
    param,
    register_task,
    require,
)


def _spiral(v: np.ndarray, speed: float) -> np.ndarray:
    theta = speed * np.linalg.norm(v, axis=1)
    c, s = np.cos(theta), np.sin(theta)
    out = v.copy()
    for i in range(0, v.shape[1] - 1, 2):
        a, b = v[:, i], v[:, i + 1]
        out[:, i] = c * a - s * b
        out[:, i + 1] = s * a + c * b
    return out


def _plane_spiral(v: np.ndarray, speed: float, plane: tuple[int, int]) -> np.ndarray:
    theta = speed / v.shape[1] * np.einsum("ij,ij->i", v, v)
    c, s = np.cos(theta), np.sin(theta)
    i, j = plane
    out = v.copy()
    out[:, i] = c * v[:, i] - s * v[:, j]
    out[:, j] = s * v[:, i] + c * v[:, j]
    return out


def _mixture_icdf(u: np.ndarray, weights: tuple[float, ...], means: tuple[float, ...]
                  ) -> np.ndarray:
    """Inverse CDF of a mixture of unit-variance normals, by bisection to 1e-12.

    (A closed form does not exist; 60 halvings of a bracket that holds every
    quantile are exact to double precision for these mixtures.)
    """
    lo = np.full(u.shape, min(means) - 40.0)
    hi = np.full(u.shape, max(means) + 40.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        cdf = sum(w * ndtr(mid - m) for w, m in zip(weights, means, strict=True))
        below = cdf < u
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def _swissroll(v: np.ndarray) -> np.ndarray:
    s = 1.5 * np.pi * (1 + 2 * v[:, 0])
    return np.column_stack([s * np.cos(s), s * np.sin(s)]) / 21.0


# transforms that differ between X and Y: name -> (map of X, map of Y)
PAIRED: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "wiggly-xy": (
        lambda v: v + 0.4 * np.sin(v) + 0.2 * np.sin(1.7 * v + 1) + 0.03 * np.sin(3.3 * v - 2.5),
        lambda v: v - 0.4 * np.sin(0.4 * v) + 0.17 * np.sin(1.3 * v + 3.5)
        + 0.02 * np.sin(4.3 * v - 2.5),
    ),
    "bimodal": (
        lambda v: _mixture_icdf(ndtr(v), (0.3, 0.7), (0.0, 5.0)),
        lambda v: _mixture_icdf(ndtr(v), (0.5, 0.5), (-1.0, 3.0)),
    ),
}

COORDINATEWISE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "cube": lambda v: v**3,
    "asinh": np.arcsinh,
    "normal-cdf": ndtr,
    "half-cube": lambda v: v * np.sqrt(np.abs(v)),
    "wiggly": lambda v: v + 0.4 * np.sin(2 * v),
}
TRANSFORMS = (*COORDINATEWISE, *PAIRED, "spiral", "plane-spiral", "swissroll")


@register_task("transformed")
class Transformed(Task):
    """A base task with an invertible transform of X, Y or both."""

    description = "base task with invertible maps on X/Y (cube, asinh, normal-cdf, half-cube, " \
                  "wiggly, spiral); MI unchanged"

    base: str = param("gaussian[dim=2,rho=0.75]", Text("a task selector"),
                      "selector of the base task, e.g. gaussian[dim=5,rho=0.6]")
    transform: str = param("cube", OneOf(*TRANSFORMS), "the map (see the module docstring)")
    apply_to: str = param("both", OneOf("both", "x", "y"), "which variable is transformed")
    speed: float = param(1.0, Real(cast=True), "angle per unit norm for spiral and plane-spiral")

    def __post_init__(self) -> None:
        base, transform, apply_to = self.base, self.transform, self.apply_to
        try:
            self._base = get_task(base)
        except ParameterError as exc:
            raise ParameterError(f"transformed: bad base task {base!r}: {exc}") from None
        dims = {"both": (self._base.dim_x, self._base.dim_y), "x": (self._base.dim_x,),
                "y": (self._base.dim_y,)}[apply_to]
        if transform == "spiral":
            require(min(dims) >= 2, "transformed: spiral needs dimension >= 2 in each "
                                    f"transformed variable; base {base!r} has {min(dims)}")
        if transform == "plane-spiral":
            require(apply_to == "y" or self._base.dim_x >= 2,
                    f"transformed: plane-spiral needs dim_x >= 2; base {base!r} has "
                    f"{self._base.dim_x}")
            require(apply_to == "x" or self._base.dim_y >= 3,
                    f"transformed: plane-spiral needs dim_y >= 3; base {base!r} has "
                    f"{self._base.dim_y}")
        if transform == "swissroll":
            require(max(dims) == 1, "transformed: swissroll embeds a one-dimensional "
                                    f"variable; base {base!r} has dimension {max(dims)}")
        # stored in its short form, so equal bases give equal tasks and cache keys
        self.base = self._base.selector()

    @property
    def family(self) -> str:
        return f"transformed:{self.transform}"

    def display_value(self, name: str, value: object) -> object:
        """The base task in its short form (its own defaults left out)."""
        if name == "base" and isinstance(value, str):
            return get_task(value).selector()
        return value

    def _out_dim(self, dim: int, side: str) -> int:
        changed = self.apply_to in ("both", side) and self.transform == "swissroll"
        return 2 if changed else dim

    @property
    def dim_x(self) -> int:
        return self._out_dim(self._base.dim_x, "x")

    @property
    def dim_y(self) -> int:
        return self._out_dim(self._base.dim_y, "y")

    @property
    def mi(self) -> float:
        return self._base.mi

    def apply(self, v: np.ndarray, side: str = "x") -> np.ndarray:
        """The transform of variable ``side`` ("x" or "y")."""
        t = self.transform
        if t == "spiral":
            return _spiral(v, self.speed)
        if t == "plane-spiral":
            return _plane_spiral(v, self.speed, (0, 1) if side == "x" else (1, 2))
        if t == "swissroll":
            return _swissroll(v)
        if t in PAIRED:
            return PAIRED[t][0 if side == "x" else 1](v)
        return COORDINATEWISE[t](v)

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._base.sample(n, rng)
        if self.apply_to in ("both", "x"):
            x = self.apply(x, "x")
        if self.apply_to in ("both", "y"):
            y = self.apply(y, "y")
        return x, y

    @classmethod
    def examples(cls) -> list[str]:
        plain = [t for t in TRANSFORMS if t not in ("plane-spiral", "swissroll")]
        return [f"transformed[base=gaussian[dim=2,rho=0.6],transform={t}]" for t in plain] + [
            "transformed[base=student-t[dim=3,dof=4],transform=spiral,apply_to=x]",
            "transformed[base=gaussian-pairs[dim_x=3,dim_y=3],transform=plane-spiral]",
            "transformed[base=transformed[base=gaussian[dim=1,rho=0.75],transform=normal-cdf],"
            "transform=swissroll,apply_to=x]",
        ]
