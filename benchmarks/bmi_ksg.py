"""Our KSG against the Beyond Normal benchmark's KSG on its 40 v1 tasks, side by side.

The reference lives in its own virtual environment (it needs JAX, which is no
dependency of ours), for example::

    python3 -m venv /tmp/bmivenv
    /tmp/bmivenv/bin/pip install jax==0.4.30 jaxlib==0.4.30 benchmark-mi==0.1.3
    python benchmarks/bmi_ksg.py --bmi-python /tmp/bmivenv/bin/python \\
        --out benchmarks/results/bmi_ksg.md

A worker process in that interpreter draws one sample of N points from every
task of ``bmi.benchmark.BENCHMARK_TASKS_LIST`` (seed 0), saves the arrays, and
then waits for orders: "estimate task T" runs
``KSGEnsembleFirstEstimator(neighborhoods=(k,))`` on T's arrays and answers
with the value and the time it took inside the worker. This script holds the
identical arrays and times ``ksg[k=K,metric=euclidean]`` (the same estimator)
and the default ``ksg`` (k = 3, max-norm) here. Task by task it calls each
once to warm up, then ``--reps`` rounds of bmi, ours-Euclidean, ours-default
in turn — never two at once, so each sees the machine as the others do. The
table gives median times, the speed-ups with their spread over rounds (each
round's bmi time against the same round's ours), and the machine's load
during the run.

A fourth column times the floor of the default configuration (``ksg_floor.py``:
a bare KD-tree query plus ball counts, or the blocked brute force, on the very
arrays the default searches, its margins and jitter applied): both are run in
the warm-up and the faster one joins every round. It shows how far the default's
speed-up over bmi is set by the norm and k it computes rather than by our code.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as a script: import the helpers beside it
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ksg_floor import floor_brute, floor_tree
    from sidebyside import LoadLog, Worker, ratio
else:
    from .ksg_floor import floor_brute, floor_tree
    from .sidebyside import LoadLog, Worker, ratio

WORKER = r"""
import json, sys, time
import numpy as np
from bmi.benchmark.task_list import BENCHMARK_TASKS_LIST
from bmi.estimators import KSGEnsembleFirstEstimator
folder, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
tasks = {}
for task in BENCHMARK_TASKS_LIST:
    x, y = task.sample(n, seed=0)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    np.savez(f"{folder}/{task.id}.npz", x=x, y=y)
    tasks[task.id] = (x, y, float(task.mutual_information))
json.dump({t: {"truth": v[2], "dims": [v[0].shape[1], v[1].shape[1]]}
           for t, v in tasks.items()}, open(f"{folder}/tasks.json", "w"))
print("ready", flush=True)
for line in sys.stdin:
    x, y, _ = tasks[line.strip()]
    est = KSGEnsembleFirstEstimator(neighborhoods=(k,))
    t0 = time.perf_counter()
    value = float(est.estimate(x, y))
    print(json.dumps({"value": value, "seconds": time.perf_counter() - t0}), flush=True)
