"""Run a unit of work in a separate process with a time limit.

Used by every executor when a per-cell timeout is set: the unit runs in a
fresh ``python -m mibench.run.cellproc`` process in its own session; if it runs
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

import multiprocessing as mp
import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import threading
from typing import Any

from ..plan.cells import Cell
from ..store.schema import Status
from .cell import failure_row

#: Process groups of the cell processes alive now, so an interrupted run can
#: kill them all; guarded by a lock since executor threads start them.
_LIVE: set[int] = set()
_LIVE_LOCK = threading.Lock()
#: Longest wait for a fresh interpreter to start and import (not charged to the cell).
STARTUP_LIMIT_S = 120.0


_STOPPING = threading.Event()


def kill_live_cells() -> int:
    """Kill the process group of every cell process still running, and every one a
    thread starts from now on (the run is stopping); return how many were killed."""
    with _LIVE_LOCK:
        _STOPPING.set()
        pids = list(_LIVE)
    for pid in pids:
        _kill_pid_group(pid)
    return len(pids)


def reset_stopping() -> None:
    """Allow cell processes again (a new run in this process)."""
    _STOPPING.clear()


def _track(pid: int) -> None:
    """Register a started cell process; kill it at once if the run is stopping
    (closes the race with a thread that started it just after the kill)."""
    with _LIVE_LOCK:
        _LIVE.add(pid)
        stopping = _STOPPING.is_set()
    if stopping:
        _kill_pid_group(pid)


def _can_fork() -> bool:
    # A forked child inherits the registry (plugins registered at run time) and
    # starts in milliseconds; it is unsafe once torch's thread pools live here.
    return sys.platform.startswith("linux") and "torch" not in sys.modules


def run_unit_isolated(unit: list[Cell], threads: int | None, timeout: float,
                      fresh: bool = False) -> list[dict[str, Any]]:
    """Run ``unit`` in a child process of its own session, killed after ``timeout`` s.

    The child is forked where that is safe (see ``_can_fork``), else — or with
    ``fresh`` — a new interpreter (``python -m mibench.run.cellproc``), whose
    start-up is not counted against the timeout: the clock starts when the
    child says it is ready.
    """
    with tempfile.TemporaryDirectory(prefix="mibench-cell-") as tmp:
        out_path = os.path.join(tmp, "rows.pkl")
        if _can_fork() and not fresh:
            code, err = _run_forked(unit, threads, timeout, out_path)
        else:
            code, err = _run_fresh(unit, threads, timeout, out_path)
        if code is None:
            return [failure_row(c, Status.TIMEOUT,
                                f"exceeded the {timeout:g} s timeout; its process was killed",
                                wall_time_s=float(timeout)) for c in unit]
        if code == 0 and os.path.exists(out_path):
            with open(out_path, "rb") as fh:
                rows: list[dict[str, Any]] = pickle.load(fh)
            return rows
        tail = err.strip().splitlines()[-3:]
        return [failure_row(c, Status.FAILED,
                            f"the cell's process died (exit code {code})"
                            + (": " + " | ".join(tail) if tail else "")) for c in unit]


def _forked_main(unit: list[Cell], threads: int | None, out_path: str, parent: int) -> None:
    from .cell import run_unit
    from .cellproc import die_with_parent

    os.setsid()
    die_with_parent(parent)
    rows = run_unit(unit, threads)
    with open(out_path, "wb") as fh:
        pickle.dump(rows, fh)
    # Leave at once: the exit handlers copied from the coordinator (its thread
    # pools, its store) belong to it, and running them here fails the exit.
    os._exit(0)


def _run_forked(unit: list[Cell], threads: int | None, timeout: float, out_path: str
                ) -> tuple[int | None, str]:
    """(exit code, or None on timeout; error text) of a forked cell process."""
    ctx = mp.get_context("fork")
    proc = ctx.Process(target=_forked_main, args=(unit, threads, out_path, os.getpid()))
    proc.start()
    assert proc.pid is not None
    _track(proc.pid)
    try:
        proc.join(timeout)
        if proc.is_alive():
            _kill_pid_group(proc.pid)
            proc.join(5)
            return None, ""
        return proc.exitcode, ""
    except BaseException:  # interrupted: nothing may outlive the run
        _kill_pid_group(proc.pid)
        raise
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(proc.pid)


def _run_fresh(unit: list[Cell], threads: int | None, timeout: float, out_path: str
               ) -> tuple[int | None, str]:
    """As :func:`_run_forked`, in a new interpreter; the clock starts at its 'ready'."""
    in_path = out_path + ".in"
    with open(in_path, "wb") as fh:
        pickle.dump((unit, threads), fh)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mibench.run.cellproc", in_path, out_path, str(os.getpid())],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    _track(proc.pid)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], STARTUP_LIMIT_S)
        if ready:
            proc.stdout.read(1)  # b"R" (or b"" if it died while starting)
        _, err = proc.communicate(timeout=timeout)
        return proc.returncode, err.decode(errors="replace")
    except subprocess.TimeoutExpired:
        _kill_pid_group(proc.pid)
        proc.wait(5)
        return None, ""
    except BaseException:
        _kill_pid_group(proc.pid)
        raise
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(proc.pid)


def _kill_pid_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (or the process, if it has none yet)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
