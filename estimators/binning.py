"""Histogram (binning) plug-in MI estimator with the Miller–Madow correction.

I = H(X) + H(Y) − H(X, Y) with plug-in entropies H = −Σ p̂ log p̂ over the
occupied cells of a product grid.

Choosing the grid
-----------------
A plug-in estimate is only as good as the joint table behind it: its bias
grows like (number of joint cells) / N, so the partition must be chosen from
the *joint* dimension d = dx + dy, not per column. The default,
``bins="auto"``, uses the same number of bins b on every axis, the largest
with at least ``min_count`` (5) expected points per joint cell under the
product of the marginals:

    b = max(2, ⌊(N / min_count)^(1/d)⌋),

the classical "expected count ≥ 5" rule of contingency tables. With the
default equal-frequency bins (``strategy="quantile"``) every marginal bin
holds N/b points, so the rule holds cell by cell under independence. The
1-D rules ``"fd"`` (Freedman–Diaconis), ``"sturges"`` and ``"sqrt"`` (as in
``numpy.histogram_bin_edges``, applied to each column on its own) and a fixed
integer remain available; in more than one dimension they make sparse tables.

Miller–Madow
------------
Each plug-in entropy is raised by (m − 1)/(2N), m the number of occupied
cells, which removes its first-order bias; for MI the corrections combine to
(m_x + m_y − m_xy − 1)/(2N). The expansion behind it assumes cells hold more
than a point or two, so with ``miller_madow="auto"`` (default) it is applied
only when the occupied joint cells hold at least ``SPARSE_COUNT`` (3) points
on average; below that the table is too sparse for either estimate, and the
result carries a warning saying so (``info["sparse"]`` is true).

Only occupied cells are counted: each sample gets an integer code per
dimension, rows of codes are mapped to compact labels (``np.unique`` on rows),
and the joint cell of (x, y) is label_x · L_y + label_y. Memory is O(N·d),
never bins^(dx+dy).
"""

from __future__ import annotations

import math

import numpy as np

from mibench.plugin import (
    ContractSettings,
    Either,
    EstimateResult,
    Estimator,
    Integer,
    OneOf,
    Real,
    param,
    register_estimator,
)

_RULES = ("auto", "fd", "sturges", "sqrt")
#: Mean points per occupied joint cell below which the table is called sparse.
SPARSE_COUNT = 3.0


def joint_bins(n: int, dim: int, min_count: float) -> int:
    """Bins per axis so that a product grid over ``dim`` axes expects
    ``min_count`` points per cell: max(2, ⌊(n / min_count)^(1/dim)⌋)."""
    b = math.floor((n / min_count) ** (1.0 / dim) + 1e-9)
    return max(2, b)


def n_bins(col: np.ndarray, bins: str | int) -> int:
    if isinstance(bins, int):
        return bins
    edges = np.histogram_bin_edges(col, bins=bins)
    return max(1, len(edges) - 1)


def bin_codes(col: np.ndarray, bins: str | int, strategy: str) -> np.ndarray:
    """Integer bin index of each value of one column."""
    if strategy == "uniform":
        edges = np.histogram_bin_edges(col, bins=bins)
    else:
        b = n_bins(col, bins)
        edges = np.unique(np.quantile(col, np.linspace(0.0, 1.0, b + 1)))
    # interior edges only: codes 0..len(edges)-2, the maximum falls in the last bin
    return np.searchsorted(edges[1:-1], col, side="right")


def labels(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Compact labels 0..m−1 of the distinct rows of an (n, d) code matrix."""
    if codes.shape[1] == 1:
        uniq, inv = np.unique(codes[:, 0], return_inverse=True)
        return inv.ravel(), len(uniq)
    # mixed-radix code when it fits in int64, otherwise unique rows
    radix = codes.max(axis=0).astype(np.float64) + 1
    if np.prod(radix) < 2**62:
        flat = np.zeros(codes.shape[0], dtype=np.int64)
        for c in range(codes.shape[1]):
            flat = flat * int(radix[c]) + codes[:, c]
        uniq, inv = np.unique(flat, return_inverse=True)
        return inv.ravel(), len(uniq)
    uniq, inv = np.unique(codes, axis=0, return_inverse=True)
    return inv.ravel(), len(uniq)


def plugin_entropy(lab: np.ndarray, m: int) -> float:
    counts = np.bincount(lab, minlength=m)
    counts = counts[counts > 0]
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


@register_estimator("binning")
class Binning(Estimator):
    """Histogram plug-in MI with a joint-dimension bin rule and Miller–Madow."""

    description = ("histogram plug-in MI, bins from N and the joint dimension, "
                   "Miller–Madow where the table is dense enough")
    contract = ContractSettings(zero_tol=0.05, easy_tol=0.12)

    bins: str | int = param("auto", Either(OneOf(*_RULES), Integer(min=1)),
                            "bins per axis: auto (from N and the joint dimension, see the "
                            "module docstring), a 1-D rule applied to each column, or a number")
    strategy: str = param("quantile", OneOf("quantile", "uniform"),
                          "equal-frequency (quantile) or equal-width (uniform) bins")
    miller_madow: bool | str = param("auto", OneOf(True, False, "auto"),
                                     "apply the Miller–Madow correction: auto only when the "
                                     "occupied joint cells hold at least 3 points on average")
    min_count: float = param(5.0, Real(gt=0), "expected points per joint cell for bins=auto")

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> EstimateResult:
        n = x.shape[0]
        bins: str | int = self.bins
        if bins == "auto":
            bins = joint_bins(n, x.shape[1] + y.shape[1], self.min_count)
        cx = np.column_stack([bin_codes(x[:, c], bins, self.strategy)
                              for c in range(x.shape[1])])
        cy = np.column_stack([bin_codes(y[:, c], bins, self.strategy)
                              for c in range(y.shape[1])])
        lx, mx = labels(cx)
        ly, my = labels(cy)
        lxy, mxy = labels(np.column_stack([lx, ly]))
        mi = plugin_entropy(lx, mx) + plugin_entropy(ly, my) - plugin_entropy(lxy, mxy)
        per_cell = n / mxy
        sparse = per_cell < SPARSE_COUNT
        apply_mm = (not sparse) if self.miller_madow == "auto" else bool(self.miller_madow)
        if apply_mm:
            mi += (mx + my - mxy - 1) / (2.0 * n)
        info = {"bins_per_axis": bins if isinstance(bins, int) else self.bins,
                "occupied_joint_cells": int(mxy), "mean_count_per_cell": round(per_cell, 3),
                "miller_madow_applied": apply_mm, "sparse": sparse}
        warnings = [] if not sparse else [
            f"binning: the joint table is too sparse to trust ({per_cell:.2f} points per "
            f"occupied cell, fewer than {SPARSE_COUNT:g}); use fewer bins or more samples"]
        return EstimateResult(float(mi), info, warnings)
