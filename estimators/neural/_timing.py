"""Time per training step of a neural estimator against batch size and dimension."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from ._train import train

if TYPE_CHECKING:
    from . import NeuralEstimator


def step_timing(est: NeuralEstimator, batch_sizes: tuple[int, ...] = (64, 128, 256, 512, 1024),
                dims: tuple[int, ...] = (1, 5, 10, 20, 50), steps: int = 200,
                repeats: int = 3) -> list[dict[str, Any]]:
    """Rows (batch_size, dim = dx + dy, time_per_step_s) for ``est``'s objective.

    Batch sizes at dimension 20 per side, dimensions at batch 256. Each point is
    the difference of two budgets (``steps`` and 3 × ``steps``) over the extra
    steps, which cancels set-up and evaluation; no early stopping.
    """
    rows: list[dict[str, Any]] = []
    rng = np.random.default_rng(0)

    def timed(x: np.ndarray, y: np.ndarray, bsz: int, st: int) -> float:
        e = est.with_params(batch_size=bsz, steps=st, epochs=None, eval_every=10**9,
                            eval_pairs=1000, early_stopping=False)
        t0 = time.perf_counter()
        train([x], [y], [0], e)
        return time.perf_counter() - t0

    grid = [(b, 20) for b in batch_sizes] + [(256, d) for d in dims if d != 20]
    for bsz, d in grid:
        n = max(4 * bsz, 4000)
        x = rng.standard_normal((n, d))
        y = 0.5 * x + rng.standard_normal((n, d))
        timed(x, y, bsz, 10)
        for _ in range(repeats):
            t1, t3 = timed(x, y, bsz, steps), timed(x, y, bsz, 3 * steps)
            rows.append({"batch_size": bsz, "dim": 2 * d,
                         "time_per_step_s": (t3 - t1) / (2 * steps)})
    return rows
