"""KSG against its floor: the fastest exact computation of the same neighbour statistics.

For each norm, sample size N and joint dimension d (split evenly between X and
Y; coupled Gaussian data), this one script times, interleaved round by round
after a warm-up call of each:

* ``ours``: ``ksg`` with each of its two algorithms forced, ``tree`` and
  ``brute``, in the default configuration (k = 3, the max-norm) and as
  ``ksg[k=5,metric=euclidean]``, the Beyond Normal benchmark's. ``auto`` (what a
  run calls) is the forced call of the algorithm it picks, shown as
  ``ours (auto)``; the two forced times re-measure where ``auto`` should switch;
* the floor, written here from the best primitives available, independently of
  our code:

  - ``floor tree``: a ``scipy.spatial.cKDTree`` k-NN query of the joint sample
    and two ball counts (``query_ball_point(..., return_length=True)``) of the
    marginals. For the max-norm this is KSG exactly (the joint Chebyshev norm is
    the larger of the two marginal ones). For the Euclidean KSG distance,
    max(‖Δx‖₂, ‖Δy‖₂), no tree library offers the joint query; the floor then
    uses the Euclidean query of the joint sample, a lower bound on the work of
    the exact one (its neighbours must still be found and ranked);
  - ``floor brute``: blocks of rows against all points, with the distances from
    BLAS matrix products (Euclidean: ‖a‖² + ‖b‖² − 2a·b, one product per side on
    augmented matrices) or ``scipy.spatial.distance.cdist`` (Chebyshev), the
    k-th joint distance by ``np.partition`` and the counts by comparison; blocks
    of about 8 MiB spread over the same threads as ours, BLAS on one thread
    meanwhile (the arrangement that ran fastest here; with BLAS threads beside
    the pool's the same code ran 2–5× slower).

The floor of a cell is the faster of the two, round by round; the table gives
ours/floor with the spread over rounds, and checks that ours and the exact
floors give the same estimate. A candidate whose warm-up took over 3× the
fastest one's is not repeated (its warm-up time is shown; the algorithm ``auto``
picks is always repeated), and the tree candidates are not timed above the
joint dimension where their warm-up was already 5× slower than the brute force
(tree costs only grow with d)::

    python benchmarks/ksg_floor.py --out benchmarks/results/ksg_floor.md
    python benchmarks/ksg_floor.py --n 5000 --dims 2,6,20 --reps 2   # a quick look
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist
from scipy.special import digamma
from threadpoolctl import threadpool_limits

if __package__ in (None, ""):  # run as a script: import the helpers beside it
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sidebyside import LoadLog, interleaved, ratio
else:
    from .sidebyside import LoadLog, interleaved, ratio

import mibench
from mibench.core.threads import thread_budget

SKIP_SLOWER = 3.0  # a candidate this much slower than the fastest in its warm-up is not repeated
CONFIGS = {"max": 3, "euclidean": 5}  # k of the configuration timed for each norm
DIMS = "2,3,4,6,8,10,12,16,20,30,50,75,100"


def coupled_gaussian(n: int, d: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    dx = d // 2
    dy = d - dx
    x = rng.standard_normal((n, dx))
    base = np.resize(x.T, (dy, n)).T
    y = 0.6 * base + 0.8 * rng.standard_normal((n, dy))
    return x, y


def ksg1(nx: np.ndarray, ny: np.ndarray, k: int) -> float:
    n = nx.shape[0]
    return float(digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1)))


def floor_tree(x: np.ndarray, y: np.ndarray, k: int, metric: str, workers: int) -> float:
    p = np.inf if metric == "max" else 2.0
    z = np.hstack([x, y])
    dist, _ = cKDTree(z).query(z, k=k + 1, p=p, workers=workers)
    r = np.nextafter(dist[:, k], 0)  # strict counts: distances below ε
    nx = cKDTree(x).query_ball_point(x, r, p=p, return_length=True, workers=workers) - 1
    ny = cKDTree(y).query_ball_point(y, r, p=p, return_length=True, workers=workers) - 1
    return ksg1(nx, ny, k)


def floor_brute(x: np.ndarray, y: np.ndarray, k: int, metric: str, workers: int) -> float:
    n = x.shape[0]
    rows = max(16, 2**23 // (5 * 8 * n))  # about 8 MiB of distances per block in flight

    def augmented(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sq = np.einsum("ij,ij->i", a, a)[:, None]
        one = np.ones((n, 1))
        return np.hstack([a, sq, one]), np.ascontiguousarray(np.hstack([-2 * a, one, sq]).T)

    sides = [augmented(a) for a in (x, y)] if metric == "euclidean" else []

    def block(s: int) -> tuple[np.ndarray, np.ndarray]:
        e = min(n, s + rows)
        if metric == "euclidean":  # squared distances, compared as such
            dx = sides[0][0][s:e] @ sides[0][1]
            dy = sides[1][0][s:e] @ sides[1][1]
        else:
            dx, dy = cdist(x[s:e], x, "chebyshev"), cdist(y[s:e], y, "chebyshev")
        i = np.arange(e - s)
        dz = np.maximum(dx, dy)
        dz[i, i + s] = -1.0  # the point itself sorts first
        eps = np.partition(dz, k, axis=1)[:, k]
        return (np.count_nonzero(dx < eps[:, None], axis=1) - 1,
                np.count_nonzero(dy < eps[:, None], axis=1) - 1)

    # the blocks share the cores; BLAS on one thread meanwhile (its own threads would
    # compete with the pool's and spin on a busy machine)
    with threadpool_limits(1), ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(block, range(0, n, rows)))
    return ksg1(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), k)


def candidates(ours: mibench.Estimator, x: np.ndarray, y: np.ndarray, workers: int,
               trees: bool) -> dict[str, Callable[[], float]]:
    """What is timed for one cell: ours with each algorithm forced and the floors (on
    the arrays ours searches: its margins and jitter applied). ``auto`` runs exactly
    the forced call of the algorithm it picks, so it is not timed a third time."""
    k, metric = ours.k, ours.metric  # type: ignore[attr-defined]
    px, py = ours._prepare(x, y)  # type: ignore[attr-defined]
    out: dict[str, Callable[[], float]] = {
        "brute": lambda: ours.with_params(algorithm="brute").estimate(x, y),
        "floor brute": lambda: floor_brute(px, py, k, metric, workers)}
    if trees:
        out["tree"] = lambda: ours.with_params(algorithm="tree").estimate(x, y)
        out["floor tree"] = lambda: floor_tree(px, py, k, metric, workers)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", default="5000,50000", help="sample sizes")
    ap.add_argument("--dims", default=DIMS, help="joint dimensions")
    ap.add_argument("--metrics", default="max,euclidean")
    ap.add_argument("--reps", type=int, default=3, help="timed rounds after the warm-up")
    ap.add_argument("--out", type=Path, help="also write the Markdown table here")
    args = ap.parse_args()
    workers = thread_budget()
    load = LoadLog()
    rng = np.random.default_rng(0)
    lines = ["| norm | N | joint dim | ours (auto) s | ours tree s | ours brute s | "
             "floor tree s | floor brute s | ours / floor | same estimate |",
             "|---|---:|---:|---|---:|---:|---:|---:|---|---|"]
    worst: dict[tuple[str, int], float] = {}
    crossover: dict[tuple[str, int], int | None] = {}
    for metric in args.metrics.split(","):
        k = CONFIGS[metric]
        ours: Any = mibench.get_estimator("ksg", k=k, metric=metric)  # KSG's own attributes
        ours.prepare()
        for n in map(int, args.n.split(",")):
            trees_live = True
            crossover[(metric, n)] = None
            for d in map(int, args.dims.split(",")):
                x, y = coupled_gaussian(n, d, rng)
                algo = ours.algorithm_for(n, x.shape[1], y.shape[1])
                t = interleaved(candidates(ours, x, y, workers, trees_live), args.reps,
                                skip_slower=SKIP_SLOWER, keep=frozenset({algo}))
                load.sample()
                med = {name: t.median(name) for name in t.times}
                floors = [name for name in ("floor tree", "floor brute") if name in t.times]
                repeated = [f for f in floors if len(t.times[f]) == args.reps] or floors
                per_round_floor = [min(v) for v in zip(*(t.times[f] for f in repeated),
                                                       strict=False)]
                r = ratio(t.times[algo], per_round_floor)
                worst[(metric, n)] = max(worst.get((metric, n), 0.0), r.ratio)
                if trees_live and crossover[(metric, n)] is None and med["tree"] > med["brute"]:
                    crossover[(metric, n)] = d
                exact = [t.result["floor brute"]] + (
                    [t.result["floor tree"]] if metric == "max" and "floor tree" in t.result
                    else [])
                same = max(abs(t.result[algo] - v) for v in exact)

                cell = {name: f"{med[name]:.3f}" if name in med else "—"
                        for name in ("tree", "brute", "floor tree", "floor brute")}
                lines.append(f"| {metric} (k={k}) | {n:,} | {d} | {med[algo]:.3f} ({algo}) | "
                             f"{cell['tree']} | {cell['brute']} | {cell['floor tree']} | "
                             f"{cell['floor brute']} | {r.text(2)} | {same:.1e} |")
                print(lines[-1], flush=True)
                if trees_live and min(t.warmup["tree"], t.warmup["floor tree"]) > \
                        5 * min(t.warmup["brute"], t.warmup["floor brute"]):
                    trees_live = False
    text = "\n".join(
        [f"KSG against its floor, {args.reps} interleaved rounds after one warm-up each; "
         f"times are medians; {workers} threads for ours and the floors. "
         "'same estimate': |ours − exact floor| (the floor tree is exact for the max-norm "
         "only).", "", load.text(), ""] + lines + [""]
        + [f"- {m}, N {n:,}: worst ours/floor {w:.2f}×; forced tree slower than forced "
           f"brute from joint dim {crossover[(m, n)]}" for (m, n), w in worst.items()]) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
