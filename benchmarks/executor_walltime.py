"""Wall time of one grid on each executor, measured side by side in one process.

    python benchmarks/executor_walltime.py

The grid: KSG, KDE, binning and the Gaussian estimator on four tasks at
n = 4000 and 16 000 with 4 seeds (128 cells). Every executor gets one thread per cell
(``--threads 1``), so the comparison is of scheduling, not of BLAS threads;
the tables are checked to be identical.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace

import pandas as pd

from mibench.plan import RunSpec
from mibench.run import run_spec

SPEC = RunSpec(estimators=["ksg", "kde", "binning", "gaussian"],
               tasks=["gaussian[dim=1|4,rho=0.6]", "student-t[dim=2]",
                      "transformed[base=gaussian[dim=2,rho=0.7],transform=spiral]"],
               n=[4000, 16000], seeds=4)


def main() -> None:
    runs = [("serial", "serial", {}, 1), ("process, 2 jobs", "process", {}, 2),
            ("dask, 1 worker", "dask", {"workers": 1}, 1),
            ("dask, 2 workers", "dask", {"workers": 2}, 2)]
    tables = {}
    print("| executor | cells | wall time s |\n|---|---|---|")
    for label, ex, opts, jobs in runs:
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            out = run_spec(replace(SPEC, executor=ex, jobs=jobs, threads=1, **opts), d)
            dt = time.perf_counter() - t0
        tables[label] = out.table[["key", "estimate"]].sort_values("key").reset_index(drop=True)
        print(f"| {label} | {out.total} | {dt:.1f} |", flush=True)
    ref = tables["serial"]
    for t in tables.values():
        pd.testing.assert_frame_equal(t, ref)
    print("\nall tables identical to the serial one")


if __name__ == "__main__":
    main()
