"""Shared set-up for the asv suites: estimators with a fixed short budget, data."""

from __future__ import annotations

import numpy as np

import mibench
from mibench.core.registry import estimators as registry

from . import THREADS

#: A neural estimator's benchmark budget: a fixed, short number of steps.
NEURAL_BUDGET = {"steps": 40, "eval_every": 40, "eval_pairs": 20_000, "device": "cpu"}


def pin_threads() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(THREADS)
    try:
        import torch

        torch.set_num_threads(THREADS)
    except ImportError:
        pass


def available_estimators() -> list[str]:
    return [e.name for e in registry.entries() if e.reason is None]


def make_estimator(name: str) -> mibench.Estimator:
    est = mibench.get_estimator(name)
    if "torch" in type(est).requires:
        known = est.param_defaults()
        est = est.with_params(**{k: v for k, v in NEURAL_BUDGET.items() if k in known})
    return est


def gaussian_data(n: int, dim: int, rho: float = 0.6, seed: int = 0
                  ) -> tuple[np.ndarray, np.ndarray]:
    return mibench.get_task("gaussian", dim=dim, rho=rho).sample(n, np.random.default_rng(seed))
