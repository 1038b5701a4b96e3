"""The shared contract suite, run over every registered estimator and task.

Plugins that tests register for their own purposes (a deliberately failing
estimator, say) are left out: they live in modules of this test package.
"""

from __future__ import annotations

import pytest

from mibench.core import registry
from mibench.testing import estimator_checks, task_checks, task_examples


def _installed(entries: list[registry.Entry]) -> list[registry.Entry]:
    return [e for e in entries if not e.origin.startswith("tests.")]


def _estimator_cases() -> list[tuple[str, object]]:
    cases = []
    for entry in _installed(registry.estimators.entries()):
        if entry.reason is not None:
            cases.append(pytest.param(entry.name, None, marks=pytest.mark.skip(
                reason=f"unavailable: {entry.reason}"), id=f"{entry.name}"))
            continue
        slow = entry.obj is not None and entry.obj.contract.slow
        for check in estimator_checks(entry.name):
            cases.append(pytest.param(entry.name, check, id=f"{entry.name}-{check.__name__}",
                                      marks=[pytest.mark.slow] if slow else []))
    return cases


def _task_cases() -> list[object]:
    cases = []
    for entry in _installed(registry.tasks.entries()):
        assert entry.obj is not None, f"task plugin {entry.name} failed to load: {entry.reason}"
        for sel in task_examples(entry.obj):
            for check in task_checks(sel):
                cases.append(pytest.param(check, id=f"{sel}-{check.__name__}"))
    return cases


@pytest.mark.parametrize(("name", "check"), _estimator_cases())
def test_estimator_contract(name: str, check) -> None:
    check()


@pytest.mark.parametrize("check", _task_cases())
def test_task_contract(check) -> None:
    check()


def test_every_builtin_plugin_loaded() -> None:
    builtin = [e for e in registry.estimators.entries() + registry.tasks.entries()
               if e.origin.startswith(("mibench_estimators.", "mibench_tasks."))]
    broken = [e for e in builtin if e.obj is None]
    assert len(builtin) >= 30 and not broken, [(e.name, e.error) for e in broken]
