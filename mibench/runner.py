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

from .execute import STATUS_FAILED, STATUS_LOST, STATUS_OK, group_cells
from .executors import make_executor
from .plan import Cell, RunSpec
from .provenance import static_provenance
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
            # a lost cell (the machinery failed, not the cell) is never a result
            stored = store.statuses()
            have = {k for k, st in stored.items()
                    if st != STATUS_LOST and (st == STATUS_OK or not retry_failed)}
            todo = [c for c in cells if c.key not in have]
            planned = {c.config_key for c in cells}
            keys = {c.key for c in cells}
            stale = sum(1 for k, ck in store.config_keys().items()
                        if ck in planned and k not in keys)
            store.set_meta("spec", asdict(spec))
            prov = static_provenance()
            run_id = uuid.uuid4().hex[:12]
            n_failed = 0
            bar = _progress(len(cells), len(cells) - len(todo), enabled=progress)
            rows = None
            try:
                # a per-cell timeout needs one cell per unit (so it can be killed alone)
                grouped = group_cells(todo, batch_seeds and ex.timeout is None)
                rows = ex.run(grouped)
                for row in rows:
                    row.update(prov)
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
                              time.perf_counter() - t_start, stale)
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
    seeds: int = 5,
    *,
    suite: str | None = None,
    out: str | os.PathLike[str] | None = None,
    root_seed: int = 0,
    device: str | None = None,
    executor: str = "serial",
    jobs: int = 1,
    threads: int | None = None,
    progress: bool = False,
    **kwargs: Any,
) -> pd.DataFrame:
    """Run a benchmark and return its tidy results table (one row per cell).

    Examples
    --------
    >>> import mibench
    >>> df = mibench.run(estimators="gaussian", tasks="gaussian[dim=2,rho=0.9]",
    ...                  n=1000, seeds=3)
    """
    spec = RunSpec(
        estimators=[estimators] if isinstance(estimators, str) else list(estimators),
        tasks=[tasks] if isinstance(tasks, str) else list(tasks),
        n=[n] if isinstance(n, int) else list(n),
        seeds=seeds,
        suite=suite,
        root_seed=root_seed,
        device=device,
    )
    return run_spec(spec, out, executor=executor, jobs=jobs, threads=threads,
                    progress=progress, **kwargs).table


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
