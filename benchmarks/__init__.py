"""asv benchmarks of mibench (``time_*``, ``peakmem_*``, ``track_*``).

Thread counts are pinned before numpy or torch load (the asv matrix sets the
same variables, so they are recorded with the results): timings then measure
the algorithms, not how many cores a shared machine happens to give.
"""

import os

THREADS = int(os.environ.get("MIBENCH_BENCH_THREADS", "1"))
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(THREADS))

#: ``MIBENCH_BENCH_SMOKE=1`` (CI): every benchmark runs once for every estimator but
#: only on the first value of its other parameter axes — that it runs is checked, not
#: how fast; full runs (no variable) sweep the whole grid for the history.
SMOKE = os.environ.get("MIBENCH_BENCH_SMOKE", "") not in ("", "0")


def grid(first: list, *axes: list) -> tuple:
    """asv ``params``: the full axes, or in smoke mode ``first`` (the estimators)
    whole and the first value of each other axis."""
    return (first, *(a[:1] for a in axes)) if SMOKE else (first, *axes)
