"""asv benchmarks of mibench (``time_*``, ``peakmem_*``, ``track_*``).

Thread counts are pinned before numpy or torch load (the asv matrix sets the
same variables, so they are recorded with the results): timings then measure
the algorithms, not how many cores a shared machine happens to give.
"""

import os

THREADS = int(os.environ.get("MIBENCH_BENCH_THREADS", "1"))
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(THREADS))
