"""Run a specification: plan cells, skip stored ones, execute, store, summarise."""

from __future__ import annotations

import contextlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from ..core.errors import StoreError, StoreFullError
from ..plan.cells import Cell
from ..plan.fingerprint import equivalents
from ..plan.spec import RunSpec
from ..store.lock import RunLock
from ..store.schema import Status
from ..store.sqlite import ResultStore
from .cell import group_cells
from .executors import make_executor
from .isolation import reset_stopping


@dataclass
class RunOutcome:
    """What a run did: the full table and counts."""

    table: pd.DataFrame
    total: int
    skipped: int
    ran: int
    failed: int
    wall_time_s: float
    stale: int = 0  # stored rows of these cells made by other code (ignored, rerun)
    relabelled: int = 0  # stored rows made by this code under an earlier fingerprint scheme


def relabel_earlier_schemes(store: ResultStore, cells: Sequence[Cell]) -> int:
    """Give today's keys to stored rows of these cells that today's code made
    under an earlier fingerprint scheme (:func:`mibench.fingerprint.equivalents`),
    so that a change of scheme reuses them instead of rerunning; returns how many."""
    stored = store.versions()
    missing = [c for c in cells if c.key not in stored]
    if not missing:
        return 0
    by_config: dict[str, list[tuple[str, Status, str, str]]] = {}
    for key, (status, config_key, ev, tv) in stored.items():
        by_config.setdefault(config_key, []).append((key, status, ev, tv))
    done = 0
    for c in missing:
        evs, tvs = equivalents(c.estimator_version), equivalents(c.task_version)
        same = [(not status.is_result(), key) for key, status, ev, tv
                in by_config.get(c.config_key, ()) if ev in evs and tv in tvs]
        if same:
            store.rekey(min(same)[1], c.key, estimator_version=c.estimator_version,
                        task_version=c.task_version)
            done += 1
    return done


def run_spec(
    spec: RunSpec,
    out: str | os.PathLike[str] | None = None,
    *,
    csv: bool = False,
    progress: bool = False,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> RunOutcome:
    """Run every missing cell of ``spec``; store rows in ``out`` as they finish.

    With ``spec.batch_seeds`` the seeds of one neural estimator configuration on
    one task and n are trained together in one batched model (same estimates as
    one at a time, at a fraction of the cost); each cell's ``wall_time_s`` is
    then its share of the group's time, and ``info`` holds the group's time.
    """
    cells = spec.cells()
    ex = make_executor(spec)
    store = ResultStore(out)
    t_start = time.perf_counter()
    try:
        with RunLock(out) if out is not None else contextlib.nullcontext():
            relabelled = relabel_earlier_schemes(store, cells)
            stored = store.versions()
            # a lost cell (the machinery failed, not the cell) is never final
            have = {k for k, (st, *_) in stored.items()
                    if st.is_final() and (st.is_result() or not spec.retry_failed)}
            todo = [c for c in cells if c.key not in have]
            planned = {c.config_key for c in cells}
            keys = {c.key for c in cells}
            stale = sum(1 for k, (_, ck, *_) in stored.items() if ck in planned and k not in keys)
            store.set_meta("spec", asdict(spec))
            bar = _progress(len(cells), len(cells) - len(todo), enabled=progress)
            try:
                n_failed = _run_and_store(ex, todo, spec, store, bar, on_row, csv)
            except StoreFullError:
                raise _disk_full(out, store, cells) from None
            table = store.frame()
            if len(table):
                table = table[table["key"].isin(keys)].reset_index(drop=True)
            return RunOutcome(table, len(cells), len(cells) - len(todo), len(todo), n_failed,
                              time.perf_counter() - t_start, stale, relabelled)
    finally:
        store.close()


def _run_and_store(ex: Any, todo: list[Cell], spec: RunSpec, store: ResultStore, bar: Any,
                   on_row: Callable[[dict[str, Any]], None] | None, csv: bool) -> int:
    """Run the missing cells and store each row as it comes; export at the end (and on the
    way out of an interrupted run); return how many were not ok."""
    run_id = uuid.uuid4().hex[:12]
    n_failed = 0
    rows = None
    try:
        # a per-cell timeout needs one cell per unit (so it can be killed alone)
        grouped = group_cells(todo, spec.batch_seeds and spec.timeout is None)
        reset_stopping()  # cell processes may start (an earlier run may have stopped)
        rows = ex.run(grouped)
        for row in rows:
            row["run_id"] = run_id
            row["executor"] = ex.name
            store.put(row)
            if not Status(row["status"]).is_result():
                n_failed += 1
            if on_row is not None:
                on_row(row)
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"failed={n_failed}", refresh=False)
    except BaseException:  # interrupted or the store failed: stop the work, keep what is stored
        close = getattr(rows, "close", None)
        if close is not None:
            close()
        with contextlib.suppress(StoreError):  # what stopped the run is what it reports
            store.export(csv=csv)
        raise
    finally:
        if bar is not None:
            bar.close()
    store.export(csv=csv)
    return n_failed


