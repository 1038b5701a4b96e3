"""Entry point of an isolated cell process: ``python -m mibench.cellproc OUT PARENT``.

Reads a pickled (unit, threads) from standard input, runs it, and writes the
pickled result rows to OUT. It runs in a session of its own (so a timeout can
kill its whole process group); so that it cannot outlive a coordinator that
dies without cleaning up (SIGKILL), it asks the kernel to kill it when its
parent exits (Linux ``prctl(PR_SET_PDEATHSIG)``), and exits at once if the
parent (pid PARENT) is already gone.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys

from .execute import run_unit

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Be killed when the parent exits (Linux); exit now if it already has."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl here: rely on the run's cleanup
            pass
    if os.getppid() != parent:
        os._exit(1)


def main() -> None:
    if len(sys.argv) > 2:
        die_with_parent(int(sys.argv[2]))
    unit, threads = pickle.load(sys.stdin.buffer)
    rows = run_unit(unit, threads)
    with open(sys.argv[1], "wb") as fh:
        pickle.dump(rows, fh)


if __name__ == "__main__":
    main()
