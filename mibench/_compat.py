"""The module paths of mibench 0.1's flat engine, kept importable for plugins and scripts.

``import mibench.validation`` (and the rest of :data:`MOVED`) gives a module
holding the public names of the modules that took its place, with a
DeprecationWarning naming them; new code imports :mod:`mibench.plugin` or the
layered modules. A finder on ``sys.meta_path`` answers only these names.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from collections.abc import Sequence

MOVED: dict[str, tuple[str, ...]] = {
    "mibench.base": ("mibench.core.contracts", "mibench.core.params"),
    "mibench.errors": ("mibench.core.errors",),
    "mibench.validation": ("mibench.core.validation",),
    "mibench.selectors": ("mibench.core.selectors",),
    "mibench.registry": ("mibench.core.registry",),
    "mibench.factory": ("mibench.core.factory",),
    "mibench.runtime": ("mibench.core.threads",),
    "mibench.suites": ("mibench.plan.suites",),
    "mibench.fingerprint": ("mibench.plan.fingerprint",),
    "mibench.execute": ("mibench.run.cell",),
    "mibench.executors": ("mibench.run.executors",),
    "mibench.isolation": ("mibench.run.isolation",),
    "mibench.cellproc": ("mibench.run.cellproc",),
    "mibench.measure": ("mibench.run.measure",),
    "mibench.provenance": ("mibench.run.provenance",),
    "mibench.runner": ("mibench.run.runner", "mibench.analysis.summary"),
    "mibench.runlock": ("mibench.store.lock",),
    "mibench.scaling": ("mibench.analysis.scaling",),
    "mibench.scores": ("mibench.analysis.scores",),
    "mibench.summary": ("mibench.analysis.summary",),
    "mibench.report_cli": ("mibench.cli.report_cmd",),
}


class _MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return types.ModuleType(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        targets = MOVED[module.__name__]
        warnings.warn(f"{module.__name__} moved to {', '.join(targets)}; plugins import "
                      "mibench.plugin", DeprecationWarning, stacklevel=2)
        for target in targets:
            real = importlib.import_module(target)
            module.__dict__.update({k: v for k, v in vars(real).items()
                                    if not k.startswith("__")})


def install() -> None:
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
