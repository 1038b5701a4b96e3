"""Write the golden values that prove a refactor changed no result.

Run it at the commit *before* a change that must not move any number, commit
its output, and keep ``test_golden.py`` passing through the change:

    python tests/golden/make_golden.py

It runs every registered estimator (short budgets, several configurations of
the neural and k-NN families so that each code path is exercised: both
critics, early stopping, the epoch budget, every density model, both flow
families) on a fixed grid of tasks × 2 seeds through ``mibench run``, and
records each cell's estimate and seeds and the stored table's columns; and it
draws every task example the contract suite tests and records a hash of the
sample and the true MI.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RUN_FILE = HERE / "golden_run.json"
TASK_FILE = HERE / "golden_tasks.json"

# short budgets; early stopping with a small patience where it is a path of its own
_NET = "hidden=(16,),lr=0.005,eval_every=20,eval_pairs=4000"
ESTIMATORS = [
    "binning", "binning[bins=fd,strategy=uniform]", "gaussian", "gaussian[bias_correction=true]",
    "gcmi", "kde", "kde[bandwidth=silverman,leave_one_out=false]", "kl",
    "kl[metric=euclidean]", "ksg", "ksg[variant=2]", "ksg[k=5,metric=euclidean]",
    "ksg[algorithm=brute]", "ksg[algorithm=brute,metric=euclidean]", "ksg-lnc", "ksg-mixed",
    f"mine[steps=200,patience=3,{_NET}]",
    f"mine[steps=120,critic=separable,early_stopping=false,{_NET}]",
    f"mine[steps=none,epochs=3,early_stopping=false,{_NET}]",
    # margins pinned: the configuration recorded here, now that mine-biased's default
    # is normal-scores (same cache key and seeds as the unpinned cell had then)
    f"mine-biased[steps=120,early_stopping=false,margins=standardize,{_NET}]",
    f"mine-f[steps=200,patience=3,margins=standardize,{_NET}]",  # pinned likewise
    f"nwj[steps=120,early_stopping=false,margins=standardize,{_NET}]",  # pinned likewise
    f"nwj[steps=120,critic=concat,early_stopping=false,margins=standardize,{_NET}]",
    f"infonce[steps=200,patience=3,batch_size=64,{_NET}]",
    f"smile[steps=120,early_stopping=false,{_NET}]",
    f"smile[steps=120,critic=concat,tau=2.0,early_stopping=false,{_NET}]",
    f"club[steps=200,patience=3,{_NET}]",
    f"doe[steps=200,patience=3,{_NET}]",
    "club[steps=60,critic=flow,transforms=1,hidden=(8,),eval_every=20,early_stopping=false,"
    "eval_pairs=4000]",
    "doe[steps=80,critic=flow,transforms=1,hidden=(8,),eval_every=20,patience=2]",
    "flow[steps=120,transforms=1,hidden=(16,),eval_every=20,patience=2]",
    "flow[steps=60,margins=standardize,stop_on=likelihood,noise=0.0,transforms=1,hidden=(8,),"
    "eval_every=20,patience=2]",
    "flow[family=ode,ode_steps=2,hidden=(8,),steps=40,eval_every=20,patience=2]",
]
TASKS = ["gaussian[dim=1,rho=0.8]", "gaussian[dim=2,rho=0.5]",
         "transformed[base=gaussian[dim=1,rho=0.75],transform=cube]"]
N = 400
SEEDS = 2
KEY = ["estimator", "task", "n", "seed"]


def run_grid(out: Path, jobs: int = 1) -> pd.DataFrame:
    """The golden grid through the command line, on one thread per worker (the values
    were written serially, ``jobs=1``; the executor must not change a number)."""
    from mibench.cli import main

    code = main(["run", "--estimators", ",".join(ESTIMATORS), "--tasks", ",".join(TASKS),
                 "--n", str(N), "--seeds", str(SEEDS), "--threads", "1", "--jobs", str(jobs),
                 "--out", str(out), "--quiet"])
    if code != 0:
        raise SystemExit(f"mibench run exited with {code}")
    return pd.read_parquet(out / "results.parquet")


def sample_digest(x: np.ndarray, y: np.ndarray) -> str:
    """A hash of the sample's bytes: the record of the commit the golden values come from.

    Bytes depend on the CPU: numpy's vectorised ``power`` (and other transcendental
    functions such as ``arcsinh``) take other code paths where AVX-512 is present,
    and those are not correctly rounded, so ``x**3`` can differ in its last bit from
    one machine to the next. The test compares :func:`sample_summary` instead; the
    digest stays as written.
    """
    h = hashlib.sha256()
    for a in (x, y):
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()[:24]


def sample_summary(x: np.ndarray, y: np.ndarray) -> list[float]:
    """Per array: the sum of |v|, of v² and of v weighted by its position in the array.

    Any change to what a task draws (distribution, draws, their order) moves these by
    far more than a last-bit difference in one value does, which moves them by about
    1e-16 of Σ|v| — what :data:`SUMMARY_TOL` allows for, together with numpy adding in
    another order on another CPU.
    """
    out: list[float] = []
    for a in (x, y):
        v = np.asarray(a, dtype=np.float64).ravel()
        w = np.arange(1, v.size + 1) / v.size
        out += [float(np.abs(v).sum()), float((v * v).sum()), float((w * v).sum())]
    return out


#: Relative tolerance of a sample summary, against each array's Σ|v|: far above
#: last-bit differences of single values (1e-16), far below any change in the draws.
SUMMARY_TOL = 1e-12


def task_records() -> list[dict[str, object]]:
    """Every task example of the contract suite: sample digest and summary, truth,
    identity."""
    from mibench import get_task, list_tasks
    from mibench.testing import task_examples

    out = []
    for name in list_tasks():
        for sel in task_examples(type(get_task(name))):
            t = get_task(sel)
            x, y = t.sample(64, np.random.default_rng(1234))
            out.append({"selector": sel, "label": t.selector(), "canonical": t.canonical(),
                        "dim_x": t.dim_x, "dim_y": t.dim_y, "mi": t.mi, "mi_se": t.mi_se,
                        "family": t.family, "sample": sample_digest(x, y),
                        "summary": sample_summary(x, y)})
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        df = run_grid(Path(tmp) / "golden")
    bad = df[df["status"] != "ok"]
    if len(bad):
        raise SystemExit(f"golden cells failed: {bad[['estimator', 'task', 'error']]}")
    cells = df[[*KEY, "estimate", "data_seed", "estimator_seed", "true_mi", "device"]]
    RUN_FILE.write_text(json.dumps({
        "estimators": ESTIMATORS, "tasks": TASKS, "n": N, "seeds": SEEDS,
        "columns": list(df.columns), "dtypes": {c: str(t) for c, t in df.dtypes.items()},
        "cells": cells.sort_values(KEY).to_dict(orient="records"),
    }, indent=1) + "\n")
    TASK_FILE.write_text(json.dumps(task_records(), indent=1) + "\n")
    print(f"wrote {len(cells)} cells to {RUN_FILE} and the task records to {TASK_FILE}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
