"""The run layer: run a specification's cells on an executor and store their rows.

``runner`` is the entry (``run_spec``, and :func:`mibench.run` for Python);
``cell`` turns one cell (or a batch of seeds) into result rows; ``executors``
runs them serially, in local processes or on Dask; ``isolation`` and
``cellproc`` run a cell in a killable process of its own; ``measure`` and
``provenance`` record time, memory and where the cell ran.
"""

from __future__ import annotations

from .runner import RunOutcome, run, run_spec

__all__ = ["RunOutcome", "run", "run_spec"]