"""


class Reference(Worker):
    """The bmi worker: one estimate per request, timed inside the worker."""

    def __init__(self, python: str, folder: str, n: int, k: int) -> None:
        super().__init__(python, WORKER, [folder, str(n), str(k)], "bmi")

    def estimate(self, task: str) -> tuple[float, float]:
        return self.ask(task)


def timed(fn: Callable[[np.ndarray, np.ndarray], float], x: np.ndarray,
          y: np.ndarray) -> tuple[float, float]:
    """The value and seconds of ``fn(x, y)``."""
    t0 = time.perf_counter()
    value = fn(x, y)
    return value, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bmi-python", required=True, help="interpreter with benchmark-mi")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--reps", type=int, default=3, help="timed rounds per task after a warm-up")
    ap.add_argument("--tasks", help="comma-separated bmi task ids, for a quick look "
                                    "(default: all 40; the totals are then over these)")
    ap.add_argument("--out", type=Path, help="also write the Markdown table here")
    args = ap.parse_args()

    import mibench
    from mibench.core.threads import thread_budget

    workers = thread_budget()
    load = LoadLog()
    # Any: the KSG class's own attributes (k, metric, algorithm_for) are used
    euclid: Any = mibench.get_estimator("ksg", k=args.k, metric="euclidean")
    default: Any = mibench.get_estimator("ksg")
    euclid.prepare()
    default.prepare()
    names = ("bmi", "euclid", "default", "floor")
    floor_fns = {"tree": functools.partial(floor_tree, k=default.k, metric=default.metric,
                                           workers=workers),
                 "brute": functools.partial(floor_brute, k=default.k, metric=default.metric,
                                            workers=workers)}
    with tempfile.TemporaryDirectory() as folder:
        ref = Reference(args.bmi_python, folder, args.n, args.k)
        tasks = json.loads(Path(folder, "tasks.json").read_text())
        rows = []
        if args.tasks:
            unknown = sorted(set(args.tasks.split(",")) - set(tasks))
            if unknown:
                ap.error(f"unknown bmi task ids: {', '.join(unknown)}")
            tasks = {t: tasks[t] for t in args.tasks.split(",")}
        for tid, info in tasks.items():
            data = np.load(Path(folder, f"{tid}.npz"))
            x, y = data["x"], data["y"]
            calls = {"bmi": lambda: ref.estimate(tid),  # noqa: B023 (called at once)
                     "euclid": lambda: timed(euclid.estimate, x, y),  # noqa: B023
                     "default": lambda: timed(default.estimate, x, y)}  # noqa: B023
            px, py = default._prepare(x, y)
            floors = {name: lambda f=f: timed(f, px, py)  # noqa: B023
                      for name, f in floor_fns.items()}
            warm = {name: f() for name, f in floors.items()}  # warm-up of both floors
            floor_algo = min(warm, key=lambda name: warm[name][1])
            calls["floor"] = floors[floor_algo]
            # warm-up round (the chosen floor has just run in its own warm-up)
            values = {name: calls[name]()[0] for name in names if name != "floor"}
            values["floor"] = warm[floor_algo][0]
            times: dict[str, list[float]] = {name: [] for name in names}
            for _ in range(args.reps):
                for name in names:
                    values[name], seconds = calls[name]()
                    times[name].append(seconds)
            load.sample()
            rows.append({"task": tid, "dims": "×".join(map(str, info["dims"])),
                         "truth": info["truth"], "values": values, "times": times,
                         "euclid_algo": euclid.algorithm_for(len(x), x.shape[1], y.shape[1]),
                         "default_algo": default.algorithm_for(len(x), x.shape[1],
                                                               y.shape[1]),
                         "floor_algo": floor_algo})
            r = ratio(times["bmi"], times["euclid"])
            print(f"{tid}: bmi {statistics.median(times['bmi']):.3f} s, euclid "
                  f"{statistics.median(times['euclid']):.3f} s ({r.text()})", file=sys.stderr,
                  flush=True)
        ref.close()
    lines = [f"KSG on the bmi v1 tasks, N = {args.n}, one sample (seed 0) per task; k = "
             f"{args.k} for bmi and ksg[k={args.k},metric=euclidean], default ksg k = 3, "
             f"max-norm. Interleaved in one run: per task one warm-up call of each, then "
             f"{args.reps} rounds of bmi, ours (Euclidean), ours (default) and the default's "
             "floor (the faster of its KD-tree and brute-force floors in the warm-up, on the "
             "arrays the default searches); times are medians over the rounds, speed-ups the "
             "ratio of the medians with the range of the per-round ratios.", "", load.text(),
             "",
             "| task | dims | truth | bmi KSG | ksg euclid | abs diff | bmi s | euclid s | "
             "speed-up | default ksg | default s | speed-up | floor s | default / floor |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---|"]
    for r in rows:
        v, t = r["values"], r["times"]
        re, rd = ratio(t["bmi"], t["euclid"]), ratio(t["bmi"], t["default"])
        lines.append(
            f"| {r['task']} | {r['dims']} | {r['truth']:.3f} | {v['bmi']:.6f} | "
            f"{v['euclid']:.6f} | {abs(v['euclid'] - v['bmi']):.1e} | {re.a_median:.3f} | "
            f"{re.b_median:.3f} ({r['euclid_algo']}) | {re.text()} | {v['default']:.3f} | "
            f"{rd.b_median:.3f} ({r['default_algo']}) | {rd.text()} | "
            f"{statistics.median(t['floor']):.3f} ({r['floor_algo']}) | "
            f"{ratio(t['default'], t['floor']).text(2)} |")

    def total(name: str) -> list[float]:  # per round, over every task
        return [sum(r["times"][name][i] for r in rows) for i in range(args.reps)]

    te, td = ratio(total("bmi"), total("euclid")), ratio(total("bmi"), total("default"))
    tf, tdf = ratio(total("bmi"), total("floor")), ratio(total("default"), total("floor"))
    worst_e = min(ratio(r["times"]["bmi"], r["times"]["euclid"]).ratio for r in rows)
    worst_d = min(ratio(r["times"]["bmi"], r["times"]["default"]).ratio for r in rows)
    err = {name: np.mean([abs(r["values"][name] - r["truth"]) for r in rows]) for name in names}
    lines += ["", f"Totals (median over rounds of the sum over tasks): bmi KSG "
                  f"{te.a_median:.1f} s; ksg[k={args.k},metric=euclidean] {te.b_median:.1f} s "
                  f"({te.text()} faster; {worst_e:.1f}× on its worst task); default ksg "
                  f"{td.b_median:.1f} s ({td.text()} faster; {worst_d:.1f}× on its worst task).",
              f"The default's floor: {tf.b_median:.1f} s in total, {tf.text()} faster than "
              f"bmi's KSG; default ksg / floor {tdf.text(2)} (below 1 where ours is faster "
              "than the floor: its compiled brute force against the floor's cdist, its 1-D "
              "window counts against the floor's ball counts).",
              f"Largest |ours − bmi| with the same k and norm: "
              f"{max(abs(r['values']['euclid'] - r['values']['bmi']) for r in rows):.2e} nats "
              "(bmi samples in float32, so its 1-D draws repeat values and distances tie; our "
              "default jitter, 1e-10 of a column's sd, breaks those ties).",
              f"Mean |error|: bmi {err['bmi']:.3f}, ksg euclid {err['euclid']:.3f}, default ksg "
              f"{err['default']:.3f} nats."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
