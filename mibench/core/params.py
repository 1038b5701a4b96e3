"""Declared constructor parameters: one declaration gives the signature, the checks and the docs.

A plugin declares each hyperparameter once, as a class attribute::

    class MyEstimator(Estimator):
        k: int = param(3, Integer(min=1), "neighbours")
        metric: str = param("max", OneOf("max", "euclidean"), "norm within X and within Y")

From the declarations the base class builds ``__init__(self, k=3, metric="max")``
(so :meth:`Configurable.param_defaults`, selectors, labels and cache keys see
an ordinary signature), checks every value on construction against its
constraint — the error names the plugin, the parameter, what was expected and
what was given, as ``"NAME: k must be a positive integer; got 0"`` — and then
calls :meth:`Configurable.__post_init__`, where rules that tie parameters
together are checked (with :func:`require`) and derived state is set.

Declarations merge along the class hierarchy, as in a dataclass: a subclass
lists its bases' parameters first, then its own, and may re-declare one to
change its default or constraint (the parameter keeps its place). A class
that writes its own ``__init__`` instead (the plain style, still supported
for plugins) declares nothing; mixing the two in one hierarchy is an error.

Why not scikit-learn's ``utils._param_validation``, the model for this: it is
private API, its messages are not ours, and our constraints need to know the
values the selector parser produces (``none``, tuples) and convert some of
them (an int width to a tuple of widths) so that cache keys stay as before.
"""

from __future__ import annotations

import inspect
import json
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .errors import ParameterError, PluginError, suggest


class Reject(Exception):
    """Raised by a constraint for a value it does not accept."""


class Constraint:
    """What a parameter accepts: :meth:`accept` returns the (possibly converted)
    value or raises :class:`Reject`; :meth:`describe` completes "must be ..."."""

    def accept(self, value: Any) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


class Anything(Constraint):
    """Any value (a parameter the plugin checks itself, in ``__post_init__``)."""

    def accept(self, value: Any) -> Any:
        return value

    def describe(self) -> str:
        return "any value"


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_real(v: Any) -> bool:
    return _is_int(v) or (isinstance(v, (float, np.floating)))


class Integer(Constraint):
    """An integer (not a bool) in ``[min, max]``; numpy integers become ``int``."""

    def __init__(self, min: int | None = None, max: int | None = None) -> None:
        self.min, self.max = min, max

    def accept(self, value: Any) -> int:
        if not _is_int(value):
            raise Reject
        v = int(value)
        if (self.min is not None and v < self.min) or (self.max is not None and v > self.max):
            raise Reject
        return v

    def describe(self) -> str:
        if self.max is not None:
            if self.min is None:
                return f"an integer <= {self.max}"
            return f"an integer in [{self.min}, {self.max}]"
        if self.min == 1:
            return "a positive integer"
        if self.min is not None:
            return f"an integer >= {self.min}"
        return "an integer"


class Real(Constraint):
    """A number (int or float, not a bool) within the given bounds.

    ``cast`` converts it to ``float``; without it the value is kept as given
    (an int stays an int), since the value is part of the cache key.
    ``finite`` also rejects infinities. NaN fails every bound.
    """

    def __init__(self, *, gt: float | None = None, ge: float | None = None,
                 lt: float | None = None, le: float | None = None, finite: bool = False,
                 cast: bool = False, text: str | None = None) -> None:
        self.gt, self.ge, self.lt, self.le = gt, ge, lt, le
        self.finite, self.cast, self.text = finite, cast, text

    def accept(self, value: Any) -> Any:
        if not _is_real(value):
            raise Reject
        v = float(value)
        bounded = any(b is not None for b in (self.gt, self.ge, self.lt, self.le))
        if (self.finite and not math.isfinite(v)) or (bounded and math.isnan(v)):
            raise Reject
        if ((self.gt is not None and not v > self.gt) or (self.ge is not None and not v >= self.ge)
                or (self.lt is not None and not v < self.lt)
                or (self.le is not None and not v <= self.le)):
            raise Reject
        if self.cast:
            return v
        return value.item() if isinstance(value, np.generic) else value

    def describe(self) -> str:
        if self.text:
            return self.text
        kind = "a finite number" if self.finite else "a number"
        lo = (f"({self.gt:g}" if self.gt is not None
              else f"[{self.ge:g}" if self.ge is not None else None)
        hi = (f"{self.lt:g})" if self.lt is not None
              else f"{self.le:g}]" if self.le is not None else None)
        if lo and hi:
            return f"{kind} in {lo}, {hi}"
        if self.gt == 0:
            return "a positive number" if not self.finite else "a positive, finite number"
        if lo:
            return f"{kind} {'>' if self.gt is not None else '>='} {lo[1:]}"
        if hi:
            return f"{kind} {'<' if self.lt is not None else '<='} {hi[:-1]}"
        return kind


class OneOf(Constraint):
    """One of a fixed set of values (compared with ``==``; a bool matches only a bool)."""

    def __init__(self, *choices: Any) -> None:
        self.choices = choices

    def accept(self, value: Any) -> Any:
        for c in self.choices:
            if isinstance(c, bool) or isinstance(value, bool):
                if value is c:
                    return value
            elif isinstance(value, type(c)) and value == c:
                return value
        raise Reject

    def describe(self) -> str:
        return f"one of {self.choices}"


