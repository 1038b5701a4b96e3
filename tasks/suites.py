"""Named suites built from the task families in this package."""

from __future__ import annotations

from mibench import Suite, SuiteGroup, register_suite

register_suite(Suite(
    name="smoke",
    description="a handful of tiny cells that finish in seconds (README default run, CI)",
    groups=(
        SuiteGroup(tasks=("gaussian[dim=1,rho=0.5]", "gaussian[dim=2,rho=0.9]"),
                   n=(200, 1000), seeds=3),
    ),
    estimators=("gaussian",),
    cost_per_cell_s={"gaussian": 0.01},
))
