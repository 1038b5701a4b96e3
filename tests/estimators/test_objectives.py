"""A training objective is one small class: a throw-away one here passes the contract suite,
runs through the engine, and needs no change to the trainer; early stopping is one object."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import mibench  # noqa: E402
from mibench.plugin import Real, param  # noqa: E402
from mibench.store import ResultFields  # noqa: E402
from mibench.testing import estimator_checks  # noqa: E402
from mibench_estimators.neural import NeuralEstimator, bounds  # noqa: E402
from mibench_estimators.neural._stopping import EarlyStopping  # noqa: E402

NEURAL = Path(__file__).resolve().parents[2] / "estimators" / "neural"


class JensenShannonDV(NeuralEstimator):
    """Trained on the Jensen–Shannon f-GAN objective with one deranged negative per pair;
    reports the Donsker–Varadhan bound with its critic (SMILE without the clip)."""

    name = "test-js-dv"
    description = "throw-away objective of the tests"
    negatives = "derangement"
    default_lr = 1e-3
    weight: float = param(1.0, Real(gt=0, cast=True), "weight of the negative term")

    def train_value(self, scores: Any, state: dict[str, Any]) -> torch.Tensor:
        return (-bounds.softplus(-scores.joint).mean(-1)
                - self.weight * bounds.softplus(scores.marginal).mean(-1))

    def bound(self, joint: torch.Tensor, marginal: torch.Tensor) -> torch.Tensor:
        return bounds.dv(joint, marginal)


@pytest.mark.parametrize("check", estimator_checks(JensenShannonDV), ids=lambda c: c.__name__)
def test_a_new_objective_passes_the_contract_suite(check: Any) -> None:
    check()


def test_a_new_objective_runs_through_the_engine_with_both_critics() -> None:
    mibench.register_estimator("test-js-dv")(JensenShannonDV)
    # the contract suite's short budget, where 0.1 nats is about three standard errors
    df = mibench.run(estimators="test-js-dv[steps=150,hidden=(32,),lr=0.005,eval_every=50,"
                                "critic=concat|separable,early_stopping=false]",
                     tasks="gaussian[rho=0.8]", n=2000, seeds=2)
    assert (df["status"] == "ok").all(), df["error"].tolist()
    assert (abs(df["estimate"] - df["true_mi"]) < 0.1).all(), df["estimate"].tolist()
    info = ResultFields.of(df["info"].iloc[0])
    assert info.steps == 150 and info.curve is not None and info.ceiling is not None


def test_the_trainer_names_no_objective() -> None:
    trainer = (NEURAL / "_train.py").read_text()
    assert not re.search(r"objective\s*(==|in\b)", trainer)
    for name in ("mine", "infonce", "nwj", "smile", "club", "doe"):
        assert not re.search(rf"""["']{name}["']""", trainer), name


def test_early_stopping_keeps_each_members_best_state() -> None:
    model = torch.nn.Linear(1, 3, bias=False)  # 3 "members" along the first dimension
    stop = EarlyStopping(3, patience=2)
    scores = [(1.0, 5.0, float("nan")), (2.0, 4.0, float("nan")), (3.0, 3.0, float("nan")),
              (2.5, 2.0, float("nan")), (2.0, 9.0, float("nan"))]
    for step, s in enumerate(scores, 1):
        with torch.no_grad():
            model.weight.fill_(float(step))
        stop.update(step, np.array(s), model)
    # member 0 peaked at step 3 and stopped two evaluations later; member 1 peaked at
    # step 1 and stopped at step 3 (its 9.0 at step 5 came after it stopped); member 2
    # never improved and stopped after two evaluations
    assert stop.stopped_at == [5, 3, 2] and stop.done
    stop.restore(model)
    w = model.weight.detach().ravel().tolist()
    # member 2 never had a finite score, so it keeps the final state
    assert w == [3.0, 1.0, 5.0]
    assert stop.best[0] == 3.0 and stop.best[1] == 5.0 and math.isinf(stop.best[2])


def test_flow_and_the_trainer_share_the_stopping_rule() -> None:
    flow = (Path(__file__).resolve().parents[2] / "estimators" / "flow.py").read_text()
    assert "EarlyStopping" in flow and "since" not in flow
