"""The thread budget an estimator may use for its own parallel work.

The runner sets it per cell (``--threads``, by default cores / jobs); outside a
run it is the number of cores this process may use. Estimators that spread
work over threads themselves (KD-tree queries, chunked kernels) ask here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

_budget: int | None = None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def thread_budget() -> int:
    """Threads the current cell may use (at least 1)."""
    return max(1, _budget if _budget is not None else available_cores())


@contextlib.contextmanager
def thread_budget_set(threads: int | None) -> Iterator[None]:
    global _budget
    old = _budget
    if threads is not None:
        _budget = int(threads)
    try:
        yield
    finally:
        _budget = old
