"""Per-cell resource measurement: peak resident memory and thread limits.

Peak memory is the rise of the process's resident set size (RSS) during the
cell above its size just before the cell, read from the kernel's high-water
mark (VmHWM, reset through ``/proc/self/clear_refs`` before each cell), so
it covers all allocations (numpy, torch, C libraries), not only Python
objects.

In a process that has run cells before, the allocator keeps the pages it
freed: a new cell reuses them without the RSS rising, and an estimator that
holds 100 MB read 102.9, 0.9, 0.9 MB over four repetitions. So before the
reading starts, the garbage collector runs and glibc's ``malloc_trim(0)``
hands every free page back to the kernel; a page the cell then touches is
counted again. ``mem_method`` says how the figure was measured: "rss" (with
the trim), "rss-untrimmed" (no glibc: may read low after earlier cells), or
"none" where the platform has no ``/proc`` — then memory is not measured at
all rather than timing the cell under ``tracemalloc``, which slows it down
(+60 % for a histogram estimator).

For CUDA devices the peak of memory allocated by torch during the cell
(``torch.cuda.max_memory_allocated``) is read too (``gpu_peak_mem_mb``).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


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
    gpu_peak_mb: float = float("nan")


def _trim_heap() -> bool:
    """Collect garbage and return free heap pages to the kernel (glibc only)."""
    gc.collect()
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.malloc_trim(0) >= 0)
    except (OSError, AttributeError):
        return False


def _cuda_reset() -> Any:
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available():
        return None
    torch.cuda.reset_peak_memory_stats()
    return torch


@contextlib.contextmanager
def peak_memory() -> Iterator[MemoryReading]:
    """Context manager measuring the peak extra memory used inside the block.

    Set-up (heap trim, counter resets) happens before the block and reading
    after it, so a timer inside the block times the cell alone.
    """
    reading = MemoryReading()
    trimmed = _trim_heap()
    torch = _cuda_reset()
    base = _status_kb("VmRSS")
    ok = base is not None and _reset_hwm()
    try:
        yield reading
    finally:
        if ok and base is not None:
            hwm = _status_kb("VmHWM")
            if hwm is not None:
                reading.peak_mb = max(hwm - base, 0) / 1024.0
                reading.method = "rss" if trimmed else "rss-untrimmed"
        if torch is not None:
            reading.gpu_peak_mb = torch.cuda.max_memory_allocated() / 2**20


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
    from ..core.threads import thread_budget_set

    try:
        with threadpool_limits(limits=threads), thread_budget_set(threads):
            yield
    finally:
        if old_torch is not None and "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(old_torch)
