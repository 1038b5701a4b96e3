"""Side-by-side comparison of mibench's classical estimators with reference code.

Runs in one process, on the same data, and prints a Markdown table of
estimates and time ratios:

* ``ksg`` against scikit-learn's ``mutual_info_regression`` (1-D) and against a
  plain cKDTree implementation (``query`` + ``query_ball_point``, one thread);
* ``kde`` (resubstitution and leave-one-out) against ``scipy.stats.gaussian_kde``
  (resubstitution: three ``gaussian_kde`` fits, ``logpdf`` at the samples);
* ``binning`` time and peak memory.

Times are the best of ``--repeat`` runs. "ours" uses the thread budget of the
machine (all cores); "ours 1t" is pinned to one thread, for a like-for-like
comparison with the single-threaded references.

    python benchmarks/compare_reference.py            # N in 1e3, 1e4, 1e5; d in 1, 5, 10
    python benchmarks/compare_reference.py --quick    # N up to 1e4
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
from scipy import stats
from scipy.spatial import cKDTree
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_regression

import mibench
from mibench.run.measure import limit_threads, peak_memory


def ksg_plain_ckdtree(x: np.ndarray, y: np.ndarray, k: int = 3) -> float:
    """Straightforward KSG algorithm 1 with scipy's cKDTree (standardised data)."""
    x = (x - x.mean(0)) / x.std(0)
    y = (y - y.mean(0)) / y.std(0)
    xy = np.hstack([x, y])
    eps = cKDTree(xy).query(xy, k=k + 1, p=np.inf)[0][:, k]
    r = np.nextafter(eps, 0)
    nx = cKDTree(x).query_ball_point(x, r, p=np.inf, return_length=True) - 1
    ny = cKDTree(y).query_ball_point(y, r, p=np.inf, return_length=True) - 1
    return float(digamma(k) + digamma(len(x)) - np.mean(digamma(nx + 1) + digamma(ny + 1)))


def scipy_kde_resub(x: np.ndarray, y: np.ndarray) -> float:
    xy = np.hstack([x, y])
    f = [stats.gaussian_kde(z.T).logpdf(z.T) for z in (xy, x, y)]
    return float(np.mean(f[0] - f[1] - f[2]))


def timed(fn: Callable[[], float], repeat: int) -> tuple[float, float]:
    best, val = np.inf, np.nan
    for _ in range(repeat):
        t0 = time.perf_counter()
        val = fn()
        best = min(best, time.perf_counter() - t0)
    return val, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="N up to 1e4 only")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--large-only", action="store_true", help="only the memory section")
    ap.add_argument("--scipy-kde-max-n", type=int, default=10_000,
                    help="largest N for the (quadratic, slow) scipy KDE reference")
    args = ap.parse_args()
    ns = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    if args.large_only:
        ns = []
    header = ("estimator", "reference", "d per side", "N", "true MI", "ours", "reference",
              "ours s", "ours 1t s", "ref s", "speed-up", "speed-up 1t")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header), flush=True)

    class Rows(list):  # print each row as soon as it is measured
        def append(self, r: tuple[str, ...]) -> None:
            print("| " + " | ".join(r) + " |", flush=True)

    rows = Rows()
    ksg = mibench.get_estimator("ksg", jitter=0.0)
    for d in (1, 5, 10):
        task = mibench.get_task("gaussian", dim=d, rho=0.6)
        for n in ns:
            x, y = task.sample(n, np.random.default_rng(n + d))
            rep = args.repeat if n <= 10_000 else 1
            if d >= 10 and n >= 100_000:
                # KD-trees in a 20-D joint space degrade to brute force: ~5 min per call
                print(f"| ksg | (skipped) | {d} | {n:,} | | | | | | | | |", flush=True)
                continue
            ours, t_ours = timed(lambda x=x, y=y: ksg.estimate(x, y), rep)
            with limit_threads(1):
                _, t_ours1 = timed(lambda x=x, y=y: ksg.estimate(x, y), rep)
            ref, t_ref = timed(lambda x=x, y=y: ksg_plain_ckdtree(x, y), rep)
            rows.append(("ksg", "plain cKDTree", str(d), f"{n:,}", f"{task.mi:.3f}",
                         f"{ours:.4f}", f"{ref:.4f}", f"{t_ours:.3f}", f"{t_ours1:.3f}",
                         f"{t_ref:.3f}", f"{t_ref / t_ours:.2f}", f"{t_ref / t_ours1:.2f}"))
            if d == 1:
                ref, t_ref = timed(lambda x=x, y=y: float(mutual_info_regression(
                    x, y[:, 0], n_neighbors=3, random_state=0)[0]), rep)
                rows.append(("ksg", "sklearn mutual_info_regression", "1", f"{n:,}",
                             f"{task.mi:.3f}", f"{ours:.4f}", f"{ref:.4f}", f"{t_ours:.3f}",
                             f"{t_ours1:.3f}", f"{t_ref:.3f}", f"{t_ref / t_ours:.2f}",
                             f"{t_ref / t_ours1:.2f}"))
            if n <= args.scipy_kde_max_n and d <= 5:
                kde_rs = mibench.get_estimator("kde", leave_one_out=False)
                rep_k = args.repeat if n <= 1_000 else 1
                ours, t_ours = timed(lambda x=x, y=y, e=kde_rs: e.estimate(x, y), rep_k)
                with limit_threads(1):
                    _, t_ours1 = timed(lambda x=x, y=y, e=kde_rs: e.estimate(x, y), rep_k)
                ref, t_ref = timed(lambda x=x, y=y: scipy_kde_resub(x, y), rep_k)
                rows.append(("kde (resub.)", "scipy gaussian_kde", str(d), f"{n:,}",
                             f"{task.mi:.3f}", f"{ours:.4f}", f"{ref:.4f}", f"{t_ours:.3f}",
                             f"{t_ours1:.3f}", f"{t_ref:.3f}", f"{t_ref / t_ours:.2f}",
                             f"{t_ref / t_ours1:.2f}"))

    print("\nMemory and time at large N: rise of resident memory (RSS high-water mark)"
          " and peak of traced allocations (tracemalloc: Python and numpy) during the call\n")
    print("| estimator | d per side | N | estimate | true MI | time s | RSS peak MB | "
          "traced peak MB |")
    print("|---|---|---|---|---|---|---|---|")
    big = [("kde", 1, 100_000), ("binning", 5, 100_000), ("ksg", 1, 100_000)]
    if args.quick:
        big = [("kde", 1, 20_000), ("binning", 5, 100_000)]
    for name, d, n in big:
        task = mibench.get_task("gaussian", dim=d, rho=0.6)
        x, y = task.sample(n, np.random.default_rng(7))
        est = mibench.get_estimator(name)
        tracemalloc.start()
        with peak_memory() as mem:
            t0 = time.perf_counter()
            v = est.estimate(x, y)
            dt = time.perf_counter() - t0
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"| {name} | {d} | {n:,} | {v:.4f} | {task.mi:.3f} | {dt:.3f} | "
              f"{mem.peak_mb:.1f} | {traced:.1f} |", flush=True)


if __name__ == "__main__":
    main()
