"""The analysis layer: numbers computed from a results table, no figures.

``metrics`` (bias, variance, RMSE and intervals per estimator × task × n),
``scaling`` (power-law fits of cost and verdicts), ``scores`` (the Beyond
Normal heatmap table and samples needed) and ``summary`` (the end-of-run
summary and :func:`summarize`).
"""

from __future__ import annotations

from .metrics import MIN_SEEDS_BOOTSTRAP, MIN_SEEDS_T, metrics, separate_versions
from .scaling import fit_power_law, scaling_rows, step_scaling_rows
from .scores import ratio_table, samples_needed
from .summary import format_summary, summarize

__all__ = [
    "MIN_SEEDS_BOOTSTRAP",
    "MIN_SEEDS_T",
    "fit_power_law",
    "format_summary",
    "metrics",
    "ratio_table",
    "samples_needed",
    "scaling_rows",
    "separate_versions",
    "step_scaling_rows",
    "summarize",
]
