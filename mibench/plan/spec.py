"""The run specification: what to run and how, and every rule a run must obey, checked once.

The command line, a ``--config`` file and :func:`mibench.run` all build a
:class:`RunSpec`; its constructor checks every option and every rule that ties
options together, and nothing downstream checks them again. Messages name the
options through :class:`~mibench.core.errors.OptionError`, so that each front
end says them in its own words (``root_seed`` in Python, ``--root-seed`` on
the command line).

Seeding: one root ``numpy.random.SeedSequence`` per run (``root_seed``). The
data seed of a cell depends only on (task configuration, n, repetition), so
every estimator sees the same samples for the same repetition (paired
comparisons). The estimator seed depends on the whole cell. Both are derived
by hashing (:mod:`mibench.plan.cells`), so they do not depend on the order of
cells or the executor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.errors import OptionError, ParameterError
from ..core.factory import build
from ..core.registry import estimators, tasks
from ..core.selectors import parse_selectors
from .cells import PREPROCESS, Cell, make_cells
from .suites import DEFAULT_SUITE, SuiteGroup, get_suite

#: Repetitions per configuration when neither the run nor a suite says.
DEFAULT_SEEDS = 5
#: Where cells can run (:mod:`mibench.run.executors` implements each).
EXECUTORS = ("serial", "process", "dask")

_q = OptionError.quote


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    if isinstance(v, (str, int, np.integer)):
        return [v]
    return list(v)


def _positive_int(v: Any) -> bool:
    return bool(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0)


@dataclass
class RunSpec:
    """What to run (estimators × tasks × sample sizes × seeds, or a suite) and how.

    Without tasks or a suite the run is the ``default`` suite (then ``n`` may
    not be given: the suite fixes it); ``suite_defaulted`` says so.
    ``executor="serial"`` with ``jobs`` > 1 means ``process``.
    """

    estimators: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    n: list[int] = field(default_factory=list)
    seeds: int | None = None  # None: the suite's own, or DEFAULT_SEEDS without a suite
    suite: str | None = None
    root_seed: int = 0
    device: str | None = None
    preprocess: str | None = None  # None: the suite's own, or "none"
    executor: str = "serial"
    jobs: int = 1
    threads: int | None = None  # None: the usable cores divided by jobs
    timeout: float | None = None
    scheduler: str | None = None
    workers: int | None = None
    retry_failed: bool = False
    batch_seeds: bool = True
    suite_defaulted: bool = False

    def __post_init__(self) -> None:
        self.estimators = [str(e) for e in _as_list(self.estimators)]
        self.tasks = [str(t) for t in _as_list(self.tasks)]
        self.n = _as_list(self.n)
        self._check_what()
        self._check_how()

    # -- the rules ------------------------------------------------------------
    def _check_what(self) -> None:
        for v in self.n:
            if not _positive_int(v):
                raise OptionError(f"{{0}} values must be positive sample sizes; got {_q(v)}", "n")
        self.n = [int(v) for v in self.n]
        if self.seeds is not None and not _positive_int(self.seeds):
            raise OptionError(f"{{0}} must be a positive integer; got {_q(self.seeds)}", "seeds")
        if isinstance(self.root_seed, bool) or not isinstance(self.root_seed, (int, np.integer)) \
                or self.root_seed < 0:
            raise OptionError(f"{{0}} must be an integer >= 0; got {_q(self.root_seed)}",
                              "root_seed")
        self.root_seed = int(self.root_seed)
        if self.preprocess is not None and self.preprocess not in PREPROCESS:
            raise OptionError(f"{{0}} must be one of {', '.join(PREPROCESS)}; "
                              f"got {_q(self.preprocess)}", "preprocess")
        if self.suite and self.tasks:
            raise OptionError("give either a suite or tasks, not both ({0} fixes its tasks; "
                              "{1} and {2} override its sample sizes and seeds)", "suite", "n",
                              "seeds")
        if not self.suite and not self.tasks:
            if self.n:
                raise OptionError("{0} goes with {1} (e.g. {1} 'NAME[dim=2]' {0} 1000,10000); "
                                  "without tasks the default suite fixes n", "n", "tasks")
            self.suite, self.suite_defaulted = DEFAULT_SUITE, True
        if not self.suite:
            if not self.estimators:
                raise OptionError("give {0} (e.g. {0} NAME) or a suite ({1})", "estimators",
                                  "suite")
            if not self.n:
                raise OptionError("give {0} (e.g. {0} 1000,10000) or a suite ({1})", "n",
                                  "suite")

    def _check_how(self) -> None:
        if self.executor not in EXECUTORS:
            from ..core.errors import suggest

            raise OptionError(f"unknown executor {_q(self.executor)} for {{0}}."
                              + suggest(str(self.executor), EXECUTORS).replace("{", "{{")
                              + f" Available: {', '.join(EXECUTORS)}", "executor")
        for name in ("jobs", "threads", "workers"):
            v = getattr(self, name)
            if (v is not None or name == "jobs") and not _positive_int(v):
                raise OptionError(f"{{0}} must be a positive integer; got {_q(v)}", name)
        if self.timeout is not None:
            t = self.timeout
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not (
                    math.isfinite(t) and t > 0):
                raise OptionError(f"{{0}} must be a positive, finite number of seconds; "
                                  f"got {_q(t)}", "timeout")
            self.timeout = float(t)
        if self.executor != "dask" and (self.scheduler is not None or self.workers is not None):
            raise OptionError("{0} and {1} apply only to the dask executor ({2})", "scheduler",
                              "workers", "executor")
        if self.executor == "serial" and self.jobs > 1:
            self.executor = "process"

    def executor_options(self) -> dict[str, Any]:
        """Keyword arguments of the executor's constructor."""
        opts: dict[str, Any] = {"jobs": self.jobs, "threads": self.threads,
                                "timeout": self.timeout}
        if self.executor == "dask":
            opts.update(scheduler=self.scheduler, workers=self.workers)
        return opts

    # -- expansion into cells -------------------------------------------------
    def cells(self) -> list[Cell]:
        """Every cell of the run, in a stable order, each once."""
        overrides: dict[str, Any] = {}
        if self.device is not None:
            overrides["device"] = self.device
        if self.suite:
            suite = get_suite(self.suite)
            est_sel = self.estimators or list(suite.estimators)
            if not est_sel:
                raise ParameterError(f"suite {suite.name!r} names no estimators; "
                                     "give them (--estimators)")
            ests = build_all("estimator", est_sel, **overrides)
            cells: list[Cell] = []
            pre = self.preprocess if self.preprocess is not None else suite.preprocess
            for g in suite.groups:
                tsk = build_all("task", list(g.tasks))
                seeds = self.seeds if self.seeds is not None else g.seeds
                cells.extend(make_cells(ests, tsk, self.n or list(g.n), seeds, self.root_seed,
                                        labels=_group_labels(g), preprocess=pre))
            return _dedupe(cells)
        ests = build_all("estimator", self.estimators, **overrides)
        tsk = build_all("task", self.tasks)
        seeds = self.seeds if self.seeds is not None else DEFAULT_SEEDS
        return make_cells(ests, tsk, self.n, seeds, self.root_seed,
                          preprocess=self.preprocess or "none")


def build_all(kind: str, selectors: Sequence[str], **overrides: Any) -> list[Any]:
    """Instantiate every configuration described by the selectors (grids expanded);
    ``overrides`` go to the plugins that take them and are not set by the selector."""
    reg = estimators if kind == "estimator" else tasks
    out = []
    for sel in parse_selectors(list(selectors)):
        cls = reg.get(sel.name)
        extra = {k: v for k, v in overrides.items()
                 if k in cls.param_defaults() and k not in sel.params}
        out.append(build(reg, sel, **extra))
    return out


def _group_labels(group: SuiteGroup) -> dict[str, str]:
    """A suite group's labels keyed by each task's short selector."""
    out: dict[str, str] = {}
    for sel, label in zip(group.tasks, group.labels, strict=False):
        built = build_all("task", [sel])
        if len(built) != 1:
            raise ParameterError(f"suite label {label!r} names a grid of {len(built)} tasks "
                                 f"({sel!r}); a label needs one task")
        out[built[0].selector()] = label
    return out


def _dedupe(cells: list[Cell]) -> list[Cell]:
    seen: set[str] = set()
    out = []
    for c in cells:
        if c.key not in seen:
            seen.add(c.key)
            out.append(c)
    return out
