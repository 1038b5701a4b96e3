"""Entry point of an isolated cell process: ``python -m mibench.run.cellproc IN OUT PARENT``.

Reads a pickled (unit, threads) from the file IN, imports the plugins, says
"R" (ready) on standard output, runs the unit, and writes the pickled result
rows to OUT. It runs in a session of its own (so a timeout can kill its whole
process group). So that it cannot outlive a coordinator that dies without
cleaning up (SIGKILL), it asks the kernel to kill it when its parent exits
(Linux ``prctl(PR_SET_PDEATHSIG)``), and exits at once if the parent (pid
PARENT) is already gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys

from ..core.registry import estimators, tasks
from ..plan.cells import Cell
from .cell import run_unit

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


def load_plugins(unit: list[Cell]) -> None:
    """Import every plugin, and the unit's estimator and task classes, before the clock starts.

    Plugin discovery imports every built-in plugin module and entry point (and the
    libraries they import): start-up that is the same for every cell, like the
    interpreter's own. Left to the cell's first lookup, it was charged to the cell,
    and on a loaded machine a trivial cell could pass a short timeout. A name that
    does not resolve is not reported here: the cell reports it, as a failed row.
    """
    for reg, names in ((estimators, {c.estimator_name for c in unit}),
                       (tasks, {c.task_name for c in unit})):
        for name in names:
            # get() loads the registry first, then imports what the name's
            # availability check needs
            with contextlib.suppress(Exception):
                reg.get(name)


def main() -> None:
    in_path, out_path, parent = sys.argv[1], sys.argv[2], int(sys.argv[3])
    die_with_parent(parent)
    with open(in_path, "rb") as fh:
        unit, threads = pickle.load(fh)
    load_plugins(unit)
    sys.stdout.buffer.write(b"R")  # ready: the parent starts the cell's clock now
    sys.stdout.buffer.flush()
    rows = run_unit(unit, threads)
    with open(out_path, "wb") as fh:
        pickle.dump(rows, fh)


if __name__ == "__main__":
    main()
