"""Time, peak memory and accuracy of every registered estimator."""

from __future__ import annotations

import numpy as np

import mibench

from . import grid
from ._common import available_estimators, gaussian_data, make_estimator, pin_threads

ESTIMATORS = available_estimators()


class EstimatorCost:
    """``time_estimate`` and ``peakmem_estimate`` over a small grid of n and dim."""

    params = grid(ESTIMATORS, [1_000, 10_000], [1, 5])
    param_names = ["estimator", "n", "dim"]  # noqa: RUF012
    timeout = 300

    def setup(self, name: str, n: int, dim: int) -> None:
        pin_threads()
        self.est = make_estimator(name)
        self.x, self.y = gaussian_data(n, dim)

    def time_estimate(self, name: str, n: int, dim: int) -> None:
        self.est.estimate(self.x, self.y)

    def peakmem_estimate(self, name: str, n: int, dim: int) -> None:
        self.est.estimate(self.x, self.y)


ACCURACY_TASKS = ["gaussian[dim=1,rho=0.9]", "gaussian[dim=5,rho=0.5]",
                  "transformed[base=gaussian[dim=2,rho=0.75],transform=cube]",
                  "nonlinear[f=sin,sigma=0.5]"]


class EstimatorAccuracy:
    """``track_abs_error``: |estimate − truth| in nats on fixed tasks and seeds.

    A change that makes an estimator worse shows up in asv like a slowdown.
    """

    params = grid(ESTIMATORS, ACCURACY_TASKS)
    param_names = ["estimator", "task"]  # noqa: RUF012
    unit = "nats"
    timeout = 300

    def setup(self, name: str, task: str) -> None:
        pin_threads()
        self.est = make_estimator(name)
        self.task = mibench.get_task(task)
        self.data = [self.task.sample(2_000, np.random.default_rng(s)) for s in range(3)]

    def track_abs_error(self, name: str, task: str) -> float:
        vals = [self.est.estimate(x, y) for x, y in self.data]
        return float(abs(np.mean(vals) - self.task.mi))
