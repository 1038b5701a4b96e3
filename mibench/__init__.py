"""mibench: benchmark mutual-information estimators on tasks with known MI.

Quick start (NAME is any name from ``list_estimators()`` / ``list_tasks()``, or
``mibench list``; README.md has the same with the shipped plugins)::

    import mibench
    est = mibench.get_estimator("NAME", key=value)        # or "NAME[key=value]"
    task = mibench.get_task("NAME[key=value]")
    x, y = task.sample(1000, np.random.default_rng(0))
    est.estimate(x, y), task.mi
    df = mibench.run(estimators="NAME[key=1|2]", tasks="NAME", n=1000, seeds=5)
"""

from __future__ import annotations

from .base import ContractSettings, EstimateResult, Estimator, Task, require
from .errors import (
    InputError,
    MibenchError,
    ParameterError,
    PluginUnavailableError,
    SelectorError,
    StoreError,
    UnknownNameError,
)
from .factory import get_estimator, get_task
from .registry import module_error, register_estimator, register_task
from .runner import run, summarize
from .store import load_results
from .suites import Suite, SuiteGroup, get_suite, register_suite

__version__ = "0.1.0"


def list_estimators() -> list[str]:
    """Names of every registered estimator (available or not)."""
    from .registry import estimators

    return estimators.names()


def list_tasks() -> list[str]:
    """Names of every registered task family."""
    from .registry import tasks

    return tasks.names()


__all__ = [
    "ContractSettings",
    "EstimateResult",
    "Estimator",
    "InputError",
    "MibenchError",
    "ParameterError",
    "PluginUnavailableError",
    "SelectorError",
    "StoreError",
    "Suite",
    "SuiteGroup",
    "Task",
    "UnknownNameError",
    "get_estimator",
    "get_suite",
    "get_task",
    "list_estimators",
    "list_tasks",
    "load_results",
    "module_error",
    "register_estimator",
    "register_suite",
    "register_task",
    "require",
    "run",
    "summarize",
]
