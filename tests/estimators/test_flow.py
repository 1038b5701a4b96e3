"""The normalising-flow estimator, its continuous flows and the identity-initialised
spline flows it shares."""

from __future__ import annotations

import numpy as np
import pytest

import mibench

torch = pytest.importorskip("torch")
pytest.importorskip("zuko")

FAST = {"steps": 100, "transforms": 1, "hidden": (8,), "ode_steps": 1, "eval_every": 25}


@pytest.mark.parametrize(("features", "context"), [(1, 0), (3, 0), (2, 3), (1, 2)])
def test_spline_flows_start_as_the_identity(features: int, context: int) -> None:
    from estimators._flow_model import identity_spline_flow

    flow = identity_spline_flow(features, context, 3, (16, 16), randperm=True)
    x = 3 * torch.randn(200, features)
    t = flow(torch.randn(200, context)) if context else flow()
    z, ladj = t.transform.call_and_ladj(x)
    assert torch.allclose(z, x, atol=1e-5)
    assert torch.allclose(ladj, torch.zeros(200), atol=1e-5)


def test_ode_flow_starts_as_the_identity() -> None:
    from estimators._flow_model import ODEFlow

    x = 3 * torch.randn(200, 4)
    z, ladj = ODEFlow(4, (16, 16), 4)(x)
    assert torch.equal(z, x)
    assert torch.equal(ladj, torch.zeros(200))


def test_ode_flow_log_det_is_that_of_its_map() -> None:
    # The divergence carried through the layers is the trace of the field's Jacobian
    # (autograd's, exactly), and its RK4 integral the log|det| of the integrated map
    # (autograd's Jacobian of the 8-step map, to the solver's error: the field here has
    # derivatives of order 1, so 8 RK4 steps leave an error of order 1e-6).
    from estimators._flow_model import ODEFlow

    torch.manual_seed(0)
    flow = ODEFlow(3, (16, 16), 8).double()
    torch.nn.init.normal_(flow.layers[-1].weight, std=1.0)
    z = torch.randn(5, 3, dtype=torch.double)
    _, div = flow.field(z, 0.3)
    _, ladj = flow(z)
    for i in range(5):
        jf = torch.autograd.functional.jacobian(lambda u: flow.field(u[None], 0.3)[0][0], z[i])
        assert float(div[i].detach()) == pytest.approx(float(jf.trace()), abs=1e-12)
        jm = torch.autograd.functional.jacobian(lambda u: flow(u[None])[0][0], z[i])
        assert float(ladj[i].detach()) == pytest.approx(float(torch.linalg.slogdet(jm)[1]),
                                                        abs=1e-5)
    assert float(ladj.detach().abs().max()) > 0.05  # the field is not trivial


@pytest.mark.parametrize("family", ["ode", "spline"])
def test_flow_is_exactly_invariant_to_monotone_margins(family: str) -> None:
    # With normal-score margins the flows see the same numbers for a task and its
    # coordinatewise monotone transforms, so the whole estimate is identical.
    base = "gaussian[dim=2,rho=0.6]"
    est = mibench.get_estimator("flow", family=family, **FAST)
    values = []
    for sel in (base, f"transformed[base={base},transform=cube]",
                f"transformed[base={base},transform=normal-cdf]"):
        x, y = mibench.get_task(sel).sample(1000, np.random.default_rng(4))
        values.append(est.estimate(x, y))
    assert values[0] == values[1] == values[2]
    x, y = mibench.get_task(f"transformed[base={base},transform=cube]").sample(
        1000, np.random.default_rng(4))
    assert est.with_params(margins="standardize").estimate(x, y) != values[0]


@pytest.mark.parametrize("family", ["ode", "spline"])
def test_flow_is_seeded_and_keeps_its_best_checkpoint(family: str) -> None:
    x, y = mibench.get_task("gaussian", dim=2, rho=0.6).sample(1000, np.random.default_rng(5))
    est = mibench.get_estimator("flow", family=family, **{**FAST, "steps": 3000}, patience=2)
    a, b = est.estimate_with_info(x, y), est.estimate_with_info(x, y)
    assert a.value == b.value
    assert est.with_params(seed=1).estimate(x, y) != a.value
    assert a.curve is not None
    mi = a.curve.heldout
    assert len(mi) == len(a.curve.step) == len(a.info["curve_heldout_nll"])
    # it stopped `patience` evaluations after the best validation MI, and kept that state
    assert a.info["early_stopped"] and a.steps is not None and a.steps < 3000
    assert int(np.argmax(mi)) == len(mi) - 1 - 2


@pytest.mark.parametrize(("param", "value", "match"), [
    ("margins", "ranks", "margins must be one of"),
    ("stop_on", "loss", "stop_on must be one of"),
    ("noise", -0.1, "noise must be a finite number"),
    ("noise", float("nan"), "noise must be a finite number"),
    ("transforms", 0, "transforms must be a positive integer"),
    ("family", "maf", "family must be one of"),
    ("ode_steps", 0, "ode_steps must be a positive integer"),
])
def test_flow_rejects_bad_options(param: str, value: object, match: str) -> None:
    with pytest.raises(mibench.ParameterError, match=match):
        mibench.get_estimator("flow", **{param: value})