def _disk_full(out: Any, store: ResultStore, cells: Sequence[Cell]) -> StoreFullError:
    """The one line a run that filled its disk ends with: what is stored, how to go on."""
    stored = len({c.key for c in cells} & store.keys())
    return StoreFullError(
        f"the disk holding {out} is full: {stored} of the run's {len(cells)} cells are stored "
        f"in {store.where}, {len(cells) - stored} are not; free space (or move the folder) "
        "and run the same command again to run only those")


def _progress(total: int, initial: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="cell", desc="cells", file=sys.stderr,
                dynamic_ncols=True, mininterval=0.2 if sys.stderr.isatty() else 10.0)


def run(
    estimators: Sequence[str] | str = (),
    tasks: Sequence[str] | str = (),
    n: Sequence[int] | int = (),
    seeds: int | None = None,
    *,
    suite: str | None = None,
    out: str | os.PathLike[str] | None = None,
    root_seed: int = 0,
    device: str | None = None,
    preprocess: str | None = None,
    executor: str = "serial",
    jobs: int = 1,
    threads: int | None = None,
    timeout: float | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    retry_failed: bool = False,
    batch_seeds: bool = True,
    csv: bool = False,
    progress: bool = False,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> pd.DataFrame:
    """Run a benchmark and return its tidy results table (one row per cell).

    Parameters
    ----------
    estimators : str or sequence of str
        Estimator selectors, e.g. ``"NAME[k=3|5]"`` or ``["NAME", "OTHER"]``. With a
        suite, empty means the suite's estimators.
    tasks : str or sequence of str
        Task selectors, e.g. ``"NAME[dim=2,rho=0.9]"``. Not with ``suite``; with
        neither, the run is the ``default`` suite.
    n : int or sequence of int
        Sample sizes (any integer type). With ``suite``, replaces the suite's own.
    seeds : int or None
        Repetitions per configuration; None means the suite's own, or 5.
    suite : str or None
        A named suite (``mibench list --suites``) instead of tasks and n.
    out : path or None
        Output folder (crash-safe store; resumes); None keeps results in memory.
    root_seed : int
        Root of every data and estimator seed (>= 0).
    device : str or None
        Device for the estimators that take one ("cpu", "cuda", ...).
    preprocess : {"none", "standardize"} or None
        Applied to every sample before estimation; None means the suite's own
        (``standardize`` for the bmi suites), or "none".
    executor : {"serial", "process", "dask"}
        Where cells run; "serial" with ``jobs`` > 1 means "process".
    jobs : int
        Worker processes (or Dask workers for a local cluster).
    threads : int or None
        BLAS / torch threads per worker; None divides the usable CPUs by ``jobs``.
    timeout : float or None
        Per-cell limit in seconds; a cell past it is killed and stored as "timeout".
    scheduler, workers
        Dask only: an existing scheduler's address, or the local cluster's size.
    retry_failed : bool
        Also rerun cells stored as failed or timed out.
    batch_seeds : bool
        Train the seeds of one neural configuration together (same estimates).
    csv : bool
        Also write ``results.csv``.
    progress : bool
        Show a progress bar on standard error.
    on_row : callable or None
        Called with each stored row, as it is stored.

    Every option is checked by :class:`mibench.plan.RunSpec`, which raises
    :class:`mibench.ParameterError` naming the option.

    Returns
    -------
    pandas.DataFrame
        One row per cell of this run, stored earlier or now (columns:
        :data:`mibench.store.schema.COLUMNS`).

    Examples
    --------
    >>> import mibench
    >>> df = mibench.run(estimators="NAME[k=3|5]", tasks="NAME[dim=2]",
    ...                  n=1000, seeds=3)  # doctest: +SKIP
    """
    spec = RunSpec(estimators=estimators, tasks=tasks, n=n, seeds=seeds,  # type: ignore[arg-type]
                   suite=suite, root_seed=root_seed, device=device, preprocess=preprocess,
                   executor=executor, jobs=jobs, threads=threads, timeout=timeout,
                   scheduler=scheduler, workers=workers, retry_failed=retry_failed,
                   batch_seeds=batch_seeds)
    return run_spec(spec, out, csv=csv, progress=progress, on_row=on_row).table


__all__ = ["Cell", "RunOutcome", "run", "run_spec"]
