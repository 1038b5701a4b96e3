"""Accuracy of the neural estimators on the Gaussian tasks of the MINE checks.

Trains ``--seeds`` members together (one batched model; each gets the estimate
it would get alone) and prints mean, sd and relative error against the truth.

    python benchmarks/neural_accuracy.py                         # 1-D rho 0.5, 0.9, N 5000
    python benchmarks/neural_accuracy.py --dim 20 --rho 0.5 --n 20000 \
        --estimators "mine,mine[steps=3000,early_stopping=false]"  # defaults vs a fixed budget
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import mibench
from mibench.core.selectors import parse_selectors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--estimators", default="mine")
    ap.add_argument("--dim", type=int, default=1)
    ap.add_argument("--rho", type=float, nargs="+", default=[0.5, 0.9])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=None, help="training steps (default: estimator's)")
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()
    print("| estimator | dim | rho | N | steps | true MI | mean | sd | rel. error | "
          "s per seed |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for sel in parse_selectors(args.estimators):
        for rho in args.rho:
            task = mibench.get_task("gaussian", dim=args.dim, rho=rho)
            data = [task.sample(args.n, np.random.default_rng(1000 + s))
                    for s in range(args.seeds)]
            params: dict[str, object] = {"device": args.device}
            if args.steps is not None:
                params["steps"] = args.steps
            est = mibench.get_estimator(sel, **params)
            name = est.selector(skip=("device",))
            t0 = time.perf_counter()
            res = est.estimate_many(data, list(range(args.seeds)))
            dt = (time.perf_counter() - t0) / args.seeds
            v = np.array([r.value for r in res])
            print(f"| {name} | {args.dim} | {rho} | {args.n:,} | {res[0].steps} | "
                  f"{task.mi:.3f} | {v.mean():.3f} | {v.std(ddof=1):.3f} | "
                  f"{(v.mean() - task.mi) / task.mi:+.1%} | {dt:.1f} |", flush=True)


if __name__ == "__main__":
    main()
