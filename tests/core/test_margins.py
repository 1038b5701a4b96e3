"""Margins: normal scores fitted on some rows, applied to all, and what the estimators
make of them (an exact invariance under monotone maps of the coordinates)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.special import ndtri
from scipy.stats import rankdata

import mibench
from mibench.core.errors import ParameterError
from mibench.core.margins import MARGINS, apply_margins, normal_scores


def test_all_rows_fitted_is_the_copula_transform() -> None:
    a = np.random.default_rng(0).standard_t(1, size=(300, 3))
    a[:40, 0] = 1.0  # a run of ties
    want = ndtri(rankdata(a, axis=0, method="average") / 301)
    assert np.array_equal(normal_scores(a), want)


def test_fitted_rows_get_their_average_ranks_and_others_the_rank_between() -> None:
    col = np.array([[1.0], [2.0], [2.0], [4.0], [3.0], [0.0], [9.0], [2.0]])
    fit = np.arange(4)                      # 1, 2, 2, 4: ranks 1, 2.5, 2.5, 4
    got = normal_scores(col, fit)
    ranks = np.array([1, 2.5, 2.5, 4,
                      3.5,                    # between 2 (ranks 2, 3) and 4 (rank 4)
                      0.5, 4.5,               # beyond the fitted range: just past the ends
                      2.5])                   # a held-out tie takes the tied rank
    assert np.allclose(got[:, 0], ndtri(ranks / 5))


def test_held_out_scores_are_monotone_in_the_values() -> None:
    rng = np.random.default_rng(1)
    a = rng.standard_cauchy((2000, 2))
    s = normal_scores(a, np.arange(1000))
    for j in range(2):
        order = np.argsort(a[:, j])
        assert (np.diff(s[order, j]) >= 0).all()
    assert np.isfinite(s).all() and np.abs(s).max() <= -ndtri(0.5 / 1001) + 1e-12


def test_apply_margins_names_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="margins must be one of"):
        apply_margins("ranks", np.ones((3, 1)))
    assert MARGINS == ("none", "standardize", "normal-scores")


@pytest.mark.parametrize("name", ["ksg", "kl", "ksg-lnc", "ksg-mixed"])
def test_knn_estimate_is_unchanged_by_monotone_maps_with_normal_scores(name: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((400, 1))
    y = x + 0.5 * rng.standard_normal((400, 1))
    est = mibench.get_estimator(name, margins="normal-scores")
    a = est.estimate(x, y)
    b = est.estimate(np.exp(3 * x), y ** 3)
    assert a == b
    # without it the same maps change the estimate (so the check above can fail)
    plain = est.with_params(margins="standardize")
    assert plain.estimate(x, y) != pytest.approx(
        plain.estimate(np.exp(3 * x), y ** 3), abs=1e-3)


_SMALL_NET = "steps=60,hidden=(16,),eval_every=20,eval_pairs=2000,device=cpu"


def _correlated_pair(seed: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((600, dim))
    return x, x + rng.standard_normal((600, dim))


def test_neural_estimate_is_unchanged_by_monotone_maps_with_normal_scores() -> None:
    pytest.importorskip("torch")
    x, y = _correlated_pair(3, 2)
    est = mibench.get_estimator(f"mine[{_SMALL_NET},margins=normal-scores]")
    a = est.estimate(x, y)
    b = est.estimate(np.sinh(2 * x), np.exp(y))
    assert a == b


@pytest.mark.parametrize("name", ["mine-biased", "mine-f", "nwj"])
def test_normal_scores_by_default(name: str) -> None:
    # chosen by the margins rule (benchmarks/results/margins.md, margins_confirm.md): the
    # default estimate, no margins given, is exactly invariant under increasing maps of
    # the coordinates
    pytest.importorskip("torch")
    x, y = _correlated_pair(4, 1)
    est = mibench.get_estimator(f"{name}[{_SMALL_NET}]")
    assert est.margins == "normal-scores"
    assert est.estimate(x, y) == est.estimate(np.exp(x), y ** 3)


def test_old_values_keep_their_cache_keys_and_the_old_name_is_explained() -> None:
    ksg = mibench.get_estimator("ksg", margins="standardize")
    assert json.loads(ksg.canonical())["params"]["standardize"] is True
    none = json.loads(mibench.get_estimator("ksg[margins=none]").canonical())["params"]
    assert none["standardize"] is False and "margins" not in none
    ns = json.loads(mibench.get_estimator("ksg[margins=normal-scores]").canonical())["params"]
    assert ns["margins"] == "normal-scores" and "standardize" not in ns
    with pytest.raises(ParameterError, match="became 'margins'; write margins=standardize"):
        mibench.get_estimator("ksg[standardize=false]")
    with pytest.raises(ParameterError, match="margins must be one of"):
        mibench.get_estimator("mine[margins=ranks]")
