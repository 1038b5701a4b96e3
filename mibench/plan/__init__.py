"""The plan layer: a run specification, its rules, and the cells it expands into.

:class:`RunSpec` (``spec``) is the one place where run options are checked;
``cells`` holds the unit of work and its seeds; ``suites`` the named suites;
``fingerprint`` the code versions that are part of every cell's key.
"""

from __future__ import annotations

from .cells import (
    PREPROCESS,
    RUNNER_PARAMS,
    Cell,
    data_seed,
    estimator_seed,
    make_cells,
    preprocess,
)
from .spec import DEFAULT_SEEDS, EXECUTORS, RunSpec, build_all
from .suites import DEFAULT_SUITE, Suite, SuiteGroup, all_suites, get_suite, register_suite

__all__ = [
    "DEFAULT_SEEDS",
    "DEFAULT_SUITE",
    "EXECUTORS",
    "PREPROCESS",
    "RUNNER_PARAMS",
    "Cell",
    "RunSpec",
    "Suite",
    "SuiteGroup",
    "all_suites",
    "build_all",
    "data_seed",
    "estimator_seed",
    "get_suite",
    "make_cells",
    "preprocess",
    "register_suite",
]
