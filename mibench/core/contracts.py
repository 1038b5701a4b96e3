"""The contracts every estimator and task implements.

This module imports nothing from the rest of mibench except the error types
and validation helpers, so a plugin depends on a small, stable surface.

Estimators
    Configured by constructor keyword arguments only (hyperparameters, as in
    scikit-learn). Each constructor argument is stored on an attribute of the
    same name, so parameters can be read back with :meth:`get_params`, which
    gives grids, display names and cache keys for free. ``estimate(x, y)``
    returns the MI estimate in nats; ``estimate_with_info(x, y)`` also returns
    diagnostics. Randomness comes from the ``seed`` parameter (if the estimator
    has one), never from global state.

Tasks
    A joint distribution of (X, Y) with known mutual information: ``dim_x``,
    ``dim_y``, ``mi`` (nats) and ``sample(n, rng)`` returning float64 arrays of
    shapes (n, dim_x) and (n, dim_y) drawn from the given
    ``numpy.random.Generator``.
"""

from __future__ import annotations

import inspect
import json
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .errors import InputError, ParameterError, suggest
from .validation import as_generator, check_n, check_xy


class Configurable:
    """Constructor-only configuration with introspectable parameters."""

    #: Registry name, set by the registration decorator.
    name: ClassVar[str] = ""

    @classmethod
    def param_defaults(cls) -> dict[str, Any]:
        """Constructor parameters and their defaults (``inspect.Parameter.empty`` if none)."""
        sig = inspect.signature(cls.__init__)
        out: dict[str, Any] = {}
        for pname, p in sig.parameters.items():
            if pname == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            out[pname] = p.default
        return out

    @classmethod
    def check_param_names(cls, params: dict[str, Any]) -> None:
        """Raise :class:`ParameterError` for any name the constructor does not take."""
        known = cls.param_defaults()
        for key in params:
            if key not in known:
                raise ParameterError(
                    f"{cls.name or cls.__name__!r} has no parameter {key!r}."
                    + suggest(key, known)
                    + f" Known parameters: {', '.join(known) or '(none)'}"
                )

    def get_params(self) -> dict[str, Any]:
        """Current values of every constructor parameter."""
        return {k: getattr(self, k) for k in self.param_defaults()}

    def with_params(self, **changes: Any) -> Any:
        """A new instance with some parameters changed."""
        self.check_param_names(changes)
        params = self.get_params()
        params.update(changes)
        return type(self)(**params)

    def changed_params(self) -> dict[str, Any]:
        """Parameters whose value differs from the constructor default, in their
        display form (:meth:`display_value`)."""
        out = {}
        for k, default in self.param_defaults().items():
            v = self.display_value(k, getattr(self, k))
            if default is inspect.Parameter.empty or not _same(
                    v, self.display_value(k, default)):
                out[k] = v
        return out

    def display_value(self, name: str, value: Any) -> Any:
        """How parameter ``name`` with ``value`` appears in labels (hook).

        The default shows the value itself. A plugin whose parameter holds a
        nested selector (such as a base task) returns that selector's short
        form, so labels leave out nested defaults too. Cache keys never use
        this form (see :meth:`canonical`).
        """
        return value

    def selector(self, *, skip: tuple[str, ...] = ()) -> str:
        """Display form such as ``NAME[k=5]`` (only non-default parameters)."""
        items = [(k, v) for k, v in self.changed_params().items() if k not in skip]
        if not items:
            return self.name
        return f"{self.name}[" + ",".join(f"{k}={format_value(v)}" for k, v in items) + "]"

    def canonical(self, *, skip: tuple[str, ...] = ()) -> str:
        """Stable JSON of name and every parameter; used for cache keys."""
        params = {k: v for k, v in self.get_params().items() if k not in skip}
        return json.dumps({"name": self.name, "params": to_jsonable(params)}, sort_keys=True)

    def __repr__(self) -> str:
        return self.selector()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Configurable) and type(self) is type(other) and (
            self.canonical() == other.canonical())

    def __hash__(self) -> int:
        return hash(self.canonical())


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    try:
        return bool(a == b)
    except Exception:
        return False


