"""benchmarks/oracle_readout.py: the bounds read with the true pmi as the critic."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mibench
from benchmarks.oracle_readout import readings, table


def test_readings_match_the_bounds_written_out_pair_by_pair() -> None:
    task = mibench.get_task("student-t[dim=2,rho=0.5,dof=3]")
    x, y = task.sample(8, np.random.default_rng(0))
    p = np.array([[task.pmi(x[i:i + 1], y[j:j + 1])[0] for j in range(8)] for i in range(8)])
    got = readings(task, x, y, pairs=8 * 7, batch=4)  # every off-diagonal pair; 2 batches
    off = p[~np.eye(8, dtype=bool)]
    assert got["mean pmi"] == pytest.approx(np.trace(p) / 8)
    assert got["DV"] == pytest.approx(np.trace(p) / 8 - math.log(np.exp(off).mean()))
    nce = [p[i, i] - math.log(np.exp(p[i, b:b + 4]).mean())
           for b in (0, 4) for i in range(b, b + 4)]
    assert got["InfoNCE(4)"] == pytest.approx(np.mean(nce))


def test_with_the_true_critic_the_readings_find_the_truth() -> None:
    # 3 samples of 1500 reading rows: the mean pmi's standard error is about
    # sd(pmi)/sqrt(4500), 0.01 nats here; the DV term adds little at this MI
    t = table(["student-t[dim=2,rho=0.6,dof=4]"], n=10_000, seeds=3, test_fraction=0.3,
              pairs=50_000, batch=128)
    truth = mibench.get_task("student-t[dim=2,rho=0.6,dof=4]").mi
    for col in ("mean pmi", "DV"):
        value = float(t.loc[0, col].split()[0])
        assert abs(value - truth) < 0.05, (col, value, truth)
    assert float(t.loc[0, "InfoNCE(128)"].split()[0]) <= math.log(128)
