"""KSG neighbour search: KD-trees against the blocked brute force, side by side.

For each norm, N and joint dimension (split evenly between X and Y, coupled
Gaussian data), times ``ksg[algorithm=tree]`` and ``ksg[algorithm=brute]``
(best of ``--repeat``) in this one process, and prints where the brute force
starts to win — the crossovers behind ``algorithm="auto"``
(``estimators/_knn.py: TREE_MAX_JOINT_DIM``)::

    python benchmarks/ksg_speed.py --n 2000,5000,10000
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import mibench


def best_time(est, x: np.ndarray, y: np.ndarray, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        est.estimate(x, y)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", default="2000,5000,10000")
    ap.add_argument("--dims", default="2,4,6,8,10,12,16,20,30,50,100")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    mibench.get_estimator("ksg").prepare()  # imports and first calls outside the timings
    print("| metric | N | joint dim | tree s | brute s | tree/brute |")
    print("|---|---:|---:|---:|---:|---:|")
    for metric in ("max", "euclidean"):
        for n in map(int, args.n.split(",")):
            cross = None
            for d in map(int, args.dims.split(",")):
                dx = d // 2
                z = rng.standard_normal((n, d))
                x, y = z[:, :dx], z[:, dx:] + 0.5 * np.resize(z[:, :dx], (n, d - dx))
                t = {a: best_time(mibench.get_estimator("ksg", metric=metric, algorithm=a),
                                  x, y, args.repeat) for a in ("tree", "brute")}
                ratio = t["tree"] / t["brute"]
                if cross is None and ratio > 1:
                    cross = d
                print(f"| {metric} | {n} | {d} | {t['tree']:.3f} | {t['brute']:.3f} | "
                      f"{ratio:.2f} |", flush=True)
            print(f"| {metric} | {n} | brute faster from joint dim {cross} | | | |", flush=True)


if __name__ == "__main__":
    main()
