"""Image tasks: each truth against an independent computation, nothing downloaded."""

from __future__ import annotations

import itertools
import math
import socket
from collections import Counter

import numpy as np
import pytest

import mibench
from mibench_tasks.images import (
    Blob,
    class_pools,
    digits,
    quantised_digits,
    symmetric_channel_mi,
    unrender,
)


def _enumerated_channel_mi(m: int, beta: float) -> float:
    """Σ P(c, c') log P(c, c') / (P(c) P(c')) over every pair of classes."""
    joint = np.array([[(1 - beta) / m if a == b else beta / (m * (m - 1)) for b in range(m)]
                      for a in range(m)])
    pc, pd = joint.sum(1), joint.sum(0)
    nz = joint > 0
    return float((joint[nz] * np.log(joint[nz] / np.outer(pc, pd)[nz])).sum())


@pytest.mark.parametrize(("m", "beta"), [(2, 0.0), (2, 0.05), (2, 0.3), (3, 0.2), (10, 0.5),
                                         (4, 0.75)])
def test_channel_truth_equals_exact_enumeration(m: int, beta: float) -> None:
    assert symmetric_channel_mi(m, beta) == pytest.approx(_enumerated_channel_mi(m, beta),
                                                          abs=1e-12)
    classes = tuple(range(m))
    for k in (1, 3):
        t = mibench.get_task("class-channel", k=k, beta=beta, classes=classes)
        assert t.mi == pytest.approx(k * _enumerated_channel_mi(m, beta), abs=1e-12)
    assert mibench.get_task("class-channel", beta=0.05).mi == pytest.approx(
        math.log(2) + 0.05 * math.log(0.05) + 0.95 * math.log(0.95))


def test_the_class_is_a_function_of_the_image() -> None:
    images, target = digits()
    by_pixels = {im.tobytes(): c for im, c in zip(images, target, strict=True)}
    assert len(by_pixels) == len(images)  # no image twice, so none in two classes
    t = mibench.get_task("class-channel", k=2, beta=0.2, classes=(3, 8), nuisance=1,
                         noise=1.0)
    x, y = t.sample(4000, np.random.default_rng(3))

    def classes_of(a: np.ndarray) -> np.ndarray:
        tiles = np.floor(a).reshape(len(a), 8, 3, 8).transpose(0, 2, 1, 3)  # (n, 3 tiles, 8, 8)
        return np.array([[by_pixels[tile.tobytes()] for tile in row] for row in tiles])

    cx, cy = classes_of(x), classes_of(y)  # every floored tile is a dataset image
    assert set(np.unique(cx[:, :2])) == set(np.unique(cy[:, :2])) == {3, 8}
    flips = (cx[:, :2] != cy[:, :2]).mean()
    assert abs(flips - 0.2) < 4 * math.sqrt(0.2 * 0.8 / 8000)  # the channel's crossover
    assert set(np.unique(cx[:, 2])) == set(range(10))  # the distractor: any class
    assert len(class_pools((3, 8))[0]) == (target == 3).sum()


@pytest.mark.parametrize("latents", [1, 2, 3, 4])
@pytest.mark.parametrize("size", [8, 32])
def test_rendering_is_injective_and_carries_the_latent_mi(latents: int, size: int) -> None:
    t = mibench.get_task("rendered", latents=latents, size=size, rho=0.8)
    zx, zy = t.latent_sample(3000, np.random.default_rng(latents))
    blob = Blob(size)
    for z in (zx, zy):
        back = unrender(blob.render(z), size, latents)
        assert np.abs(back - z).max() < 1e-6
    # the sample is the rendering of such latents: invert it and the Gaussian MI of the
    # recovered latents is the task's truth, within its sampling error
    x, y = t.sample(20_000, np.random.default_rng(9))
    rx, ry = unrender(x, size, latents), unrender(y, size, latents)
    est = mibench.get_estimator("gaussian", bias_correction=True).estimate(rx, ry)
    se = math.sqrt(latents) * 0.8 / math.sqrt(20_000) * 2  # sd of the plug-in at rho 0.8
    assert abs(est - t.mi) < 5 * se, (est, t.mi)
    assert t.mi == pytest.approx(-0.5 * latents * math.log(1 - 0.64))


def test_revealed_rows_truth_by_counting() -> None:
    for levels in (2, 17):
        q = quantised_digits(levels)
        for t in (1, 3, 8):
            counts = Counter(tuple(img[:t].ravel()) for img in q)
            p = np.array(list(counts.values())) / len(q)
            h = float(-(p * np.log(p)).sum())
            base = mibench.get_task("digit-rows", t=t, levels=levels)
            assert base.mi == pytest.approx(h, abs=1e-12)
            assert mibench.get_task("digit-rows", t=t, levels=levels,
                                    test="additivity").mi == pytest.approx(2 * h, abs=1e-12)
            if t >= 4:
                dp = mibench.get_task("digit-rows", t=t, levels=levels, test="data-processing")
                assert dp.mi == base.mi
    # binary pixels keep the truth rising with t; 17 levels saturate it within two rows
    binary = [mibench.get_task("digit-rows", t=t).mi for t in range(1, 9)]
    assert all(b > a for a, b in itertools.pairwise(binary))
    assert mibench.get_task("digit-rows", t=2, levels=17).mi > 7.49


def test_revealed_rows_are_a_function_of_the_digit() -> None:
    t = mibench.get_task("digit-rows", t=5, test="data-processing")
    x, y = t.sample(500, np.random.default_rng(0))
    x1, x2 = np.floor(x).reshape(500, 8, 2, 8).transpose(2, 0, 1, 3)
    y1, y2 = np.floor(y).reshape(500, 8, 2, 8).transpose(2, 0, 1, 3)
    assert (x1 == x2).all()  # the same digit under its own noise
    assert (y1[:, :5] == x1[:, :5]).all() and (y1[:, 5:] == 0).all()
    assert (y2[:, :2] == x1[:, :2]).all() and (y2[:, 2:] == 0).all()  # Y_(t-3): 2 rows
    assert t.consistency is not None and t.consistency.reference == "digit-rows[t=5]"
    assert t.consistency.ideal == 1.0


def test_bad_options_are_named() -> None:
    with pytest.raises(mibench.ParameterError, match="beta must be at most"):
        mibench.get_task("class-channel", beta=0.6)
    with pytest.raises(mibench.ParameterError, match="classes must be two or more distinct"):
        mibench.get_task("class-channel", classes=(1, 1))
    with pytest.raises(mibench.ParameterError, match="t must be at least 4"):
        mibench.get_task("digit-rows", t=2, test="data-processing")
    with pytest.raises(mibench.ParameterError, match="size must be an integer in"):
        mibench.get_task("rendered", size=64)


def test_the_suites_run_with_the_network_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access attempted during a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    digits.cache_clear()  # load the images again, with the network cut
    quantised_digits.cache_clear()
    for suite in ("images-smoke", "self-consistency-smoke"):
        df = mibench.run(suite=suite)
        assert len(df) > 0 and (df["status"] == "ok").all(), df["error"].tolist()


def test_the_suites_are_listed_with_their_cells() -> None:
    from tests.helpers import run_cli

    p = run_cli(["list", "--suites"])
    for name, cells in (("images", 18), ("self-consistency", 63), ("images-smoke", 2),
                        ("self-consistency-smoke", 8)):
        line = p.stdout.split(f"  {name} ", 1)[1]
        assert f"{cells} cells per estimator" in line.splitlines()[1], name
