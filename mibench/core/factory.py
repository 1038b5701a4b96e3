"""Build estimator and task instances from names, selectors and parameters."""

from __future__ import annotations

from typing import Any

from .contracts import Estimator, Task
from .errors import MibenchError, ParameterError
from .params import Configurable
from .registry import Registry, estimators, tasks
from .selectors import Selector, parse_selector


def build(registry: Registry[Any], selector: str | Selector, **params: Any) -> Any:
    """Instantiate the plugin named by ``selector`` with extra ``params``."""
    if isinstance(selector, str):
        sels = parse_selector(selector)
        if len(sels) != 1:
            raise ParameterError(
                f"{selector!r} describes a grid of {len(sels)} configurations; "
                "give a single one here"
            )
        sel = sels[0]
    else:
        sel = selector
    cls: type[Configurable] = registry.get(sel.name)
    merged = {**sel.params, **params}
    cls.check_param_names(merged)
    try:
        return cls(**merged)
    except MibenchError:
        raise
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"bad parameters for {registry.kind} {sel.name!r}: {exc}") from exc


def get_estimator(selector: str | Selector, **params: Any) -> Estimator:
    """An estimator by name or selector, e.g. ``get_estimator("NAME", k=5)`` or ``"NAME[k=5]"``."""
    return build(estimators, selector, **params)


def get_task(selector: str | Selector, **params: Any) -> Task:
    """A task by name or selector, e.g. ``get_task("NAME", dim=2)`` or ``"NAME[dim=2]"``."""
    return build(tasks, selector, **params)
