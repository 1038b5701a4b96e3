"""Version fingerprints of plugins: which code produced a result.

A result is only worth reusing if it came from the same code. The
fingerprint of an estimator or task class combines

* the version of the installed distribution that provides its module (for
  a third-party plugin, and for the built-in plugins: mibench's own), and
* a hash of the code of the module that defines it — or, when that module
  is a package's ``__init__``, of every ``.py`` file of that package — and of
  every module of the same top-level package that it imports, directly or
  through those modules (relative or absolute imports, at module level or
  inside functions), since a plugin whose model, training loop or shared
  machinery lives in a helper module changes with it.

"Code" is the module's syntax tree with its docstrings dropped, written back
as text: comments, docstrings, blank lines and layout do not count, so
editing a plugin's documentation keeps its stored results, while any change
to what runs — a default, a constant, an expression — gives a new fingerprint.

It is part of every cell's key, so an edited plugin gets new keys: resume
reruns its cells instead of reusing rows from the old code, and reports keep
the two apart. Computed once per class and process. A stored row whose
fingerprint is today's code under the previous scheme (:func:`equivalents`)
is relabelled instead of rerun (:meth:`mibench.store.ResultStore.rekey`), so
a change of scheme does not throw results away.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import inspect
import sys
from collections.abc import Callable
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


def _import_targets(node: ast.Import | ast.ImportFrom, here: Path, top: str,
                    top_dir: Path) -> list[Path]:
    """Files an import statement in a module of the package at ``here`` may load,
    limited to the top-level package ``top`` (at ``top_dir``)."""
    if isinstance(node, ast.Import):
        dotted = [a.name.split(".") for a in node.names if a.name.split(".")[0] == top]
        return [f for parts in dotted for f in _module_files(top_dir.joinpath(*parts[1:]))]
    if node.level:
        base = here
        for _ in range(node.level - 1):
            base = base.parent
        parts = node.module.split(".") if node.module else []
    elif node.module and node.module.split(".")[0] == top:
        base, parts = top_dir, node.module.split(".")[1:]
    else:
        return []
    target = base.joinpath(*parts)
    # `from .pkg import name` may name a submodule as well as an attribute
    named = (f for a in node.names for f in _module_files(target / a.name))
    return [*_module_files(target), *named]


def _module_files(target: Path) -> list[Path]:
    return [f for f in (target.with_suffix(".py"), target / "__init__.py") if f.is_file()]


def _with_local_imports(files: list[Path], module: str) -> list[Path]:
    """``files`` and, transitively, every file of ``module``'s top-level package
    they import.

    Parsed rather than read from ``sys.modules``, so the answer does not depend
    on what happened to be imported before, and imports inside functions (a
    torch model built only when it is needed) count too.
    """
    top = module.split(".", 1)[0]
    top_file = getattr(sys.modules.get(top), "__file__", None)
    if top_file is None or Path(top_file).name != "__init__.py":
        return files  # a single-module plugin: nothing of its own to import
    top_dir = Path(top_file).resolve().parent
    seen = {f.resolve() for f in files}
    todo = list(seen)
    while todo:
        f = todo.pop()
        try:
            tree = ast.parse(f.read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for g in _import_targets(node, f.parent, top, top_dir):
                    g = g.resolve()
                    # importing a.b.c runs the packages on the way (below the top one)
                    on_the_way = [d / "__init__.py" for d in g.parents
                                  if top_dir in d.parents and (d / "__init__.py").is_file()]
                    for h in (g, *on_the_way):
                        if h not in seen and top_dir in h.parents:
                            seen.add(h)
                            todo.append(h)
    return sorted(seen)


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
    own = sorted(p.parent.rglob("*.py")) if p.name == "__init__.py" else [p]
    return _with_local_imports(own, cls.__module__)


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def code_text(source: bytes) -> bytes:
    """What of a module's source counts for its fingerprint: the syntax tree without
    docstrings, unparsed (the raw bytes where the source does not parse).

    ``ast.unparse`` rather than ``ast.dump``: the dump lists every node field,
    and fields are added between Python versions (3.12's ``type_params``),
    which would change every fingerprint on an interpreter upgrade. Unparsing
    is not frozen either (3.12 may quote an f-string differently), so a new
    Python can still rerun some cells: the conservative direction.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source
    for node in ast.walk(tree):
        if isinstance(node, _DOCUMENTED) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree).encode()


_CACHE: dict[type, str] = {}
# fingerprint -> the fingerprints that stand for the same code (itself and earlier schemes')
_EQUIVALENT: dict[str, frozenset[str]] = {}


def _digests(cls: type, *texts: Callable[[bytes], bytes]) -> list[str]:
    """One digest of ``cls``'s files per way of reading them (``texts``), from one
    walk of the files."""
    head = f"{cls.__module__}.{cls.__qualname__}|{_dist_version(cls.__module__)}".encode()
    hashes = [hashlib.sha256(head) for _ in texts]
    for f in _source_files(cls):
        try:
            raw = f.read_bytes()
        except OSError:
            continue
        for h, text in zip(hashes, texts, strict=True):
            h.update(f.name.encode())
            h.update(text(raw))
    return [h.hexdigest()[:12] for h in hashes]


def fingerprint(cls: type) -> str:
    """Short, stable fingerprint of the code behind ``cls`` (12 hex digits)."""
    if cls in _CACHE:
        return _CACHE[cls]
    fp, raw_fp = _digests(cls, code_text, lambda raw: raw)
    # The previous scheme hashed the same files byte for byte, so a row stored
    # under that digest of today's files was made by exactly today's code. (The
    # scheme before it hashed only the plugin's own file, which says nothing
    # about its helpers; its digests count only where they coincide with the
    # previous scheme's, as they do for single-file plugins.)
    _EQUIVALENT[fp] = frozenset({fp, raw_fp})
    _CACHE[cls] = fp
    return fp


def equivalents(fp: str) -> frozenset[str]:
    """The fingerprints that stand for the same code as ``fp``: itself and, once
    :func:`fingerprint` has computed ``fp`` in this process, its earlier-scheme digest."""
    return _EQUIVALENT.get(fp, frozenset({fp}))
