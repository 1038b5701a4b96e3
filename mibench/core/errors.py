"""Error types raised by mibench for problems a user can cause.

Every error carries a message that names the offending argument and what was
expected, so that the CLI can print it on one line without a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class MibenchError(Exception):
    """Base class of every error mibench raises on purpose."""


class InputError(MibenchError, ValueError):
    """Data handed to an estimator or a task is unusable (shape, dtype, NaN...)."""


class ParameterError(MibenchError, ValueError):
    """A hyperparameter or option has an unknown name or an impossible value."""


class UnknownNameError(MibenchError, LookupError):
    """No estimator, task or suite is registered under the requested name."""

    def __str__(self) -> str:  # LookupError would quote the message otherwise
        return str(self.args[0]) if self.args else ""


class SelectorError(MibenchError, ValueError):
    """A selector such as ``NAME[k=5]`` is malformed."""


class PluginUnavailableError(MibenchError, RuntimeError):
    """A plugin is registered but cannot run here (for example torch is missing)."""


class PluginError(MibenchError, TypeError):
    """A plugin is registered inconsistently (for example under two names)."""


class StoreError(MibenchError, OSError):
    """The result store cannot be created, opened or written."""


def suggest(name: str, candidates: Iterable[str]) -> str:
    """Return a ``" Did you mean ...?"`` suffix listing close matches, or ``""``."""
    cands = list(candidates)
    close = difflib.get_close_matches(name, cands, n=3, cutoff=0.5)
    low = name.lower()
    close += [c for c in cands if low and c not in close and (c.lower().startswith(low)
                                                            or low in c.lower())][:3]
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"
