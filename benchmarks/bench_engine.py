"""Overhead of the engine itself: planning a large grid, writing and resuming the store."""

from __future__ import annotations

import tempfile

from mibench.plan import RunSpec
from mibench.run.cell import base_row
from mibench.store import ResultStore
from mibench.store.schema import Status

GRID = RunSpec(estimators=["gaussian", "gaussian[bias_correction=true]", "ksg[k=2|3|5]",
                           "binning[bins=5|10|fd]"],
               tasks=["gaussian[dim=1|2|5|10|20,rho=0.1|0.3|0.5|0.7|0.9]"],
               n=[100, 1_000, 10_000], seeds=10)  # 8 × 25 × 3 × 10 = 6000 cells


class Engine:
    timeout = 300

    def setup(self) -> None:
        self.cells = GRID.cells()
        self.rows = [dict(base_row(c), status=Status.OK, estimate=0.1) for c in self.cells]
        self.tmp = tempfile.TemporaryDirectory()
        store = ResultStore(self.tmp.name + "/full")
        for r in self.rows:
            store.put(r)
        store.close()

    def teardown(self) -> None:
        self.tmp.cleanup()

    def time_plan_6000_cells(self) -> None:
        GRID.cells()

    def time_store_write_1000_rows(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            store = ResultStore(d)
            for r in self.rows[:1000]:
                store.put(r)
            store.close()

    def time_resume_lookup_6000_cells(self) -> None:
        store = ResultStore(self.tmp.name + "/full")
        have = store.keys()
        [c for c in self.cells if c.key not in have]
        store.close()

    def track_cells_planned(self) -> int:
        return len(self.cells)
