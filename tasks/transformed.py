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
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import ndtr

from mibench import ParameterError, Task, register_task, require
from mibench.factory import get_task


def _spiral(v: np.ndarray, speed: float) -> np.ndarray:
    theta = speed * np.linalg.norm(v, axis=1)
    c, s = np.cos(theta), np.sin(theta)
    out = v.copy()
    for i in range(0, v.shape[1] - 1, 2):
        a, b = v[:, i], v[:, i + 1]
        out[:, i] = c * a - s * b
        out[:, i + 1] = s * a + c * b
    return out


COORDINATEWISE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "cube": lambda v: v**3,
    "asinh": np.arcsinh,
    "normal-cdf": ndtr,
    "half-cube": lambda v: v * np.sqrt(np.abs(v)),
    "wiggly": lambda v: v + 0.4 * np.sin(2 * v),
}
TRANSFORMS = (*COORDINATEWISE, "spiral")


@register_task("transformed")
class Transformed(Task):
    """A base task with an invertible transform of X, Y or both.

    Parameters
    ----------
    base : str
        Selector of the base task, e.g. ``gaussian[dim=5,rho=0.6]``.
    transform : str
        One of cube, asinh, normal-cdf, half-cube, wiggly, spiral.
    apply_to : {"both", "x", "y"}
        Which variable is transformed.
    speed : float
        Angle per unit norm for ``spiral``.
    """

    description = "base task with invertible maps on X/Y (cube, asinh, normal-cdf, half-cube, " \
                  "wiggly, spiral); MI unchanged"

    def __init__(self, base: str = "gaussian[dim=2,rho=0.75]", transform: str = "cube",
                 apply_to: str = "both", speed: float = 1.0) -> None:
        require(transform in TRANSFORMS,
                f"transformed: transform must be one of {TRANSFORMS}; got {transform!r}")
        require(apply_to in ("both", "x", "y"),
                f"transformed: apply_to must be 'both', 'x' or 'y'; got {apply_to!r}")
        require(isinstance(speed, (int, float)) and not isinstance(speed, bool),
                f"transformed: speed must be a number; got {speed!r}")
        require(isinstance(base, str), f"transformed: base must be a task selector; got {base!r}")
        try:
            self._base = get_task(base)
        except ParameterError as exc:
            raise ParameterError(f"transformed: bad base task {base!r}: {exc}") from None
        if transform == "spiral":
            dims = {"both": (self._base.dim_x, self._base.dim_y), "x": (self._base.dim_x,),
                    "y": (self._base.dim_y,)}[apply_to]
            require(min(dims) >= 2, "transformed: spiral needs dimension >= 2 in each "
                                    f"transformed variable; base {base!r} has {min(dims)}")
        # stored in its short form, so equal bases give equal tasks and cache keys
        self.base = self._base.selector()
        self.transform = transform
        self.apply_to = apply_to
        self.speed = float(speed)

    @property
    def family(self) -> str:
        return f"transformed:{self.transform}"

    def display_value(self, name: str, value: object) -> object:
        """The base task in its short form (its own defaults left out)."""
        if name == "base" and isinstance(value, str):
            return get_task(value).selector()
        return value

    @property
    def dim_x(self) -> int:
        return self._base.dim_x

    @property
    def dim_y(self) -> int:
        return self._base.dim_y

    @property
    def mi(self) -> float:
        return self._base.mi

    def apply(self, v: np.ndarray) -> np.ndarray:
        if self.transform == "spiral":
            return _spiral(v, self.speed)
        return COORDINATEWISE[self.transform](v)

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._base.sample(n, rng)
        if self.apply_to in ("both", "x"):
            x = self.apply(x)
        if self.apply_to in ("both", "y"):
            y = self.apply(y)
        return x, y

    @classmethod
    def examples(cls) -> list[str]:
        return [f"transformed[base=gaussian[dim=2,rho=0.6],transform={t}]" for t in TRANSFORMS] \
            + ["transformed[base=student-t[dim=3,dof=4],transform=spiral,apply_to=x]"]
