"""What the neural estimators' held-out readings give when the critic is perfect.

For a task whose pointwise MI is known (``Task.has_pmi``), the critic T = pmi is
the optimum of every bound the neural estimators train, so reading the bounds
with it on as many rows as an estimator holds out for its estimate shows what
that estimator could report at this sample size if training were perfect: the
readout's own error (sampling noise of the reading rows, the log-mean-exp of the
Donsker-Varadhan term, InfoNCE's log K cap). A trained estimator's shortfall
beyond it is a training shortfall, not the bound's.

Readings, on ``test_fraction / 2`` of N rows (the defaults' estimate rows):

* mean pmi of the reading rows (what an unbiased critic-free reading would give);
* DV: mean pmi − log mean exp pmi over about ``pairs`` product pairs (whole cyclic
  shifts of the reading rows, as the estimators form them);
* InfoNCE at batch ``batch``: over consecutive batches of the reading rows.

    python benchmarks/oracle_readout.py --tasks 'student-t[rho=0.0,dof=1.0]' --seeds 3
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import pandas as pd
from scipy.special import logsumexp

import mibench
from mibench.plan.cells import data_seed


def readings(task: mibench.Task, x: np.ndarray, y: np.ndarray, pairs: int,
             batch: int) -> dict[str, float]:
    """The three oracle readings of one set of reading rows."""
    m = x.shape[0]
    joint = np.asarray(task.pmi(x, y), float)
    shifts = range(1, min(m, 1 + max(1, pairs // m)))
    neg = np.concatenate([task.pmi(x, np.roll(y, s, axis=0)) for s in shifts])
    nce = []
    for b in range(0, m - batch + 1, batch):
        xb, yb = x[b:b + batch], y[b:b + batch]
        # scores[s, i] = pmi(x_i, y_{i-s}); row 0 holds the aligned pairs
        scores = np.stack([task.pmi(xb, np.roll(yb, s, axis=0)) for s in range(batch)])
        nce.append(np.mean(scores[0] - (logsumexp(scores, axis=0) - math.log(batch))))
    return {"mean pmi": float(joint.mean()),
            "DV": float(joint.mean() - (logsumexp(neg) - math.log(neg.size))),
            f"InfoNCE({batch})": float(np.mean(nce)) if nce else math.nan}


def table(tasks: list[str], n: int, seeds: int, test_fraction: float, pairs: int,
          batch: int) -> pd.DataFrame:
    """Mean reading over ``seeds`` samples per task (the runner's data seeds, root 0),
    with its relative error against the truth."""
    out = []
    for sel in tasks:
        task = mibench.get_task(sel)
        if not task.has_pmi:
            raise SystemExit(f"task {sel!r} does not evaluate pointwise MI")
        rows = []
        for rep in range(seeds):
            x, y = task.sample(n, np.random.default_rng(data_seed(0, task.canonical(), n, rep)))
            keep = np.random.default_rng(rep).permutation(n)[: int(n * test_fraction / 2)]
            rows.append(readings(task, x[keep], y[keep], pairs, batch))
        mean = pd.DataFrame(rows).mean()
        out.append({"task": task.selector(), "truth": round(task.mi, 3),
                    **{k: f"{v:.3f} ({100 * (v / task.mi - 1):+.0f} %)" for k, v in mean.items()}})
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", required=True, help="';'-separated task selectors with a pmi")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--test-fraction", type=float, default=0.3,
                    help="the estimators' test_fraction; half of it is read")
    ap.add_argument("--pairs", type=int, default=250_000, help="the estimators' eval_pairs")
    ap.add_argument("--batch", type=int, default=256, help="InfoNCE's batch (its default)")
    a = ap.parse_args()
    print(table(a.tasks.split(";"), a.n, a.seeds, a.test_fraction, a.pairs, a.batch)
          .to_markdown(index=False))


if __name__ == "__main__":
    main()
