"""Coverage: how often an estimator's 95 % interval over seeds covers the true MI.

For each estimator, over the cells (task × n) whose seeds support an interval (the
Student-t interval of the mean, from 3 ok seeds: :mod:`mibench.analysis.metrics`),
the fraction whose interval contains the truth — by task family and overall. A
calibrated estimator covers about 95 % of its cells; an estimator whose bias is larger
than its seed spread covers few or none, however tight its intervals: for it "mean ±
CI" describes its seeds, not the truth. Cells without an interval (fewer ok seeds) are
counted apart, never as covered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ALL = "all families"


def coverage(m: pd.DataFrame) -> pd.DataFrame:
    """Rows estimator × family (and ``all families``): cells, cells with an interval,
    covered, and the covered fraction of those with an interval."""
    if m.empty:
        return pd.DataFrame()
    has = np.isfinite(m["mean_lo"]) & np.isfinite(m["mean_hi"])
    covered = has & (m["mean_lo"] <= m["true_mi"]) & (m["true_mi"] <= m["mean_hi"])
    t = m.assign(_has=has, _cov=covered)
    parts = [t, t.assign(family=ALL)]
    g = pd.concat(parts).groupby(["estimator", "family"], sort=False)
    out = pd.DataFrame({"cells": g.size(), "with_interval": g["_has"].sum(),
                        "covered": g["_cov"].sum()})
    out["coverage"] = out["covered"] / out["with_interval"].where(out["with_interval"] > 0)
    return out.reset_index()


def coverage_overall(cov: pd.DataFrame) -> pd.DataFrame:
    """Estimators × families: the covered fraction, with ``all families`` last."""
    wide = cov.pivot_table(index="estimator", columns="family", values="coverage",
                           aggfunc="first", sort=False)
    cols = [c for c in wide.columns if c != ALL] + [ALL]
    return wide[cols]
