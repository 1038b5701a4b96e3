"""Executors: run cells serially or in local worker processes.

Every executor yields result rows as cells finish, in completion order; the
runner writes each to the store at once. Failures inside a cell are turned
into rows by :func:`mibench.execute.run_cell`; an executor only has to deal
with failures of the machinery itself (a worker process that dies).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .errors import ParameterError
from .execute import STATUS_FAILED, failure_row, run_unit
from .plan import Cell


class Executor:
    """Base class: ``run(cells)`` yields one result row per cell."""

    name = "base"

    def __init__(self, jobs: int = 1, threads: int | None = None) -> None:
        if not isinstance(jobs, int) or jobs < 1:
            raise ParameterError(f"jobs must be a positive integer; got {jobs!r}")
        self.jobs = jobs
        self.threads = threads if threads is not None else default_threads(jobs)

    def run(self, units: Sequence[list[Cell]]) -> Iterator[dict[str, Any]]:
        """Run units of work (lists of cells, see ``group_cells``); yield one row per cell."""
        raise NotImplementedError


def default_threads(jobs: int) -> int:
    """Threads per worker so that workers × threads does not exceed the cores."""
    return max(1, (os.cpu_count() or 1) // jobs)


class SerialExecutor(Executor):
    """Run cells one after another in this process."""

    name = "serial"

    def run(self, units: Sequence[list[Cell]]) -> Iterator[dict[str, Any]]:
        for unit in units:
            yield from run_unit(unit, self.threads)


def _mp_context() -> Any:
    # fork is fastest and carries plugins registered at run time; it is not
    # safe once torch (with its thread pools) lives in this process.
    if sys.platform == "linux" and "torch" not in sys.modules:
        return mp.get_context("fork")
    return mp.get_context("spawn")


class ProcessExecutor(Executor):
    """Run cells in ``jobs`` local worker processes."""

    name = "process"

    def run(self, units: Sequence[list[Cell]]) -> Iterator[dict[str, Any]]:
        pending = list(units)[::-1]
        with ProcessPoolExecutor(max_workers=self.jobs, mp_context=_mp_context()) as pool:
            running: dict[Future[list[dict[str, Any]]], list[Cell]] = {}
            broken = False
            while pending or running:
                while pending and len(running) < 2 * self.jobs and not broken:
                    unit = pending.pop()
                    running[pool.submit(run_unit, unit, self.threads)] = unit
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    unit = running.pop(fut)
                    try:
                        yield from fut.result()
                    except BrokenProcessPool:
                        broken = True
                        for cell in unit:
                            yield failure_row(cell, STATUS_FAILED,
                                              "worker process died while running this cell")
            for unit in reversed(pending):
                for cell in unit:
                    yield failure_row(cell, STATUS_FAILED,
                                      "not run: the worker pool broke down earlier in the run")


EXECUTORS: dict[str, type[Executor]] = {
    "serial": SerialExecutor,
    "process": ProcessExecutor,
}


def make_executor(name: str, jobs: int = 1, threads: int | None = None,
                  **options: Any) -> Executor:
    """Executor by name; ``process`` is chosen for ``serial`` when jobs > 1."""
    if name not in EXECUTORS:
        from .errors import suggest

        raise ParameterError(f"unknown executor {name!r}." + suggest(name, EXECUTORS)
                             + f" Available: {', '.join(EXECUTORS)}")
    if name == "serial" and jobs > 1:
        name = "process"
    return EXECUTORS[name](jobs=jobs, threads=threads, **options)
