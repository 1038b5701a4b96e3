"""What every table and figure of a report is drawn from, computed once."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.consistency import consistency_rows, consistency_scores
from ..analysis.coverage import coverage
from ..analysis.metrics import metrics, separate_versions
from ..analysis.paired import paired_marks
from ..analysis.ranks import SCORES, RankSummary, rank_summary
from ..analysis.scores import ratio_table, samples_needed
from ..store.schema import ResultFields, Status, conform

NATS_PER_BIT = math.log(2)


@dataclass(frozen=True)
class Units:
    """MI in nats (the engine's unit) or, for display, bits: the one conversion."""

    bits: bool = False

    @property
    def name(self) -> str:
        return "bits" if self.bits else "nats"

    @property
    def factor(self) -> float:
        return 1 / NATS_PER_BIT if self.bits else 1.0

    def __call__(self, value: Any) -> Any:
        """``value`` (a number, array or Series in nats) in these units."""
        return value * self.factor


@dataclass
class ReportContext:
    """The rows, their metrics and the display settings of one report.

    ``table`` has the declared columns (:func:`mibench.store.schema.conform`) and
    one label per code version (:func:`~mibench.analysis.metrics.separate_versions`);
    ``metrics`` adds ``dim`` (dim_x + dim_y).
    """

    table: pd.DataFrame
    out: Path
    units: Units = field(default_factory=Units)
    stat: str = "mean_ci"

    @classmethod
    def build(cls, table: pd.DataFrame, out: Path, *, bits: bool = False,
              stat: str = "mean_ci") -> ReportContext:
        return cls(separate_versions(conform(table)), out, Units(bits), stat)

    @cached_property
    def metrics(self) -> pd.DataFrame:
        m = metrics(self.table)
        return m.assign(dim=m["dim_x"] + m["dim_y"]) if not m.empty else m

    @cached_property
    def marks(self) -> dict[tuple[str, int], Any]:
        """The marked entries of each row of the results table (paired tests over seeds)."""
        return paired_marks(self.table, squared=self.stat == "bias_rmse")

    @cached_property
    def rank_summaries(self) -> list[RankSummary]:
        """Ranks across tasks by each score (:mod:`mibench.analysis.ranks`)."""
        return [rank_summary(self.metrics, s) for s in SCORES]

    @cached_property
    def coverage(self) -> pd.DataFrame:
        return coverage(self.metrics)

    @cached_property
    def ratio_table(self) -> pd.DataFrame:
        """The Beyond Normal heatmap's table (:func:`mibench.analysis.scores.ratio_table`)."""
        return ratio_table(self.metrics)

    @cached_property
    def samples_needed(self) -> pd.DataFrame:
        """Tasks × estimators: the smallest n from which on the mean stays within 1.5×."""
        return samples_needed(self.metrics)

    @cached_property
    def consistency(self) -> pd.DataFrame:
        """Metrics rows of self-consistency tasks, with their ratios
        (:mod:`mibench.analysis.consistency`)."""
        return consistency_rows(self.metrics)

    @cached_property
    def consistency_scores(self) -> pd.DataFrame:
        return consistency_scores(self.consistency)

    @cached_property
    def ok(self) -> pd.DataFrame:
        """The rows with an estimate, with ``dim``."""
        ok = self.table[self.table["status"] == Status.OK]
        return ok.assign(dim=ok["dim_x"] + ok["dim_y"])

    @cached_property
    def fields(self) -> pd.Series:
        """The typed result fields of each ok row (same index as :attr:`ok`)."""
        return pd.Series([ResultFields.of(i) for i in self.ok["info"]], index=self.ok.index,
                         dtype=object)

    @cached_property
    def estimators(self) -> list[str]:
        return list(dict.fromkeys(self.metrics["estimator"])) if not self.metrics.empty else []

    @cached_property
    def palette(self) -> dict[str, Any]:
        """One colour per estimator, the same in every figure."""
        import seaborn as sns

        return dict(zip(self.estimators, sns.color_palette("tab10", len(self.estimators)),
                        strict=True))

    def colour(self, estimator: str) -> Any:
        return self.palette.get(estimator, "0.3")


def finite_max(*values: Any) -> float:
    """The largest finite value among arrays and numbers (0 when there is none)."""
    arr = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])
    arr = arr[np.isfinite(arr)]
    return float(arr.max()) if arr.size else 0.0
