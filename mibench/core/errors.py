"""Error types raised by mibench for problems a user can cause.

Every error carries a message that names the offending argument and what was
expected, so that the CLI can print it on one line without a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable


class MibenchError(Exception):
    """Base class of every error mibench raises on purpose."""


class InputError(MibenchError, ValueError):
    """Data handed to an estimator or a task is unusable (shape, dtype, NaN...)."""


class ParameterError(MibenchError, ValueError):
    """A hyperparameter or option has an unknown name or an impossible value."""


class OptionError(ParameterError):
    """A run option has an impossible value or goes with another it does not fit.

    The rule is checked once (:class:`mibench.plan.RunSpec`); its message names
    the options through ``{0}``, ``{1}``... so that each front end says them in
    its own words: ``str()`` gives the keyword (``root_seed``), the command line
    :meth:`render` s the flag (``--root-seed``).
    """

    def __init__(self, template: str, *options: str) -> None:
        self.template = template
        self.options = options
        super().__init__(self.render(lambda o: o))

    def render(self, name: Callable[[str], str]) -> str:
        return self.template.format(*(name(o) for o in self.options))

    @staticmethod
    def quote(value: object) -> str:
        """``repr(value)`` safe to put into a template."""
        return repr(value).replace("{", "{{").replace("}", "}}")


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


class StoreFullError(StoreError):
    """The disk holding the result store is full: the run stops, and what it stored stays."""


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
