"""Run a unit of work in a separate process with a time limit.

Used by every executor when a per-cell timeout is set: the unit runs in a
fresh ``python -m mibench.cellproc`` process in its own session; if it runs
past the limit the whole process group is killed (nothing is left running),
and the cell is recorded with status ``timeout``. A process that dies
(crash, out-of-memory kill) gives status ``failed`` with its exit code and the
end of its error output. The fresh interpreter costs about a second per cell
(more when the estimator imports torch), which is small beside cells long
enough to need a timeout.

Nothing outlives the run: an interrupted run kills every live cell's process
group (:func:`kill_live_cells`), and a cell process asks the kernel to kill it
when the coordinator dies (Linux ``PR_SET_PDEATHSIG``; see
:mod:`mibench.cellproc`).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
from typing import Any

from .execute import STATUS_FAILED, STATUS_TIMEOUT, failure_row
from .plan import Cell

#: Cell processes alive now (process-group leaders), so an interrupted run can
#: kill them all; guarded by a lock since executor threads start them.
_LIVE: set[subprocess.Popen[bytes]] = set()
_LIVE_LOCK = threading.Lock()


def kill_live_cells() -> int:
    """Kill the process group of every cell process still running; return how many."""
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for proc in procs:
        _kill_group(proc)
    return len(procs)


def run_unit_isolated(unit: list[Cell], threads: int | None, timeout: float
                      ) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="mibench-cell-") as tmp:
        out_path = os.path.join(tmp, "rows.pkl")
        proc = subprocess.Popen(
            [sys.executable, "-m", "mibench.cellproc", out_path, str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        with _LIVE_LOCK:
            _LIVE.add(proc)
        try:
            _, err = proc.communicate(pickle.dumps((unit, threads)), timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return [failure_row(c, STATUS_TIMEOUT,
                                f"exceeded the {timeout:g} s timeout; its process was killed",
                                wall_time_s=float(timeout)) for c in unit]
        except BaseException:  # interrupted: nothing may outlive the run
            _kill_group(proc)
            raise
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(proc)
        if proc.returncode == 0 and os.path.exists(out_path):
            with open(out_path, "rb") as fh:
                rows: list[dict[str, Any]] = pickle.load(fh)
            return rows
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        return [failure_row(c, STATUS_FAILED,
                            f"the cell's process died (exit code {proc.returncode}): "
                            + " | ".join(tail)) for c in unit]


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
