"""Entry point of an isolated cell process: ``python -m mibench.cellproc OUT``.

Reads a pickled (unit, threads) from standard input, runs it, and writes the
pickled result rows to OUT.
"""

from __future__ import annotations

import pickle
import sys

from .execute import run_unit


def main() -> None:
    unit, threads = pickle.load(sys.stdin.buffer)
    rows = run_unit(unit, threads)
    with open(sys.argv[1], "wb") as fh:
        pickle.dump(rows, fh)


if __name__ == "__main__":
    main()
