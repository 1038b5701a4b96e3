"""The convolutional critics: same contract as the MLP (batched seeds, every objective),
the image shape from the task through the runner, and a clear error without one."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import mibench  # noqa: E402

FAST = {"steps": 60, "eval_every": 20, "early_stopping": False, "hidden": (32,), "lr": 5e-3}
TASK = "class-channel[k=2,beta=0.05]"


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, object]:
    t = mibench.get_task(TASK)
    x, y = t.sample(1500, np.random.default_rng(0))
    return x, y, t.image_shape


@pytest.mark.parametrize(("name", "critic"), [("mine", "conv"), ("infonce", "conv-separable"),
                                              ("kl-dime", "conv"), ("smile", "conv-separable")])
def test_batched_members_equal_single_runs(data, name: str, critic: str) -> None:  # type: ignore[no-untyped-def]
    x, y, shape = data
    est = mibench.get_estimator(name, critic=critic, image_shape=shape, **FAST)
    x2, y2 = mibench.get_task(TASK).sample(1500, np.random.default_rng(1))
    together = [r.value for r in est.estimate_many([(x, y), (x2, y2)], [3, 4])]
    alone = [est.with_params(seed=s).estimate(a, b) for (a, b), s in (((x, y), 3), ((x2, y2), 4))]
    # each member convolves alone, but the batched linear layers round in float32 a little
    # differently than one member's; after 60 steps at lr 5e-3 that reached 1.0e-5 nats
    # here (1.1e-4 after 150 steps), against differences of 0.0016-0.45 between the two members
    assert together == pytest.approx(alone, abs=1e-3)
    assert all(np.isfinite(together))


def test_all_pairs_agree_with_aligned_scores(data) -> None:  # type: ignore[no-untyped-def]
    from mibench_estimators.neural._critics import CRITICS

    x, y, shape = data
    for critic in ("conv", "conv-separable"):
        est = mibench.get_estimator("infonce", critic=critic, image_shape=shape)
        gens = [torch.Generator().manual_seed(s) for s in (0, 1)]
        net = CRITICS[critic](est, 2, x.shape[1], y.shape[1], gens)
        xt = torch.as_tensor(np.stack([x[:6], x[6:12]]), dtype=torch.float32)
        yt = torch.as_tensor(np.stack([y[:6], y[6:12]]), dtype=torch.float32)
        with torch.no_grad():
            full = net.all_pairs(xt, yt)
            diag = net(xt, yt)
            shifted = net(xt, torch.roll(yt, -1, dims=1))
            joint, marg = net.shifted_scores(xt, yt, 1)
        assert torch.allclose(torch.diagonal(full, dim1=1, dim2=2), diag, atol=1e-5)
        assert torch.allclose(joint, diag, atol=1e-6) and torch.allclose(marg, shifted,
                                                                          atol=1e-6)


def test_the_runner_gives_the_task_image_shape() -> None:
    df = mibench.run(estimators="mine[critic=conv,steps=60,eval_every=20,hidden=(16,)]",
                     tasks=TASK, n=400, seeds=2)
    assert (df["status"] == "ok").all(), df["error"].tolist()
    # it is the task's, so it is no part of the estimator's identity
    assert "image_shape" not in df["estimator_params"].iloc[0]
    assert df["estimator"].iloc[0] == "mine[steps=60,hidden=(16,),critic=conv,eval_every=20]"


def test_conv_without_an_image_shape_is_a_clear_error() -> None:
    x, y = mibench.get_task("gaussian", dim=4).sample(300, np.random.default_rng(0))
    with pytest.raises(mibench.ParameterError, match="critic='conv' needs image_shape"):
        mibench.get_estimator("mine", critic="conv", **FAST).estimate(x, y)
    with pytest.raises(mibench.ParameterError, match="image_shape must be"):
        mibench.get_estimator("mine", image_shape=(1, 8))
    est = mibench.get_estimator("mine", critic="conv", image_shape=(1, 2, 3), **FAST)
    with pytest.raises(ValueError, match="has 6 pixels; the data have 4 columns"):
        est.estimate(x, y)
