"""Everything a plugin imports, in one module.

An estimator or a task (a file in ``estimators/`` or ``tasks/``, or a
third-party package's entry point) needs only this::

    from mibench.plugin import Estimator, Integer, param, register_estimator

    @register_estimator("my-estimator")
    class MyEstimator(Estimator):
        \"\"\"One line shown by `mibench list`.\"\"\"
        k: int = param(3, Integer(min=1), "neighbours")

        def _estimate(self, x, y):   # validated float64 arrays (n, dx), (n, dy)
            ...

The names here are the stable plugin API; the engine's modules behind them
may move.
"""

from __future__ import annotations

from .core.contracts import (
    Ceiling,
    Consistency,
    ContractSettings,
    EstimateResult,
    Estimator,
    Task,
    TrainingCurve,
)
from .core.devices import resolve_device
from .core.errors import InputError, ParameterError, PluginUnavailableError
from .core.factory import get_estimator, get_task
from .core.margins import MARGINS, apply_margins, margins_param, normal_scores
from .core.params import (
    Anything,
    Bool,
    Constraint,
    Device,
    Either,
    Integer,
    OneOf,
    Optional,
    Param,
    Real,
    Reject,
    Text,
    Widths,
    param,
    require,
)
from .core.registry import module_error, register_estimator, register_task
from .core.threads import thread_budget
from .core.validation import standardize_columns
from .plan.suites import Suite, SuiteGroup, register_suite

__all__ = [
    "MARGINS",
    "Anything",
    "Bool",
    "Ceiling",
    "Consistency",
    "Constraint",
    "ContractSettings",
    "Device",
    "Either",
    "EstimateResult",
    "Estimator",
    "InputError",
    "Integer",
    "OneOf",
    "Optional",
    "Param",
    "ParameterError",
    "PluginUnavailableError",
    "Real",
    "Reject",
    "Suite",
    "SuiteGroup",
    "Task",
    "Text",
    "TrainingCurve",
    "Widths",
    "apply_margins",
    "get_estimator",
    "get_task",
    "margins_param",
    "module_error",
    "normal_scores",
    "param",
    "register_estimator",
    "register_suite",
    "register_task",
    "require",
    "resolve_device",
    "standardize_columns",
    "thread_budget",
]
