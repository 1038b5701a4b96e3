"""Per-cell resource measurement: peak resident memory and thread limits.

Peak memory is the rise of the process's resident set size (RSS) during the
cell above its size just before the cell. On Linux the kernel's high-water
mark (VmHWM) is reset through ``/proc/self/clear_refs`` before each cell, so
the figure covers all allocations (numpy, torch, C libraries), not only
Python objects. Where that is not possible the figure falls back to
``tracemalloc`` (Python and numpy allocations only) and says so.
"""

from __future__ import annotations

import contextlib
import sys
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


@dataclass
class MemoryReading:
    peak_mb: float = float("nan")
    method: str = "none"


@contextlib.contextmanager
def peak_memory() -> Iterator[MemoryReading]:
    """Context manager measuring the peak extra memory used inside the block."""
    reading = MemoryReading()
    base = _status_kb("VmRSS")
    if base is not None and _reset_hwm():
        try:
            yield reading
        finally:
            hwm = _status_kb("VmHWM")
            if hwm is not None:
                reading.peak_mb = max(hwm - base, 0) / 1024.0
                reading.method = "rss"
        return
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    cur0, _ = tracemalloc.get_traced_memory()
    try:
        yield reading
    finally:
        _, peak = tracemalloc.get_traced_memory()
        reading.peak_mb = max(peak - cur0, 0) / 2**20
        reading.method = "tracemalloc"
        if started:
            tracemalloc.stop()


@contextlib.contextmanager
def limit_threads(threads: int | None, use_torch: bool = False) -> Iterator[None]:
    """Limit BLAS/OpenMP threads (threadpoolctl) and torch's intra-op threads."""
    if threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    old_torch = None
    if use_torch:
        try:
            import torch

            old_torch = torch.get_num_threads()
            torch.set_num_threads(threads)
        except ImportError:
            pass
    from .runtime import thread_budget_set

    try:
        with threadpool_limits(limits=threads), thread_budget_set(threads):
            yield
    finally:
        if old_torch is not None and "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(old_torch)
