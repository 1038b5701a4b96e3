"""Provenance recorded in every result row: versions, git revision, host, threads."""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
import socket
import subprocess
from pathlib import Path
from typing import Any

_PACKAGES = {
    "mibench": "mibench_version",
    "numpy": "numpy_version",
    "scipy": "scipy_version",
    "scikit-learn": "sklearn_version",
    "pandas": "pandas_version",
    "torch": "torch_version",
}


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return ""


@functools.lru_cache(maxsize=1)
def git_revision() -> str:
    """Git revision of the mibench source tree ('+dirty' if modified), or ''.

    Only when mibench's own source is tracked by that repository: an
    installed copy inside some other repository (a virtualenv in a project)
    has no revision of its own, and gets ''.
    """
    pkg = Path(__file__).resolve().parents[1]  # the mibench package
    here = pkg.parent
    try:
        tracked = subprocess.run(["git", "-C", str(here), "ls-files", "--error-unmatch",
                                  str(pkg / "__init__.py")],
                                 capture_output=True, text=True, timeout=5)
        if tracked.returncode != 0:
            return ""
        rev = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=5)
        if rev.returncode != 0:
            return ""
        # --no-optional-locks: a plain status refreshes the index under .git/index.lock,
        # and one killed by the timeout leaves that lock behind in the user's repository
        dirty = subprocess.run(["git", "--no-optional-locks", "-C", str(here), "status",
                                "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5)
        return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return ""


@functools.lru_cache(maxsize=1)
def static_provenance() -> dict[str, Any]:
    """Facts about the software and the machine that do not change during a run."""
    info: dict[str, Any] = {col: _version(dist) for dist, col in _PACKAGES.items()}
    info.update(
        python_version=platform.python_version(),
        platform=platform.platform(),
        git_revision=git_revision(),
        cpu_count=os.cpu_count() or 0,
    )
    return info


def plugin_provenance(cell: Any) -> dict[str, str]:
    """The distributions (name==version) that provide the cell's estimator and task,
    looked up in the process that runs the cell."""
    from ..core.registry import estimators, tasks
    from ..plan.fingerprint import provider

    out = {}
    for col, reg, name in (("estimator_dist", estimators, cell.estimator_name),
                           ("task_dist", tasks, cell.task_name)):
        try:
            obj = reg.entry(name).obj
        except Exception:  # an unknown plugin fails later, with its own message
            obj = None
        out[col] = provider(obj) if isinstance(obj, type) else ""
    return out


def host_name() -> str:
    return socket.gethostname()
