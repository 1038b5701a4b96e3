"""Scaling analysis: power-law fits of cost against n and dimension, and verdicts.

``fit_power_law`` fits log y = log c + a·log x by least squares over all
points (every seed is a point) and gives a t-based confidence interval for
the exponent a (95 %). The verdict for an axis, in this order:

* "not enough data": fewer than 3 points or fewer than 2 distinct x;
* "inconclusive": the interval is wider than ``MAX_CI_WIDTH`` = 1. An
  interval of width 1 centred on linear, [0.5, 1.5], still excludes both a
  constant cost (0) and a quadratic one (2); a wider one cannot tell them
  apart, so it supports no claim about linearity;
* "superlinear": the interval's lower end is above 1;
* "sublinear (better than linear)": its upper end is below 1;
* "consistent with linear": the interval covers 1.

For estimators trained by steps (those whose results report ``steps``, such
as MINE: :class:`~mibench.store.schema.ResultFields`) the right quantities
differ from the classical estimators': at a fixed number of steps their time
does not depend on n. So the analysis uses

(i)   time per training step against batch size and dimension,
(ii)  time for a fixed number of epochs against n,
(iii) training steps needed to reach a target error (the held-out curve
      within ``target`` of the truth) against dimension.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..store.schema import ResultFields, Status, conform

#: Widest exponent interval that still gives a verdict other than "inconclusive".
MAX_CI_WIDTH = 1.0


@dataclass
class PowerFit:
    exponent: float
    lo: float
    hi: float
    coef: float
    points: int

    @property
    def verdict(self) -> str:
        if not math.isfinite(self.exponent):
            return "not enough data"
        if not self.hi - self.lo <= MAX_CI_WIDTH:
            return "inconclusive"
        if self.lo > 1.0:
            return "superlinear"
        if self.hi < 1.0:
            return "sublinear (better than linear)"
        return "consistent with linear"


def fit_power_law(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> PowerFit:
    """Fit y ≈ c·x^a on log–log axes; CI of a from the t distribution."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
    x, y = np.log(x[keep]), np.log(y[keep])
    m = x.size
    if m < 3 or np.unique(x).size < 2:
        return PowerFit(math.nan, math.nan, math.nan, math.nan, int(m))
    res = stats.linregress(x, y)
    tq = stats.t.ppf(0.5 + level / 2, m - 2)
    return PowerFit(float(res.slope), float(res.slope - tq * res.stderr),
                    float(res.slope + tq * res.stderr), float(math.exp(res.intercept)), int(m))


def steps_to_target(fields: ResultFields, truth: float, target: float = 0.1) -> float:
    """First curve step whose held-out reading is within ``target`` (relative) of the truth."""
    if fields.curve is None:
        return math.nan
    for s, v in zip(fields.curve.step, fields.curve.heldout, strict=False):
        if v is not None and truth > 0 and abs(v - truth) <= target * truth:
            return float(s)
    return math.nan


def scaling_rows(table: pd.DataFrame, target: float = 0.1) -> pd.DataFrame:
    """Exponents and verdicts for every estimator and every axis the table covers.

    Axis "n": rows of one task configuration at several n (time vs n).
    Axis "dim": rows of one task family at one n and several dims (time vs dim,
    dim = dim_x + dim_y). Neural estimators add "time per step vs dim" and
    "steps to target vs dim", and read "time vs n" as time per epoch budget
    when trained by epochs.
    """
    ok = conform(table)
    ok = ok[ok["status"] == Status.OK].copy()
    if ok.empty:
        return pd.DataFrame()
    ok["dim"] = ok["dim_x"] + ok["dim_y"]
    fields = pd.Series([ResultFields.of(i) for i in ok["info"]], index=ok.index)
    out = []
    for est, g in ok.groupby("estimator"):
        # trained by steps: the estimator reports its steps (and its budget kind)
        neural = fields[g.index[0]].steps is not None
        for task, gt in g.groupby("task"):
            if gt["n"].nunique() >= 3:
                fit = fit_power_law(gt["n"], gt["wall_time_s"])
                label = "time vs n"
                if neural:
                    by_epochs = fields[gt.index[0]].budget == "epochs"
                    label = ("time for fixed epochs vs n" if by_epochs
                             else "time for fixed steps vs n")
                out.append(_row(est, label, f"{task}, n {gt['n'].min()}-{gt['n'].max()}", fit))
        for (fam, n), gd in g.groupby(["family", "n"]):
            if gd["dim"].nunique() < 3:
                continue
            where = f"{fam}, n={n}, dim {gd['dim'].min()}-{gd['dim'].max()}"
            out.append(_row(est, "time vs dim", where,
                            fit_power_law(gd["dim"], gd["wall_time_s"])))
            if neural:
                steps = np.array([fields[i].steps for i in gd.index], dtype=float)
                per_step = gd["wall_time_s"].to_numpy() / steps
                out.append(_row(est, "time per step vs dim", where,
                                fit_power_law(gd["dim"], per_step)))
                stt = np.array([steps_to_target(fields[i], mi, target)
                                for i, mi in zip(gd.index, gd["true_mi"], strict=True)])
                fit = fit_power_law(gd["dim"].to_numpy()[np.isfinite(stt)],
                                    stt[np.isfinite(stt)])
                out.append(_row(est, f"steps to {target:.0%} error vs dim", where, fit,
                                note=f"{int(np.isfinite(stt).sum())}/{len(stt)} runs reached it"))
    return pd.DataFrame(out)


def _row(est: str, axis: str, where: str, fit: PowerFit, note: str = "") -> dict[str, object]:
    return {"estimator": est, "axis": axis, "data": where, "exponent": fit.exponent,
            "ci_lo": fit.lo, "ci_hi": fit.hi, "points": fit.points, "verdict": fit.verdict,
            "note": note}


def step_scaling_rows(est: str, rows: list[dict[str, float]]) -> pd.DataFrame:
    """Fits of an estimator's :meth:`~mibench.Estimator.step_timing` rows: time per
    step against batch size (at the grid's most common dimension) and against
    dimension (at its most common batch size)."""
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame()
    dim0 = int(df["dim"].mode().iloc[0])
    bsz0 = int(df["batch_size"].mode().iloc[0])
    b = df[df["dim"] == dim0]
    d = df[df["batch_size"] == bsz0]
    return pd.DataFrame([
        _row(est, "time per step vs batch size", f"dim {dim0}, batch "
             f"{b['batch_size'].min()}-{b['batch_size'].max()}",
             fit_power_law(b["batch_size"], b["time_per_step_s"])),
        _row(est, "time per step vs dim",
             f"batch {bsz0}, dim {d['dim'].min()}-{d['dim'].max()}",
             fit_power_law(d["dim"], d["time_per_step_s"])),
    ])
