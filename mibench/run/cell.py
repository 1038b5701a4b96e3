"""Run one cell and turn its outcome into a result row.

This function is what every executor calls, in the parent process, in a
local worker process or on a Dask worker. It never raises for a failing
estimator or task: the failure is recorded in the row's ``status`` and
``error`` fields so that the run goes on.
"""

from __future__ import annotations

import math
import time
import traceback
from datetime import datetime, timezone
from typing import Any

from ..core.contracts import EstimateResult
from ..core.registry import estimators
from ..plan.cells import Cell
from ..store.schema import BY_NAME, Status, empty_row, result_info, strict_json
from .measure import MemoryReading, limit_threads, peak_memory
from .provenance import host_name, plugin_provenance, static_provenance


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def base_row(cell: Cell) -> dict[str, Any]:
    """A cell's row before it runs (:func:`mibench.store.schema.empty_row`), with the
    provenance of the process that runs it."""
    row = empty_row()
    filled = {**cell.columns(), **static_provenance(), **plugin_provenance(cell),
              "host": host_name(), "started_at": _now()}
    unknown = set(filled) - set(BY_NAME)
    assert not unknown, f"undeclared row columns {sorted(unknown)} (mibench.store.schema)"
    row.update(filled)
    return row


def failure_row(cell: Cell, status: Status, error: str, **extra: Any) -> dict[str, Any]:
    """A row for a cell that never produced an estimate (timeout, dead worker)."""
    row = base_row(cell)
    row.update(status=status, error=error, finished_at=_now(), **extra)
    return row


def run_unit(cells: list[Cell], threads: int | None = None) -> list[dict[str, Any]]:
    """Run a unit of work: one cell, or several seeds of one neural configuration
    trained together (see :func:`group_cells`). Falls back to one cell at a time
    if the batched call fails, so that a failure stays with its own cell."""
    if len(cells) == 1:
        return [run_cell(cells[0], threads)]
    try:
        return _run_batched(cells, threads)
    except Exception:
        return [run_cell(c, threads) for c in cells]


def _run_batched(cells: list[Cell], threads: int | None) -> list[dict[str, Any]]:
    rows = [base_row(c) for c in cells]
    task = cells[0].make_task()
    est = cells[0].make_estimator(task)
    t0 = time.perf_counter()
    data = [c.sample(task) for c in cells]
    sample_time = (time.perf_counter() - t0) / len(cells)
    seeds = [c.estimator_seed for c in cells]
    results, elapsed, mem = _measured(
        est, threads, lambda: est.estimate_many(data, seeds))  # type: ignore[attr-defined]
    for row, res in zip(rows, results, strict=True):
        # one model trained the whole group: each member's time is its share of the
        # group's, and the memory is the group's (group_size says so)
        row.update(threads=threads or 0, sample_time_s=sample_time,
                   wall_time_s=elapsed / len(cells), peak_mem_mb=mem.peak_mb,
                   mem_method=f"{mem.method}, whole group", group_size=len(cells),
                   finished_at=_now())
        _record(row, res, mem, group_wall_time_s=elapsed)
    return rows


def _measured(est: Any, threads: int | None, call: Any) -> tuple[Any, float, Any]:
    """Run ``call()`` under the cell's thread limit, timing it and its peak memory.
    One-off set-up (``est.prepare()``) happens before and is not measured."""
    est.prepare()
    use_torch = "torch" in getattr(est, "requires", ())
    with limit_threads(threads, use_torch=use_torch), peak_memory() as mem:
        t0 = time.perf_counter()
        out = call()
        elapsed = time.perf_counter() - t0
    return out, elapsed, mem


def _record(row: dict[str, Any], res: EstimateResult, mem: MemoryReading,
            **engine_info: Any) -> None:
    """Put an EstimateResult into a row: value, device, diagnostics, status."""
    row["estimate"] = float(res.value)
    row["device"] = str(res.device)
    if row["device"].startswith("cuda"):
        row["gpu_peak_mem_mb"] = mem.gpu_peak_mb
    row["info"] = strict_json(result_info(res, **engine_info))
    if math.isfinite(res.value):
        row["status"] = Status.OK
    else:
        row["error"] = f"estimate is not finite ({res.value})"


def group_cells(cells: list[Cell], batch_seeds: bool, max_group: int = 16) -> list[list[Cell]]:
    """Units of work: seeds of one estimator × task × n are grouped when the
    estimator can train several members at once (``estimate_many``)."""
    if not batch_seeds:
        return [[c] for c in cells]
    groups: dict[tuple[str, str, str, str, int], list[Cell]] = {}
    units: list[list[Cell]] = []
    for c in cells:
        try:
            batched = hasattr(estimators.get(c.estimator_name), "estimate_many")
        except Exception:
            batched = False
        if not batched:
            units.append([c])
            continue
        key = (c.estimator_name, c.estimator_params, c.task_name, c.task_params, c.n)
        grp = groups.setdefault(key, [])
        grp.append(c)
        if len(grp) == max_group:
            units.append(grp)
            groups[key] = []
    units.extend(g for g in groups.values() if g)
    return units


def run_cell(cell: Cell, threads: int | None = None) -> dict[str, Any]:
    """Sample the task, run the estimator, and return the result row."""
    row = base_row(cell)
    row["threads"] = threads or 0
    try:
        task = cell.make_task()
        est = cell.make_estimator(task)
        t0 = time.perf_counter()
        x, y = cell.sample(task)
        row["sample_time_s"] = time.perf_counter() - t0
        res, row["wall_time_s"], mem = _measured(est, threads,
                                                 lambda: est.estimate_with_info(x, y))
        row["peak_mem_mb"] = mem.peak_mb
        row["mem_method"] = mem.method
        _record(row, res, mem)
    except Exception as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"
        row["traceback"] = traceback.format_exc(limit=20)
    row["finished_at"] = _now()
    return row
