"""Declared parameters: the signature, the checks and their messages, merging, hooks."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import mibench
from mibench.core.errors import ParameterError, PluginError
from mibench.plugin import (
    Bool,
    Device,
    Either,
    Estimator,
    Integer,
    OneOf,
    Optional,
    Real,
    Widths,
    param,
    require,
)


class Base(Estimator):
    """A base with shared parameters."""

    name = "base-demo"
    k: int = param(3, Integer(min=1), "neighbours")
    rate: float = param(0.5, Real(gt=0, le=1, cast=True), "a rate")
    flag: bool = param(True, Bool())

    def __post_init__(self) -> None:
        require(self.k < 100 or not self.flag, f"{self.name}: k >= 100 needs flag=false")
        self.derived = 2 * self.k

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> float:
        return 0.0


class Child(Base):
    """Adds one parameter and changes a default."""

    name = "child-demo"
    rate: float = param(0.25, Real(gt=0, le=1, cast=True), "a smaller rate")
    extra: str | None = param(None, Optional(OneOf("a", "b")))


def test_the_declarations_are_the_signature_in_order() -> None:
    sig = inspect.signature(Child.__init__)
    assert list(sig.parameters)[1:] == ["k", "rate", "flag", "extra"]  # re-declared keeps place
    assert Child.param_defaults() == {"k": 3, "rate": 0.25, "flag": True, "extra": None}
    c = Child(5, extra="b")  # positional as well as keyword
    assert c.get_params() == {"k": 5, "rate": 0.25, "flag": True, "extra": "b"}
    assert c.derived == 10 and c.selector() == "child-demo[k=5,extra=b]"
    assert c == Child(k=5, extra="b") and c.with_params(k=6).derived == 12
    assert "Parameters" in (Child.__doc__ or "") and "a smaller rate" in (Child.__doc__ or "")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"k": 0}, "child-demo: k must be a positive integer; got 0"),
    ({"k": True}, "child-demo: k must be a positive integer; got True"),
    ({"k": 2.0}, "child-demo: k must be a positive integer; got 2.0"),
    ({"rate": 0}, "child-demo: rate must be a number in (0, 1]; got 0"),
    ({"rate": float("nan")}, "rate must be a number in (0, 1]; got nan"),
    ({"flag": 1}, "child-demo: flag must be true or false; got 1"),
    ({"extra": "c"}, "extra must be one of ('a', 'b') or none; got 'c'"),
    ({"k": 200}, "child-demo: k >= 100 needs flag=false"),
])
def test_each_bad_value_is_named_with_what_was_expected(kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError) as err:
        Child(**kwargs)
    assert message in str(err.value)


def test_values_are_converted_as_declared() -> None:
    c = Child(k=np.int64(4), rate=1)
    assert type(c.k) is int and type(c.rate) is float and c.rate == 1.0
    assert Widths().accept(16) == (16,) and Widths().accept([8, 4]) == (8, 4)
    assert Real(gt=0).accept(2) == 2 and type(Real(gt=0).accept(2)) is int  # kept as given
    assert Either(OneOf("auto"), Integer(min=1)).accept(3) == 3
    assert Device().accept("cuda:1") == "cuda:1"
    for bad in ("tpu", "cuda:x", 3):
        with pytest.raises(Exception):  # noqa: B017 - Reject, the constraint's own signal
            Device().accept(bad)


def test_declaring_and_writing_init_is_an_error() -> None:
    with pytest.raises(PluginError, match="declares parameters and writes its own __init__"):
        class Both(Estimator):
            k: int = param(1, Integer())

            def __init__(self, k: int = 1) -> None:
                self.k = k

    class Plain(Estimator):
        def __init__(self, k: int = 1) -> None:
            self.k = k

    with pytest.raises(PluginError, match="inherits a hand-written __init__"):
        class Mixed(Plain):
            j: int = param(1, Integer())


def test_plain_plugins_still_work() -> None:
    class Plain(Estimator):
        def __init__(self, k: int = 1) -> None:
            self.k = k

        def _estimate(self, x: np.ndarray, y: np.ndarray) -> float:
            return float(self.k)

    assert Plain.param_defaults() == {"k": 1} and Plain(k=2).get_params() == {"k": 2}


def test_builtin_plugins_use_the_declarations() -> None:
    # every built-in estimator and task declares its parameters: one source of truth
    from mibench.core import registry

    for entry in registry.estimators.entries() + registry.tasks.entries():
        if entry.origin.startswith(("mibench_estimators.", "mibench_tasks.")) and entry.obj:
            params = entry.obj.param_defaults()
            assert set(params) == set(entry.obj.declared_params), entry.name
    with pytest.raises(ParameterError, match=r"mine: ema_rate must be a number in \(0, 1\]"):
        mibench.get_estimator("mine", ema_rate=0.0)
