"""The contracts every estimator and task implements.

This module imports nothing from the rest of mibench except the error types,
the declared-parameter machinery and the validation helpers, so a plugin
depends on a small, stable surface (re-exported by :mod:`mibench.plugin`).

Estimators
    Configured by constructor keyword arguments only (hyperparameters, as in
    scikit-learn), declared with :func:`mibench.core.params.param` or written
    as a plain ``__init__`` that stores each argument on an attribute of the
    same name; parameters are read back with :meth:`get_params`, which gives
    grids, display names and cache keys for free. ``estimate(x, y)`` returns
    the MI estimate in nats; ``estimate_with_info(x, y)`` returns an
    :class:`EstimateResult` with what the engine reads (device, training
    steps and curve, ceiling) as typed fields and free-form diagnostics in
    ``info``. Randomness comes from the ``seed`` parameter (if the estimator
    has one), never from global state.

Tasks
    A joint distribution of (X, Y) with known mutual information: ``dim_x``,
    ``dim_y``, ``mi`` (nats) and ``sample(n, rng)`` returning float64 arrays of
    shapes (n, dim_x) and (n, dim_y) drawn from the given
    ``numpy.random.Generator``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .errors import InputError
from .params import Configurable
from .validation import as_generator, check_n, check_xy


@dataclass(frozen=True)
class Ceiling:
    """The most an estimate can report whatever the truth (nats), and why: log K for
    InfoNCE at batch K, the log of the number of negative pairs for DV-type bounds."""

    value: float
    note: str


@dataclass
class TrainingCurve:
    """What an estimator trained by steps read during training, one point per
    evaluation: ``heldout`` (nats) on rows it does not train on, ``train`` on
    training rows where it reads both; ``label`` says what ``heldout`` is."""

    step: list[int]
    heldout: list[float | None]
    train: list[float | None] | None = None
    label: str = "held-out estimate"


@dataclass(frozen=True)
class Consistency:
    """What a self-consistency task checks (Song & Ermon 2020), for the report: the
    ``test`` it belongs to, its position ``step`` on that test's axis and — for a ratio
    test — the task whose estimate is the denominator (``reference``, a selector) and the
    ratio the two estimates should have (``ideal``). A test without a reference asks for
    estimates that rise with ``step``."""

    test: str
    step: float
    reference: str | None = None
    ideal: float | None = None


@dataclass
class EstimateResult:
    """An estimate with what the engine reads of it, and free-form diagnostics.

    The typed fields are stored in every result row and read by the analysis
    and the report: ``device`` the estimate ran on; for estimators trained by
    steps, ``steps`` taken, ``budget`` ("steps" or "epochs": how the budget was
    given) and the training ``curve``; ``ceiling``, where the method has one.
    ``info`` holds anything else (convergence verdicts, bin counts...);
    ``warnings`` collects human-readable remarks.
    """

    value: float
    info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    wall_time_s: float = float("nan")
    device: str = "cpu"
    steps: int | None = None
    budget: str | None = None
    curve: TrainingCurve | None = None
    ceiling: Ceiling | None = None

    def __post_init__(self) -> None:
        if self.ceiling is not None and not math.isfinite(self.ceiling.value):
            self.ceiling = None  # no finite ceiling is no ceiling


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

    @property
    def image_shape(self) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """Optional: the (channels, height, width) of X's and of Y's images, for tasks whose
        samples are images, kept flat in C order. An estimator with an ``image_shape``
        parameter (a convolutional critic) is given it by the runner."""
        return None

    @property
    def consistency(self) -> Consistency | None:
        """Optional: the self-consistency test this task is a step of (see
        :class:`Consistency`); the report draws and scores such tests."""
        return None

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


__all__ = [
    "Ceiling",
    "Consistency",
    "ContractSettings",
    "EstimateResult",
    "Estimator",
    "Task",
    "TrainingCurve",
]
