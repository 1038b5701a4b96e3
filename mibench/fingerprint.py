"""Version fingerprints of plugins: which code produced a result.

A result is only worth reusing if it came from the same code. The
fingerprint of an estimator or task class combines

* the version of the installed distribution that provides its module (for
  a third-party plugin, and for the built-in plugins: mibench's own), and
* a hash of the source of the module that defines it — or, when that module
  is a package's ``__init__``, of every ``.py`` file of that package, since
  a plugin split over private helper modules (a training loop, a critic)
  changes with any of them.

It is part of every cell's key, so an edited plugin gets new keys: resume
reruns its cells instead of reusing rows from the old code, and reports keep
the two apart. Computed once per class and process.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import inspect
import sys
from pathlib import Path


@functools.lru_cache(maxsize=1)
def _providers() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


def _dist_version(module: str) -> str:
    top = module.split(".", 1)[0]
    parts = []
    for dist in sorted(set(_providers().get(top, []))):
        try:
            parts.append(f"{dist}=={importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return ",".join(parts)


def provider(cls: type) -> str:
    """The installed distribution(s) that provide ``cls``'s module, as name==version."""
    return _dist_version(cls.__module__)


def _source_files(cls: type) -> list[Path]:
    mod = sys.modules.get(cls.__module__)
    path = getattr(mod, "__file__", None)
    if path is None:
        try:
            path = inspect.getsourcefile(cls)
        except TypeError:
            return []
    if path is None:
        return []
    p = Path(path)
    if p.name == "__init__.py":
        return sorted(p.parent.rglob("*.py"))
    return [p]


_CACHE: dict[type, str] = {}


def fingerprint(cls: type) -> str:
    """Short, stable fingerprint of the code behind ``cls`` (12 hex digits)."""
    if cls in _CACHE:
        return _CACHE[cls]
    h = hashlib.sha256()
    h.update(f"{cls.__module__}.{cls.__qualname__}|{_dist_version(cls.__module__)}".encode())
    for f in _source_files(cls):
        h.update(f.name.encode())
        try:
            h.update(f.read_bytes())
        except OSError:
            continue
    _CACHE[cls] = h.hexdigest()[:12]
    return _CACHE[cls]
