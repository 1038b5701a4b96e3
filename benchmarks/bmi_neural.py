"""Our neural estimators against the Beyond Normal benchmark's own, on the same arrays.

The reference lives in its own virtual environment (see ``bmi_ksg.py``)::

    python benchmarks/bmi_neural.py --bmi-python /tmp/bmivenv/bin/python \\
        --out benchmarks/results/bmi_neural.md

A worker process in that interpreter draws, for every task and seed s, bmi's
sample of N points (``task.sample(N, seed=s)``), saves it, and on request
runs one of bmi's neural estimators — ``MINEEstimator``,
``InfoNCEEstimator``, ``NWJEstimator``, ``DonskerVaradhanEstimator``, each with
its defaults and ``seed=s`` — on that array. This script runs ours (each with
its defaults unless the selector says otherwise, ``seed=s``, on the CPU) on the
identical array. Per task and seed, bmi's four and ours run one after the
other, never at once, so the times are side by side too (one training run
each: a neural estimate is expensive, and its spread over seeds is what the
table shows).

Pairs compared ("ours at least as close as bmi's"): mine ↔ MINE (both with the
moving-average corrected gradient), mine-biased ↔ DV (the plain Donsker–
Varadhan bound), infonce ↔ InfoNCE, nwj ↔ NWJ; every other estimator of ours
is set against the closest of bmi's four.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: import the helpers beside it
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sidebyside import LoadLog, Worker
else:
    from .sidebyside import LoadLog, Worker

TASKS = ("2v1-waves-12-5.0-3.0", "1v1-AI", "2v1-galaxy-0.5-3.0")
OURS = "mine,mine-biased,mine-f,nwj,infonce,smile,kl-dime,gan-dime,hd-dime"
PAIRS = {"mine": "MINE", "mine-biased": "DV", "infonce": "InfoNCE", "nwj": "NWJ"}

WORKER = r"""
import json, sys, time
import numpy as np
from bmi.benchmark import BENCHMARK_TASKS
from bmi.benchmark.tasks import task_ai, task_galaxy, task_waves
import bmi.estimators.neural as nn
from bmi.estimators.neural._mine_estimator import MINEEstimator
folder, n, seeds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ids = sys.argv[4].split(",")
made = {t.id: t for t in (task_ai(), task_galaxy(), task_waves())}
known = {**{t.id: t for t in BENCHMARK_TASKS.values()}, **made}
truth = {}
for tid in ids:
    task = known[tid]
    truth[tid] = {"truth": float(task.mutual_information), "dims": [task.dim_x, task.dim_y]}
    for s in range(seeds):
        x, y = task.sample(n, seed=s)
        np.savez(f"{folder}/{tid}-{s}.npz", x=np.asarray(x, float), y=np.asarray(y, float))
json.dump(truth, open(f"{folder}/tasks.json", "w"))
MAKE = {"MINE": MINEEstimator, "InfoNCE": nn.InfoNCEEstimator, "NWJ": nn.NWJEstimator,
        "DV": nn.DonskerVaradhanEstimator}
print("ready", flush=True)
for line in sys.stdin:
    name, tid, s = line.split()
    d = np.load(f"{folder}/{tid}-{s}.npz")
    est = MAKE[name](verbose=False, seed=int(s))
    t0 = time.perf_counter()
    value = float(est.estimate(d["x"], d["y"]))
    print(json.dumps({"value": value, "seconds": time.perf_counter() - t0}), flush=True)
"""


class Reference(Worker):
    """The bmi worker: one estimate per request."""

    def __init__(self, python: str, folder: str, n: int, seeds: int, tasks: list[str]) -> None:
        super().__init__(python, WORKER, [folder, str(n), str(seeds), ",".join(tasks)], "bmi")

    def estimate(self, name: str, task: str, seed: int) -> tuple[float, float]:
        return self.ask(f"{name} {task} {seed}")


def mean_sd(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bmi-python", required=True, help="interpreter with benchmark-mi")
    ap.add_argument("--tasks", default=",".join(TASKS), help="bmi task ids")
    ap.add_argument("--estimators", default=OURS, help="our estimators (selectors)")
    ap.add_argument("--bmi-estimators", default="MINE,InfoNCE,NWJ,DV")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--out", type=Path, help="also write the Markdown table here")
    args = ap.parse_args()

    import mibench
    from mibench.core.selectors import split_top_level

    load = LoadLog()
    tasks = args.tasks.split(",")
    ours = {sel: mibench.get_estimator(sel) for sel in split_top_level(args.estimators)}
    theirs = args.bmi_estimators.split(",")
    values: dict[tuple[str, str], list[float]] = {}
    seconds: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        ref = Reference(args.bmi_python, folder, args.n, args.seeds, tasks)
        info = json.loads(Path(folder, "tasks.json").read_text())
        for tid in tasks:
            for s in range(args.seeds):
                data = np.load(Path(folder, f"{tid}-{s}.npz"))
                for name in theirs:
                    v, t = ref.estimate(name, tid, s)
                    values.setdefault((tid, "bmi " + name), []).append(v)
                    seconds.setdefault("bmi " + name, []).append(t)
                for sel, est in ours.items():
                    e = est.with_params(seed=s, device="cpu")
                    t0 = time.perf_counter()
                    v = e.estimate(data["x"], data["y"])
                    seconds.setdefault(sel, []).append(time.perf_counter() - t0)
                    values.setdefault((tid, sel), []).append(v)
                load.sample()
                print(tid, s, {k: round(v[-1], 3) for k, v in values.items() if k[0] == tid},
                      file=sys.stderr, flush=True)
        ref.close()
    names = ["bmi " + n for n in theirs] + list(ours)
    lines = [f"Neural estimators on bmi's own arrays: N = {args.n}, {args.seeds} seeds (seed s: "
             "bmi's sample with seed s, every estimator with seed s), mean ± sd over seeds; "
             "every estimator with its defaults.", "", load.text(), "",
             "| task | truth | " + " | ".join(names) + " |",
             "|---|---:|" + "---:|" * len(names)]
    for tid in tasks:
        lines.append(f"| {tid} | {info[tid]['truth']:.3f} | "
                     + " | ".join(mean_sd(values[(tid, n)]) for n in names) + " |")
    lines += ["", "Mean absolute error over seeds, ours against bmi's (its counterpart, or the "
                  "closest of bmi's):", "",
              "| task | ours | abs error | bmi | abs error | ours at least as close |",
              "|---|---|---:|---|---:|---|"]

    def mae(tid: str, name: str) -> float:
        return float(np.mean([abs(v - info[tid]["truth"]) for v in values[(tid, name)]]))

    for tid in tasks:
        for sel, est in ours.items():
            base = PAIRS.get(est.name)
            other = ("bmi " + base if base in theirs else
                     min(("bmi " + n for n in theirs), key=lambda n: mae(tid, n)))
            a, b = mae(tid, sel), mae(tid, other)
            lines.append(f"| {tid} | {sel} | {a:.3f} | {other} | {b:.3f} | "
                         f"{'yes' if a <= b else 'no'} |")
    lines += ["", "Median seconds per estimate: " + ", ".join(
        f"{n} {statistics.median(seconds[n]):.1f}" for n in names) + "."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
