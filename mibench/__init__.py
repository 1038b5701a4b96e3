"""mibench: benchmark mutual-information estimators on tasks with known MI.

Quick start (NAME is any name from ``list_estimators()`` / ``list_tasks()``, or
``mibench list``; README.md has the same with the shipped plugins)::

    import mibench
    est = mibench.get_estimator("NAME", key=value)        # or "NAME[key=value]"
    task = mibench.get_task("NAME[key=value]")
    x, y = task.sample(1000, np.random.default_rng(0))
    est.estimate(x, y), task.mi
    df = mibench.run(estimators="NAME[key=1|2]", tasks="NAME", n=1000, seeds=5)

The engine is in layers that import only downward — ``core`` (contracts,
declared parameters, registry), ``plan`` (the run specification and its
cells), ``store`` (the declared result row and the store), ``run``
(executors), ``analysis``, ``report`` and ``cli``; plugins import
:mod:`mibench.plugin`, and :mod:`mibench.testing` holds the contract suite.
"""

from __future__ import annotations

from . import _compat
from .analysis.summary import summarize
from .core.contracts import (
    Ceiling,
    ContractSettings,
    EstimateResult,
    Estimator,
    Task,
    TrainingCurve,
)
from .core.errors import (
    InputError,
    MibenchError,
    ParameterError,
    PluginUnavailableError,
    SelectorError,
    StoreError,
    UnknownNameError,
)
from .core.factory import get_estimator, get_task
from .core.params import param, require
from .core.registry import module_error, register_estimator, register_task
from .plan.suites import Suite, SuiteGroup, get_suite, register_suite
from .run.runner import run
from .store.schema import Status
from .store.sqlite import load_results

_compat.install()

__version__ = "0.1.0"


def list_estimators() -> list[str]:
    """Names of every registered estimator (available or not)."""
    from .core.registry import estimators

    return estimators.names()


def list_tasks() -> list[str]:
    """Names of every registered task family."""
    from .core.registry import tasks

    return tasks.names()


__all__ = [
    "Ceiling",
    "ContractSettings",
    "EstimateResult",
    "Estimator",
    "InputError",
    "MibenchError",
    "ParameterError",
    "PluginUnavailableError",
    "SelectorError",
    "Status",
    "StoreError",
    "Suite",
    "SuiteGroup",
    "Task",
    "TrainingCurve",
    "UnknownNameError",
    "get_estimator",
    "get_suite",
    "get_task",
    "list_estimators",
    "list_tasks",
    "load_results",
    "module_error",
    "param",
    "register_estimator",
    "register_suite",
    "register_task",
    "require",
    "run",
    "summarize",
]
