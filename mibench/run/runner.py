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

import numpy as np
import pandas as pd

from .errors import ParameterError
from .execute import STATUS_FAILED, STATUS_LOST, STATUS_OK, group_cells
from .executors import make_executor
from .fingerprint import equivalents
from .isolation import reset_stopping
from .plan import Cell, RunSpec
from .runlock import RunLock
from .store import ResultStore


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
    by_config: dict[str, list[tuple[str, str, str, str]]] = {}
    for key, (status, config_key, ev, tv) in stored.items():
        by_config.setdefault(config_key, []).append((key, status, ev, tv))
    done = 0
    for c in missing:
        evs, tvs = equivalents(c.estimator_version), equivalents(c.task_version)
        same = [(status != STATUS_OK, key) for key, status, ev, tv
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
    executor: str = "serial",
    jobs: int = 1,
    threads: int | None = None,
    retry_failed: bool = False,
    batch_seeds: bool = True,
    csv: bool = False,
    progress: bool = False,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    executor_options: dict[str, Any] | None = None,
) -> RunOutcome:
    """Run every missing cell of ``spec``; store rows in ``out`` as they finish.

    With ``batch_seeds`` the seeds of one neural estimator configuration on one
    task and n are trained together in one batched model (same estimates as
    one at a time, at a fraction of the cost); each cell's ``wall_time_s`` is
    then its share of the group's time, and ``info`` holds the group's time.
    """
    cells = spec.cells()
    ex = make_executor(executor, jobs=jobs, threads=threads, **(executor_options or {}))
    store = ResultStore(out)
    t_start = time.perf_counter()
    try:
        with RunLock(out) if out is not None else contextlib.nullcontext():
            relabelled = relabel_earlier_schemes(store, cells)
            # a lost cell (the machinery failed, not the cell) is never a result
            stored = store.versions()
            have = {k for k, (st, *_) in stored.items()
                    if st != STATUS_LOST and (st == STATUS_OK or not retry_failed)}
            todo = [c for c in cells if c.key not in have]
            planned = {c.config_key for c in cells}
            keys = {c.key for c in cells}
            stale = sum(1 for k, (_, ck, *_) in stored.items() if ck in planned and k not in keys)
            store.set_meta("spec", asdict(spec))
            run_id = uuid.uuid4().hex[:12]
            n_failed = 0
            bar = _progress(len(cells), len(cells) - len(todo), enabled=progress)
            rows = None
            try:
                # a per-cell timeout needs one cell per unit (so it can be killed alone)
                grouped = group_cells(todo, batch_seeds and ex.timeout is None)
                reset_stopping()  # cell processes may start (an earlier run may have stopped)
                rows = ex.run(grouped)
                for row in rows:
                    row["run_id"] = run_id
                    row["executor"] = ex.name
                    store.put(row)
                    if row["status"] != STATUS_OK:
                        n_failed += 1
                    if on_row is not None:
                        on_row(row)
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix_str(f"failed={n_failed}", refresh=False)
            except BaseException:  # interrupted: stop the executor's work, keep what is stored
                close = getattr(rows, "close", None)
                if close is not None:
                    close()
                store.export(csv=csv)
                raise
            finally:
                if bar is not None:
                    bar.close()
            store.export(csv=csv)
            wanted = {c.key for c in cells}
            table = store.frame()
            if len(table):
                table = table[table["key"].isin(wanted)].reset_index(drop=True)
            return RunOutcome(table, len(cells), len(cells) - len(todo), len(todo), n_failed,
                              time.perf_counter() - t_start, stale, relabelled)
    finally:
        store.close()


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
        Task selectors, e.g. ``"NAME[dim=2,rho=0.9]"``. Not with ``suite``.
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

    Returns
    -------
    pandas.DataFrame
        One row per cell of this run, stored earlier or now.

    Examples
    --------
    >>> import mibench
    >>> df = mibench.run(estimators="NAME[k=3|5]", tasks="NAME[dim=2]",
    ...                  n=1000, seeds=3)  # doctest: +SKIP
    """
    if executor != "dask" and (scheduler is not None or workers is not None):
        raise ParameterError("scheduler and workers apply to executor='dask'")
    options: dict[str, Any] = {"timeout": timeout}
    if executor == "dask":
        options.update(scheduler=scheduler, workers=workers)
    spec = RunSpec(
        estimators=[estimators] if isinstance(estimators, str) else list(estimators),
        tasks=[tasks] if isinstance(tasks, str) else list(tasks),
        n=[n] if isinstance(n, (int, np.integer)) else list(n),
        seeds=seeds,
        suite=suite,
        root_seed=root_seed,
        device=device,
        preprocess=preprocess,
    )
    return run_spec(spec, out, executor=executor, jobs=jobs, threads=threads,
                    retry_failed=retry_failed, batch_seeds=batch_seeds, csv=csv,
                    progress=progress, on_row=on_row, executor_options=options).table


def summarize(table: pd.DataFrame) -> pd.DataFrame:
    """Per estimator × task × n: mean estimate, truth, bias, std, median time, counts."""
    if table.empty:
        return pd.DataFrame()
    ok = table["status"] == STATUS_OK
    t = table.assign(_ok=ok, _est=table["estimate"].where(ok))
    g = t.groupby(["estimator", "task", "n"], sort=False)
    out = pd.DataFrame({
        "true_mi": g["true_mi"].first(),
        "mean": g["_est"].mean(),
        "std": g["_est"].std(ddof=1),
        "ok": g["_ok"].sum().astype(int),
        "failed": g["_ok"].apply(lambda s: int((~s).sum())),
        "median_time_s": g["wall_time_s"].median(),
    })
    out.insert(2, "bias", out["mean"] - out["true_mi"])
    return out.reset_index()


__all__ = ["STATUS_FAILED", "STATUS_OK", "Cell", "RunOutcome", "run", "run_spec", "summarize"]
