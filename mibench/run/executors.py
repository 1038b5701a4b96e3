"""Executors: run cells serially or in local worker processes.

Every executor yields result rows as cells finish, in completion order; the
runner writes each to the store at once. Failures inside a cell are turned
into rows by :func:`mibench.run.cell.run_cell`; an executor only has to deal
with failures of the machinery itself (a worker process that dies).
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..core.errors import ParameterError
from ..core.threads import available_cores
from ..plan.cells import Cell
from ..plan.spec import EXECUTORS, RunSpec
from ..store.schema import Status
from .cell import failure_row, run_unit


class Executor:
    """Base class: ``run(cells)`` yields one result row per cell. Options come checked
    from a :class:`~mibench.plan.RunSpec` (:func:`make_executor`)."""

    name = "base"

    def __init__(self, jobs: int = 1, threads: int | None = None,
                 timeout: float | None = None) -> None:
        self.jobs = jobs
        self.threads = threads if threads is not None else default_threads(jobs)
        self.timeout = timeout

    def _run_one(self, unit: list[Cell]) -> list[dict[str, Any]]:
        """Run a unit here, or in a killable child process when a timeout is set."""
        if self.timeout is None:
            return run_unit(unit, self.threads)
        from .isolation import run_unit_isolated

        return run_unit_isolated(unit, self.threads, self.timeout)

    def run(self, units: Sequence[list[Cell]]) -> Iterator[dict[str, Any]]:
        """Run units of work (lists of cells, see ``group_cells``); yield one row per cell."""
        raise NotImplementedError


def default_threads(jobs: int) -> int:
    """Threads per worker so that workers × threads does not exceed the CPUs this
    process may use (its affinity mask, as SLURM, cgroups or taskset set it)."""
    return max(1, available_cores() // jobs)


class SerialExecutor(Executor):
    """Run cells one after another in this process."""

    name = "serial"

    def run(self, units: Sequence[list[Cell]]) -> Iterator[dict[str, Any]]:
        for unit in units:
            yield from self._run_one(unit)


def _mp_context() -> Any:
    # fork is fastest and carries plugins registered at run time; it is not
    # safe once torch (with its thread pools) lives in this process.
    if sys.platform == "linux" and "torch" not in sys.modules:
        return mp.get_context("fork")
    return mp.get_context("spawn")


class ProcessExecutor(Executor):
    """Run cells in ``jobs`` local worker processes.

    A worker that dies (a crash in native code, an out-of-memory kill, an
    estimator that exits) breaks the whole pool, and with it every unit in
    flight, most of which did nothing wrong. So a broken pool is not charged
    to any cell: the pool is rebuilt for the units not yet started, and each
    cell that was in flight is rerun once, alone, in a process of its own. A
    cell whose process dies there too has killed its process twice and is
    stored as ``failed``; every other cell gets its own result.
    """

    name = "process"

    def run(self, units: Sequence[list[Cell]]) -> Iterator[dict[str, Any]]:
        if self.timeout is not None:
            # each unit in its own killable process; threads here only wait on them
            from concurrent.futures import ThreadPoolExecutor, as_completed

            from .isolation import kill_live_cells

            pool = ThreadPoolExecutor(self.jobs)
            try:
                futs = [pool.submit(self._run_one, u) for u in units]
                for fut in as_completed(futs):
                    yield from fut.result()
            except BaseException:  # interrupted (or the consumer stopped): stop every cell
                pool.shutdown(wait=False, cancel_futures=True)
                kill_live_cells()
                raise
            finally:
                pool.shutdown(wait=True)
            return
        pending = list(units)[::-1]
        while pending:
            in_flight = yield from self._run_pool(pending)
            for unit in in_flight:
                for cell in unit:
                    yield self._run_alone(cell)

    def _run_pool(self, pending: list[list[Cell]]
                  ) -> Generator[dict[str, Any], None, list[list[Cell]]]:
        """Run units from ``pending`` (consumed from the end) until it is empty or
        the pool breaks; return the units that were in flight when it broke."""
        pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_mp_context())
        try:
            running: dict[Future[list[dict[str, Any]]], list[Cell]] = {}
            while pending or running:
                while pending and len(running) < 2 * self.jobs:
                    try:
                        fut = pool.submit(run_unit, pending[-1], self.threads)
                    except BrokenProcessPool:  # a worker died since the last wait
                        return list(running.values())
                    running[fut] = pending.pop()
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                lost: list[list[Cell]] = []
                for fut in done:
                    unit = running.pop(fut)
                    try:
                        rows = fut.result()
                    except BrokenProcessPool:
                        lost.append(unit)
                        continue
                    yield from rows
                if lost:
                    # every unit still running went down with the pool
                    lost.extend(running.values())
                    return lost
        except BaseException:  # interrupted: workers must not finish their cells
            _kill_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return []

    def _run_alone(self, cell: Cell) -> dict[str, Any]:
        """Rerun one cell in a fresh single-worker pool; a second death is its own."""
        with ProcessPoolExecutor(max_workers=1, mp_context=_mp_context()) as pool:
            try:
                return pool.submit(run_unit, [cell], self.threads).result()[0]
            except BrokenProcessPool:
                return failure_row(cell, Status.FAILED,
                                   "the cell killed its worker process twice (in the pool, "
                                   "then alone)", attempts=2)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's worker processes now. ``concurrent.futures`` has no public way
    to do so before Python 3.14 (``kill_workers``), so this reads its process table."""
    procs = getattr(pool, "_processes", None) or {}
    for proc in list(procs.values()):
        try:
            proc.kill()
        except (OSError, ValueError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)


