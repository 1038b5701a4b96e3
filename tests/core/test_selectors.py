from __future__ import annotations

import pytest

from mibench.core.errors import SelectorError
from mibench.core.selectors import parse_selector, parse_selectors, parse_value


def test_typed_values() -> None:
    assert parse_value("5") == 5 and isinstance(parse_value("5"), int)
    assert parse_value("0.9") == 0.9
    assert parse_value("-1e-3") == -0.001
    assert parse_value("true") is True and parse_value("False") is False
    assert parse_value("none") is None
    assert parse_value("(100,100)") == (100, 100)
    assert parse_value("(64,)") == (64,)
    assert parse_value("relu") == "relu"
    assert parse_value("'5'") == "5"


def test_selector_with_params() -> None:
    (s,) = parse_selector("gaussian[dim=20,rho=0.9]")
    assert s.name == "gaussian" and s.params == {"dim": 20, "rho": 0.9}
    assert str(s) == "gaussian[dim=20,rho=0.9]"


def test_list_splits_outside_brackets() -> None:
    sels = parse_selectors("mine,ksg[k=5],mlp[hidden=(10,10),lr=1e-3]")
    assert [s.name for s in sels] == ["mine", "ksg", "mlp"]
    assert sels[2].params == {"hidden": (10, 10), "lr": 0.001}


def test_grid_expansion() -> None:
    sels = parse_selectors("ksg[k=3|5,variant=1|2]")
    assert [(s.params["k"], s.params["variant"]) for s in sels] == [
        (3, 1), (3, 2), (5, 1), (5, 2)]


@pytest.mark.parametrize("bad", ["ksg[k=5", "ksg]", "ksg[k]", "ksg[k=5,k=6]", "[k=5]",
                                 "ksg[=5]", "", "ksg[k=]", "k sg"])
def test_malformed(bad: str) -> None:
    with pytest.raises(SelectorError):
        parse_selectors(bad)