def format_value(v: Any) -> str:
    """Render a parameter value the way the selector parser reads it back."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "none"
    if isinstance(v, (tuple, list)):
        return "(" + ",".join(format_value(e) for e in v) + ("," if len(v) == 1 else "") + ")"
    return str(v)


def to_jsonable(v: Any) -> Any:
    """Convert parameter values to JSON-compatible data (tuples become lists)."""
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return repr(v)


@dataclass
class EstimateResult:
    """An estimate with its diagnostics.

    ``info`` holds estimator-specific data: for a neural estimator the training
    curve, steps, device and a convergence flag; for classical ones little or
    nothing. ``warnings`` collects human-readable remarks.
    """

    value: float
    info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    wall_time_s: float = float("nan")


@dataclass(frozen=True)
class ContractSettings:
    """How the shared contract suite should exercise an estimator.

    ``fast_params`` override hyperparameters so that the suite runs quickly
    (for example a short training budget). ``zero_tol`` bounds |I| on
    independent data and ``easy_tol`` bounds |I - truth| on an easy Gaussian
    (1-D, rho = 0.8, truth 0.511 nats) at ``n_samples`` samples.
    """

    fast_params: dict[str, Any] = field(default_factory=dict)
    n_samples: int = 2000
    zero_tol: float = 0.08
    easy_tol: float = 0.12
    deterministic: bool = True
    #: The checks take minutes (each trains a model); the suite marks them ``slow``,
    #: which the default test command leaves out (``pytest -m slow`` runs them).
    slow: bool = False


class Estimator(Configurable):
    """Base class of MI estimators.

    Subclasses implement :meth:`_estimate` on validated float64 arrays of shape
    (n, dx) and (n, dy), returning a float or an :class:`EstimateResult`. They
    may override :meth:`min_samples` and :attr:`allow_constant_columns`.
    """

    #: One-line description shown by ``mibench list``.
    description: ClassVar[str] = ""
    #: Optional third-party modules needed at estimate time (checked by the registry).
    requires: ClassVar[tuple[str, ...]] = ()
    #: Whether a column with a single value is acceptable input.
    allow_constant_columns: ClassVar[bool] = False
    #: Settings for the contract suite.
    contract: ClassVar[ContractSettings] = ContractSettings()

    def min_samples(self, dim_x: int, dim_y: int) -> int:
        """Least number of samples this configuration can work with."""
        return 2

    def prepare(self) -> None:
        """One-off set-up (imports, device initialisation) that the runner does
        before timing a cell, so that the first cell of a run is not charged
        for it. The default does nothing."""

    def step_timing(self, device: str = "cpu") -> list[dict[str, float]] | None:
        """Hook for estimators trained by steps: measured time per training step.

        Returns rows ``{"batch_size", "dim", "time_per_step_s"}`` over a grid of
        batch sizes (at one dimension) and of dimensions (at one batch size),
        which ``mibench scaling --measure-steps`` fits against each axis; ``dim``
        is dim_x + dim_y. The default, None, means the estimator has no steps.
        """
        return None

    def validate(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Check inputs (see :func:`mibench.validation.check_xy`)."""
        xa = np.asarray(x) if not isinstance(x, np.ndarray) else x
        ya = np.asarray(y) if not isinstance(y, np.ndarray) else y
        dx = xa.shape[1] if getattr(xa, "ndim", 0) == 2 else 1
        dy = ya.shape[1] if getattr(ya, "ndim", 0) == 2 else 1
        return check_xy(
            x,
            y,
            min_samples=self.min_samples(dx, dy),
            allow_constant=self.allow_constant_columns,
            estimator=repr(self.selector()),
        )

    def estimate_with_info(self, x: Any, y: Any) -> EstimateResult:
        """Estimate I(X; Y) in nats and return it with diagnostics."""
        xa, ya = self.validate(x, y)
        t0 = time.perf_counter()
        out = self._estimate(xa, ya)
        elapsed = time.perf_counter() - t0
        res = out if isinstance(out, EstimateResult) else EstimateResult(float(out))
        res.value = float(res.value)
        res.wall_time_s = elapsed
        return res

    def estimate(self, x: Any, y: Any) -> float:
        """Estimate I(X; Y) in nats."""
        return self.estimate_with_info(x, y).value

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> float | EstimateResult:
        raise NotImplementedError


class Task(Configurable):
    """Base class of tasks: joint distributions of (X, Y) with known MI.

    Subclasses validate their parameters in ``__init__`` (raising
    :class:`ParameterError`), and implement :attr:`dim_x`, :attr:`dim_y`,
    :attr:`mi` and :meth:`_sample`.
    """

    description: ClassVar[str] = ""

    @property
    def dim_x(self) -> int:
        raise NotImplementedError

    @property
    def dim_y(self) -> int:
        raise NotImplementedError

    @property
    def mi(self) -> float:
        """True mutual information in nats."""
        raise NotImplementedError

    @property
    def mi_se(self) -> float:
        """Standard error of :attr:`mi`: 0 for a closed form; a Monte Carlo truth sets it."""
        return 0.0

    @property
    def family(self) -> str:
        """Family name used to group tasks in reports (defaults to the registry name)."""
        return self.name

    def pmi(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Optional: pointwise mutual information log p(x,y) − log p(x) − log p(y) of
        each row (nats), for tasks whose densities are known. Its mean is :attr:`mi`;
        reports draw its histogram (a PMI profile). See :attr:`has_pmi`."""
        raise NotImplementedError(f"task {self.name!r} does not evaluate pointwise MI")

    @property
    def has_pmi(self) -> bool:
        return type(self).pmi is not Task.pmi

    def sample(self, n: int, rng: Any) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` paired samples using ``rng`` (a Generator, SeedSequence or int)."""
        n = check_n(n)
        gen = as_generator(rng)
        x, y = self._sample(n, gen)
        return (self._shaped(x, n, self.dim_x, "x"), self._shaped(y, n, self.dim_y, "y"))

    def _shaped(self, a: Any, n: int, dim: int, which: str) -> np.ndarray:
        """``a`` as a float64 (n, dim) array; a 1-D array of n values is a column
        when dim is 1. Any other shape is the plugin's error, named as such
        (reshaping a (dim, n) array would silently scramble the samples)."""
        arr = np.ascontiguousarray(a, dtype=np.float64)
        if arr.ndim == 1 and dim == 1 and arr.shape[0] == n:
            arr = arr.reshape(n, 1)
        if arr.shape != (n, dim):
            raise InputError(f"task {self.name or type(self).__name__!r} sampled {which} of "
                             f"shape {arr.shape}; expected ({n}, {dim})")
        return arr

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


def require(condition: bool, message: str) -> None:
    """Raise :class:`ParameterError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ParameterError(message)


__all__ = [
    "Configurable",
    "ContractSettings",
    "EstimateResult",
    "Estimator",
    "InputError",
    "ParameterError",
    "Task",
    "require",
]