def _dask_unit(unit: list[Cell], threads: int | None, timeout: float | None
               ) -> list[dict[str, Any]]:
    """What a Dask worker runs for one unit."""
    if timeout is None:
        return run_unit(unit, threads)
    from .isolation import run_unit_isolated

    # a Dask worker is a threaded server: never fork it; start a fresh interpreter
    return run_unit_isolated(unit, threads, timeout, fresh=True)


class DaskExecutor(Executor):
    """Run cells as tasks on a ``dask.distributed`` cluster.

    With ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``) the run
    uses that cluster; otherwise it starts a local cluster of ``workers``
    processes (one thread each) for the run. A worker that dies mid-cell
    makes the scheduler retry the cell once on another worker; a second death
    records the cell as failed (the local cluster sets
    ``distributed.scheduler.allowed-failures`` to 1; give an external
    scheduler the same setting for the same behaviour).
    """

    name = "dask"

    def __init__(self, jobs: int = 1, threads: int | None = None,
                 timeout: float | None = None, scheduler: str | None = None,
                 workers: int | None = None) -> None:
        super().__init__(jobs=jobs, threads=threads if threads is not None else 1,
                         timeout=timeout)
        self.scheduler = scheduler
        self.workers = workers or jobs

    def run(self, units: Sequence[list[Cell]]) -> Iterator[dict[str, Any]]:
        try:
            import dask
            from distributed import Client, LocalCluster, as_completed
            from distributed.scheduler import KilledWorker
        except ImportError as exc:
            raise ParameterError(
                f"--executor dask needs dask.distributed ({exc}); install mibench[dask]"
            ) from None
        cluster = None
        # worker-saturation 1: a worker holds only the task it runs, so a worker that
        # dies implicates that task alone (with the default, queued innocents were
        # charged too); allowed-failures 1: a task that kills two workers has failed
        with dask.config.set({"distributed.scheduler.allowed-failures": 1,
                              "distributed.scheduler.worker-saturation": 1.0,
                              "distributed.worker.daemon": False}):
            if self.scheduler:
                client = Client(self.scheduler)
            else:
                cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                       processes=True, host="127.0.0.1",
                                       dashboard_address=None)
                client = Client(cluster)
        def submit(u: list[Cell]) -> Any:
            return client.submit(_dask_unit, u, self.threads, self.timeout, pure=False,
                                 key=f"mibench-{u[0].key}-{len(u)}")

        try:
            futures = {submit(u): u for u in units}
            queue = as_completed(futures)
            for fut in queue:
                unit = futures.pop(fut)
                try:
                    rows = fut.result()
                except KilledWorker:
                    if len(unit) > 1:
                        # a batch of seeds: find the guilty cell by running each alone
                        for c in unit:
                            single = submit([c])
                            futures[single] = [c]
                            queue.add(single)
                        continue
                    rows = [failure_row(c, Status.FAILED, "the Dask worker running this cell "
                                        "died, and died again on the retry") for c in unit]
                except Exception as exc:
                    # the machinery failed, not the cell: stored as lost, rerun on resume
                    rows = [failure_row(c, Status.LOST, f"{type(exc).__name__}: {exc}")
                            for c in unit]
                yield from rows
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


_CLASSES: dict[str, type[Executor]] = {
    "serial": SerialExecutor,
    "process": ProcessExecutor,
    "dask": DaskExecutor,
}
assert tuple(_CLASSES) == EXECUTORS, "every name of mibench.plan.EXECUTORS has a class"


def make_executor(spec: RunSpec) -> Executor:
    """The executor a run specification asks for, with its options."""
    return _CLASSES[spec.executor](**spec.executor_options())
