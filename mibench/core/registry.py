"""Name registries for estimators, tasks and suites, with plugin discovery.

Built-in plugins are the modules of the packages ``mibench_estimators`` and
``mibench_tasks`` (the repository folders ``estimators/`` and ``tasks/``):
every module in them is imported, and each registers its classes with the
decorators below. Third-party packages add theirs through the entry-point
groups ``mibench.estimators`` and ``mibench.tasks``; an entry point may name
a class (registered under the entry point's name) or a module (whose import
registers with the decorators).

A plugin that cannot be imported, or whose ``requires`` modules are missing,
stays listed as *unavailable* with the reason; it never breaks the others.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import pkgutil
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .contracts import Estimator, Task
from .errors import PluginError, PluginUnavailableError, UnknownNameError, suggest

T = TypeVar("T")


@dataclass
class Entry:
    """One registered name."""

    name: str
    obj: Any | None
    origin: str
    error: str | None = None

    @property
    def available(self) -> bool:
        return self.error is None and availability_error(self.obj) is None

    @property
    def reason(self) -> str | None:
        return self.error or availability_error(self.obj)


_AVAIL_CACHE: dict[str, str | None] = {}


def availability_error(obj: Any) -> str | None:
    """Why a registered class cannot run here (its ``requires`` fail to import), or None."""
    return module_error(*(getattr(obj, "requires", ()) or ()))


def module_error(*modules: str) -> str | None:
    """Why one of ``modules`` cannot be imported here ("needs 'zuko', which is not
    installed"), or None; for a plugin whose option needs an optional package."""
    for mod in modules:
        if mod not in _AVAIL_CACHE:
            # find the module without importing it: importing torch to list the
            # estimators would cost seconds, and would make this process unsafe
            # to fork for worker processes
            try:
                found = importlib.util.find_spec(mod) is not None
                _AVAIL_CACHE[mod] = None if found else f"needs {mod!r}, which is not installed"
            except (ImportError, ValueError) as exc:  # a broken install
                _AVAIL_CACHE[mod] = f"needs {mod!r}, which cannot be found ({exc})"
        if _AVAIL_CACHE[mod] is not None:
            return _AVAIL_CACHE[mod]
    return None


class Registry(Generic[T]):
    """A name → plugin mapping filled from built-in packages and entry points."""

    def __init__(self, kind: str, group: str, builtin_package: str) -> None:
        self.kind = kind
        self.group = group
        self.builtin_package = builtin_package
        self._entries: dict[str, Entry] = {}
        self._loaded = False
        self._lock = threading.RLock()

    # -- registration -----------------------------------------------------
    def add(self, name: str, obj: Any, origin: str) -> None:
        carried = getattr(obj, "name", name) if isinstance(obj, type) else name
        if carried != name:
            raise PluginError(f"{self.kind} class {obj.__qualname__} carries the name "
                              f"{carried!r} but is being registered as {name!r}")
        with self._lock:
            old = self._entries.get(name)
            if old is not None and old.obj is not None and old.error is None:
                same = (
                    getattr(old.obj, "__qualname__", None) == getattr(obj, "__qualname__", None)
                    and old.origin == origin
                )
                if not same and old.obj is not obj:
                    warnings.warn(
                        f"{self.kind} name {name!r} from {origin} is already registered by "
                        f"{old.origin}; keeping the first",
                        stacklevel=3,
                    )
                    return
            self._entries[name] = Entry(name, obj, origin)

    def add_broken(self, name: str, origin: str, error: str) -> None:
        with self._lock:
            if name not in self._entries:
                self._entries[name] = Entry(name, None, origin, error)

    # -- discovery --------------------------------------------------------
    def load(self) -> None:
        """Import built-in plugin modules and entry points (once)."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            self._load_builtin()
            self._load_entry_points()

    def refresh(self) -> None:
        """Look for entry points again (after sys.path changed, e.g. a new install)."""
        with self._lock:
            self.load()
            self._load_entry_points()

    def _load_builtin(self) -> None:
        try:
            pkg = importlib.import_module(self.builtin_package)
        except Exception as exc:
            self.add_broken(self.builtin_package, self.builtin_package, _describe(exc))
            return
        for mod in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + ".",
                                         onerror=lambda _name: None):
            if mod.name.rsplit(".", 1)[-1].startswith("_"):
                continue
            try:
                importlib.import_module(mod.name)
            except Exception as exc:
                self.add_broken(mod.name.rsplit(".", 1)[-1], mod.name, _describe(exc))

    def _load_entry_points(self) -> None:
        for ep in importlib.metadata.entry_points(group=self.group):
            origin = f"entry point {ep.name} = {ep.value}"
            try:
                obj = ep.load()
            except Exception as exc:
                self.add_broken(ep.name, origin, _describe(exc))
                continue
            if isinstance(obj, type):
                if ep.name in self._entries and self._entries[ep.name].obj is obj:
                    continue
                own = obj.__dict__.get("name")
                if own and own != ep.name:
                    self.add_broken(ep.name, origin, (
                        f"{obj.__qualname__} is registered as {own!r}, not {ep.name!r}; "
                        "give the entry point the class's own name"))
                    continue
                # A class without a name of its own (one that subclasses a built-in
                # inherits the parent's) gets the entry point's, so that the name
                # it was looked up by is the name that runs, is stored and is
                # rebuilt in worker processes.
                obj.name = ep.name  # type: ignore[attr-defined]
                self.add(ep.name, obj, origin)

    # -- lookup -----------------------------------------------------------
    def entries(self) -> list[Entry]:
        self.load()
        return sorted(self._entries.values(), key=lambda e: e.name)

    def names(self) -> list[str]:
        return [e.name for e in self.entries()]

    def entry(self, name: str) -> Entry:
        self.load()
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}." + suggest(name, self._entries)
                + f" Available: {', '.join(sorted(self._entries)) or '(none)'}"
            ) from None

    def get(self, name: str) -> Any:
        """The registered class, or an error saying why it cannot be used."""
        e = self.entry(name)
        reason = e.reason
        if reason is not None:
            raise PluginUnavailableError(f"{self.kind} {name!r} is unavailable: {reason}")
        return e.obj


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


estimators: Registry[Estimator] = Registry("estimator", "mibench.estimators", "mibench_estimators")
tasks: Registry[Task] = Registry("task", "mibench.tasks", "mibench_tasks")


def _decorator(reg: Registry[Any], name: str) -> Callable[[type], type]:
    def wrap(cls: type) -> type:
        cls.name = name  # type: ignore[attr-defined]
        reg.add(name, cls, f"{cls.__module__}.{cls.__qualname__}")
        return cls

    return wrap


def register_estimator(name: str) -> Callable[[type], type]:
    """Class decorator: register an :class:`~mibench.base.Estimator` under ``name``."""
    return _decorator(estimators, name)


def register_task(name: str) -> Callable[[type], type]:
    """Class decorator: register a :class:`~mibench.base.Task` under ``name``."""
    return _decorator(tasks, name)
