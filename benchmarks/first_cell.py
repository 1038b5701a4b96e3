"""Is the first cell of a run charged for one-off work (imports, device set-up)?

Runs each estimator on ``--seeds`` repetitions of one task in a fresh
``mibench run`` process (serial executor) and compares the first cell's wall
time with the median of the others, side by side in one run. A ratio near 1
means one-off costs happen in ``prepare()``, outside the timer; the noise of
this machine is the spread of the other cells (shown as max / median).

    python benchmarks/first_cell.py
    python benchmarks/first_cell.py --estimators ksg,kde,binning --n 5000 --seeds 6
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--estimators", default="ksg,kde,binning,gaussian,"
                                            "mine[steps=300,early_stopping=false]")
    ap.add_argument("--task", default="gaussian[dim=2,rho=0.8]")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    print("| estimator | first cell s | median of the others s | first / median | "
          "others max / median |")
    print("|---|---|---|---|---|")
    from mibench.core.selectors import parse_selectors

    for sel in parse_selectors(args.estimators):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, "-m", "mibench", "run", "--estimators", str(sel),
                   "--tasks", args.task, "--n", str(args.n), "--seeds", str(args.seeds),
                   "--no-batch-seeds", "--out", tmp, "-q"]
            subprocess.run(cmd, check=True, capture_output=True)
            df = pd.read_parquet(Path(tmp) / "results.parquet")
        df = df.sort_values("finished_at")
        t = df["wall_time_s"].to_numpy()
        rest = pd.Series(t[1:])
        print(f"| {sel} | {t[0]:.3f} | {rest.median():.3f} | {t[0] / rest.median():.2f} | "
              f"{rest.max() / rest.median():.2f} |", flush=True)


if __name__ == "__main__":
    main()