class Bool(Constraint):
    """``True`` or ``False`` (numpy bools become ``bool``)."""

    def accept(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise Reject

    def describe(self) -> str:
        return "true or false"


class Text(Constraint):
    """A non-empty string (``text`` says what kind, for messages)."""

    def __init__(self, text: str = "a non-empty string") -> None:
        self.text = text

    def accept(self, value: Any) -> str:
        if isinstance(value, str) and value:
            return value
        raise Reject

    def describe(self) -> str:
        return self.text


class Widths(Constraint):
    """Layer widths: positive integers as a tuple; a single int is one layer."""

    def accept(self, value: Any) -> tuple[int, ...]:
        if _is_int(value):
            value = (value,)
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise Reject
        widths = tuple(value)
        if not widths or not all(_is_int(w) and w >= 1 for w in widths):
            raise Reject
        return tuple(int(w) for w in widths)

    def describe(self) -> str:
        return "positive layer widths such as (100,100)"


class Device(Constraint):
    """A device name: one of ``names`` or ``cuda:N``."""

    def __init__(self, *names: str) -> None:
        self.names = names or ("auto", "cpu", "cuda", "mps")

    def accept(self, value: Any) -> str:
        if isinstance(value, str) and (value in self.names or (
                value.startswith("cuda:") and value[5:].isdigit())):
            return value
        raise Reject

    def describe(self) -> str:
        return f"one of {self.names} or 'cuda:N'"


class Optional(Constraint):
    """``None`` or what ``inner`` accepts."""

    def __init__(self, inner: Constraint) -> None:
        self.inner = inner

    def accept(self, value: Any) -> Any:
        return None if value is None else self.inner.accept(value)

    def describe(self) -> str:
        return f"{self.inner.describe()} or none"


class Either(Constraint):
    """What the first of ``options`` that accepts the value makes of it (``text``, if
    given, describes them together)."""

    def __init__(self, *options: Constraint, text: str | None = None) -> None:
        self.options = options
        self.text = text

    def accept(self, value: Any) -> Any:
        for c in self.options:
            try:
                return c.accept(value)
            except Reject:
                continue
        raise Reject

    def describe(self) -> str:
        return self.text or " or ".join(c.describe() for c in self.options)


@dataclass
class Param:
    """One declared parameter: its default, its constraint and a line of documentation."""

    default: Any
    constraint: Constraint
    doc: str = ""
    name: str = ""
    #: the parameter's entries in the cache key, from its value (default: ``{name: value}``);
    #: for a parameter that replaced an older one, so that the values the old one could
    #: take keep their old key, and with it their cells' seeds and stored results
    key: Callable[[Any], dict[str, Any]] | None = None
    #: older names of this parameter, each with what to write instead (for the error
    #: that a selector still using one gets)
    formerly: dict[str, str] | None = None

    def check(self, value: Any, owner: str) -> Any:
        try:
            return self.constraint.accept(value)
        except Reject:
            raise ParameterError(f"{owner}: {self.name} must be {self.constraint.describe()}; "
                                 f"got {value!r}") from None


def param(default: Any, constraint: Constraint | None = None, doc: str = "", *,
          key: Callable[[Any], dict[str, Any]] | None = None,
          formerly: dict[str, str] | None = None) -> Any:
    """Declare a constructor parameter (see the module docstring). Typed as ``Any`` so
    that ``k: int = param(3, Integer(min=1))`` reads as an ``int`` attribute.

    ``key`` and ``formerly`` serve a renamed parameter (see :class:`Param`)."""
    return Param(default, constraint or Anything(), doc, key=key, formerly=formerly)


def require(condition: bool, message: str) -> None:
    """Raise :class:`ParameterError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ParameterError(message)


def _declared_init(params: dict[str, Param]) -> Callable[..., None]:
    sig = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=p.default)
           for n, p in params.items()])

    def __init__(self: Configurable, *args: Any, **kwargs: Any) -> None:
        bound = sig.bind(self, *args, **kwargs)
        bound.apply_defaults()
        owner = self.name or type(self).__name__
        for pname, value in list(bound.arguments.items())[1:]:
            setattr(self, pname, params[pname].check(value, owner))
        self.__post_init__()

    __init__.__signature__ = sig  # type: ignore[attr-defined]
    __init__.__doc__ = "Constructor built from the declared parameters (mibench.core.params)."
    __init__._declared = True  # type: ignore[attr-defined]
    return __init__


class Configurable:
    """Constructor-only configuration with introspectable parameters."""

    #: Registry name, set by the registration decorator.
    name: ClassVar[str] = ""
    #: Declared parameters of this class and its bases, in order (see the module docstring).
    declared_params: ClassVar[dict[str, Param]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = {k: v for k, v in vars(cls).items() if isinstance(v, Param)}
        merged = {**getattr(cls, "declared_params", {})}
        for k, p in own.items():
            p.name = k
            merged[k] = p
        cls.declared_params = merged
        if not merged:
            return
        if "__init__" in vars(cls) and own:
            raise PluginError(f"{cls.__qualname__} declares parameters and writes its own "
                              "__init__; do one or the other")
        inherited = cls.__init__
        if "__init__" not in vars(cls) and not getattr(inherited, "_declared", False) \
                and inherited is not object.__init__:
            raise PluginError(f"{cls.__qualname__} declares parameters but inherits a "
                              "hand-written __init__")
        if "__init__" not in vars(cls):
            cls.__init__ = _declared_init(merged)  # type: ignore[method-assign]
        if cls.__doc__ and "\nParameters\n" not in cls.__doc__:
            cls.__doc__ = (cls.__doc__.rstrip() + "\n\n"
                           + textwrap.indent(params_doc(cls), "    ") + "\n")

    def __post_init__(self) -> None:
        """Hook run after every declared parameter is checked and set: check the rules
        that tie parameters together (with :func:`require`) and set derived state."""

    @classmethod
    def param_defaults(cls) -> dict[str, Any]:
        """Constructor parameters and their defaults (``inspect.Parameter.empty`` if none)."""
        sig = inspect.signature(cls.__init__)
        out: dict[str, Any] = {}
        for pname, p in sig.parameters.items():
            if pname == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            out[pname] = p.default
        return out

    @classmethod
    def check_param_names(cls, params: dict[str, Any]) -> None:
        """Raise :class:`ParameterError` for any name the constructor does not take."""
        known = cls.param_defaults()
        for key in params:
            if key not in known:
                for p in cls.declared_params.values():
                    if p.formerly and key in p.formerly:
                        raise ParameterError(
                            f"{cls.name or cls.__name__!r} has no parameter {key!r} any "
                            f"more: it became {p.name!r}; write {p.formerly[key]}")
                raise ParameterError(
                    f"{cls.name or cls.__name__!r} has no parameter {key!r}."
                    + suggest(key, known)
                    + f" Known parameters: {', '.join(known) or '(none)'}"
                )

    def get_params(self) -> dict[str, Any]:
        """Current values of every constructor parameter."""
        return {k: getattr(self, k) for k in self.param_defaults()}

    def with_params(self, **changes: Any) -> Any:
        """A new instance with some parameters changed."""
        self.check_param_names(changes)
        params = self.get_params()
        params.update(changes)
        return type(self)(**params)

    def changed_params(self) -> dict[str, Any]:
        """Parameters whose value differs from the constructor default, in their
        display form (:meth:`display_value`)."""
        out = {}
        for k, default in self.param_defaults().items():
            v = self.display_value(k, getattr(self, k))
            if default is inspect.Parameter.empty or not _same(
                    v, self.display_value(k, default)):
                out[k] = v
        return out

    def display_value(self, name: str, value: Any) -> Any:
        """How parameter ``name`` with ``value`` appears in labels (hook).

        The default shows the value itself. A plugin whose parameter holds a
        nested selector (such as a base task) returns that selector's short
        form, so labels leave out nested defaults too. Cache keys never use
        this form (see :meth:`canonical`).
        """
        return value

    def selector(self, *, skip: tuple[str, ...] = ()) -> str:
        """Display form such as ``NAME[k=5]`` (only non-default parameters)."""
        items = [(k, v) for k, v in self.changed_params().items() if k not in skip]
        if not items:
            return self.name
        return f"{self.name}[" + ",".join(f"{k}={format_value(v)}" for k, v in items) + "]"

    def canonical(self, *, skip: tuple[str, ...] = ()) -> str:
        """Stable JSON of name and every parameter; used for cache keys (a declared
        parameter with a ``key`` function contributes the entries it gives)."""
        params: dict[str, Any] = {}
        for k, v in self.get_params().items():
            if k in skip:
                continue
            declared = self.declared_params.get(k)
            if declared is not None and declared.key is not None:
                params.update(declared.key(v))
            else:
                params[k] = v
        return json.dumps({"name": self.name, "params": to_jsonable(params)}, sort_keys=True)

    def __repr__(self) -> str:
        return self.selector()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Configurable) and type(self) is type(other) and (
            self.canonical() == other.canonical())

    def __hash__(self) -> int:
        return hash(self.canonical())


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    try:
        return bool(a == b)
    except Exception:
        return False


def format_value(v: Any) -> str:
    """Render a parameter value the way the selector parser reads it back."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "none"
    if isinstance(v, (tuple, list)):
        return "(" + ",".join(format_value(e) for e in v) + ("," if len(v) == 1 else "") + ")"
    return str(v)


def to_jsonable(v: Any) -> Any:
    """Convert parameter values to JSON-compatible data (tuples become lists)."""
    if isinstance(v, dict):
        return {str(k): to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return repr(v)


def params_doc(cls: type[Configurable]) -> str:
    """A numpydoc "Parameters" section from the declarations (for docstrings and help)."""
    lines = ["Parameters", "----------"]
    for pname, p in cls.declared_params.items():
        lines.append(f"{pname} : {p.constraint.describe()} (default {format_value(p.default)})")
        if p.doc:
            lines.append(f"    {p.doc}")
    return "\n".join(lines)
