from __future__ import annotations

import numpy as np
import pytest

from mibench.core.errors import ParameterError, UnknownNameError
from mibench.plan import RunSpec


def _spec(**kw) -> RunSpec:
    base = dict(estimators=["gaussian"], tasks=["gaussian[dim=2,rho=0.9]"], n=[100, 200], seeds=3)
    base.update(kw)
    return RunSpec(**base)


def test_cartesian_product_and_unique_keys() -> None:
    cells = _spec(estimators=["gaussian", "gaussian[bias_correction=true]"]).cells()
    assert len(cells) == 2 * 1 * 2 * 3
    assert len({c.key for c in cells}) == len(cells)


def test_keys_and_seeds_stable_and_order_free() -> None:
    a = {c.key: c for c in _spec(tasks=["gaussian[rho=0.5]", "gaussian[dim=2,rho=0.9]"]).cells()}
    b = {c.key: c for c in _spec(tasks=["gaussian[dim=2,rho=0.9]", "gaussian[rho=0.5]"]).cells()}
    assert a == b


def test_data_seed_shared_across_estimators_not_across_reps() -> None:
    cells = _spec(estimators=["gaussian", "gaussian[bias_correction=true]"], n=[100]).cells()
    by_rep: dict[int, set[int]] = {}
    for c in cells:
        by_rep.setdefault(c.rep, set()).add(c.data_seed)
    assert all(len(s) == 1 for s in by_rep.values())  # paired data across estimators
    assert len({next(iter(s)) for s in by_rep.values()}) == 3


def test_root_seed_changes_seeds() -> None:
    a = _spec().cells()
    b = _spec(root_seed=1).cells()
    assert {c.data_seed for c in a}.isdisjoint({c.data_seed for c in b})


def test_grid_selectors_expand() -> None:
    cells = _spec(tasks=["gaussian[rho=0.1|0.5|0.9]"], n=[100], seeds=1).cells()
    assert sorted(c.true_mi for c in cells) == pytest.approx(
        sorted(-0.5 * np.log(1 - r * r) for r in (0.1, 0.5, 0.9)))


def test_unknown_names_and_params() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'gaussian'"):
        _spec(estimators=["gausian"]).cells()
    with pytest.raises(ParameterError, match=r"no parameter 'rh'.*Did you mean 'rho'"):
        _spec(tasks=["gaussian[rh=0.5]"]).cells()
    with pytest.raises(ParameterError, match=r"\|rho\| < 1"):
        _spec(tasks=["gaussian[rho=1.0]"]).cells()
    with pytest.raises(ParameterError, match="n values must be positive sample sizes"):
        _spec(n=[0])
