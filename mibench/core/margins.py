"""What each column of a sample becomes before an estimator sees it.

MI is unchanged by any invertible map of X and of Y, in particular by a
strictly increasing map of each coordinate. An estimator may therefore put
its margins into a convenient shape first:

* ``none``: the values as given;
* ``standardize``: zero mean and unit variance per column (an affine map);
* ``normal-scores``: each value replaced by Φ⁻¹ of its rank over (n + 1), the
  monotone map that makes every margin close to a standard normal. Heavy tails
  (a Student-t with ν = 1, a Cauchy) then cost an estimator nothing: its inputs
  are bounded by about ±Φ⁻¹(1 − 1/(n + 1)) (±3.7 at n = 5000) whatever the data.

Normal scores are fitted on given rows (for a neural estimator, its training
rows) and applied to every row by the same monotone function, so held-out rows
play no part in fitting:

* every value, fitted or not, takes the rank it has among the fitted rows,
  ties counted half: ``#(fitted < v) + (#(fitted == v) + 1) / 2``. A fitted
  value thus gets its average rank (ties share the mean of the ranks they
  span, as ``scipy.stats.rankdata(method="average")``); a held-out value
  between two neighbouring fitted values gets the rank half-way between theirs;
  one below the smallest (above the largest) fitted value gets 0.5 (n + 0.5), a
  score just past the extreme fitted scores, the same for every such value,
  since the fitted rows say nothing of how far out it lies.

The scores depend on the order of the values alone, so an estimate made on
them is exactly the same after any strictly increasing map of a coordinate,
held-out rows included (interpolating linearly between fitted values would
make the held-out scores depend on the scale between them).

With every row fitted (``fit_rows=None``) this is exactly the Gaussian-copula
transform ``Φ⁻¹(rankdata(a) / (n + 1))``.

Why not scikit-learn's ``QuantileTransformer(output_distribution="normal")``:
it interpolates between at most ``n_quantiles`` (default 1000) reference
quantiles and clips the outer scores at ±5.2 whatever n is, so its fitted
scores are not the rank-based ones, and ties break by the order of the
reference grid; the rule above is a few lines of numpy and is exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata

from .validation import standardize_columns

MARGINS = ("none", "standardize", "normal-scores")


def normal_scores(a: np.ndarray, fit_rows: np.ndarray | None = None) -> np.ndarray:
    """Normal scores of each column of ``a`` (see the module docstring), fitted on
    ``fit_rows`` (an index array) or on every row."""
    a = np.asarray(a, dtype=float)
    if fit_rows is None:
        return ndtri(rankdata(a, axis=0, method="average") / (a.shape[0] + 1))
    fit = np.sort(a[fit_rows], axis=0)
    n = fit.shape[0]
    out = np.empty_like(a)
    for j in range(a.shape[1]):
        below = np.searchsorted(fit[:, j], a[:, j], side="left")
        equal = np.searchsorted(fit[:, j], a[:, j], side="right") - below
        out[:, j] = below + (equal + 1) / 2.0
    return ndtri(out / (n + 1))


def apply_margins(kind: str, a: np.ndarray, fit_rows: np.ndarray | None = None) -> np.ndarray:
    """``a`` with each column put through ``kind`` (one of :data:`MARGINS`), the
    statistics or ranks taken from ``fit_rows`` (every row when ``None``)."""
    if kind == "normal-scores":
        return normal_scores(a, fit_rows)
    if kind == "standardize":
        return standardize_columns(a, fit_rows)
    if kind == "none":
        return a
    raise ValueError(f"margins must be one of {MARGINS}; got {kind!r}")


def legacy_standardize_key(value: Any) -> dict[str, Any]:
    """The cache-key entry of a ``margins`` parameter that replaced a boolean
    ``standardize``: ``none`` and ``standardize`` keep the key they had as
    ``standardize=false`` / ``true`` (so their cells, seeds and stored results
    are what they were); ``normal-scores`` is keyed as itself."""
    if value in ("none", "standardize"):
        return {"standardize": value == "standardize"}
    return {"margins": value}



def margins_param(default: str, what: str, *, replaces_standardize: bool = False) -> Any:
    """Declare an estimator's ``margins`` parameter (one of :data:`MARGINS`).

    ``what`` completes the sentence "applied to ..." (for example "every row, before
    the neighbour search"). With ``replaces_standardize`` the parameter takes over an
    older boolean ``standardize``: ``none`` and ``standardize`` keep that parameter's
    cache keys (:func:`legacy_standardize_key`), and a selector still writing
    ``standardize=...`` is told what to write instead.
    """
    from .params import OneOf, param

    class MarginsKind(OneOf):
        # a selector reads the word none as None; both mean the values as given
        def accept(self, value: Any) -> Any:
            return super().accept("none" if value is None else value)

    doc = ("what each column becomes first, applied to " + what + ": none, standardize "
           "(zero mean, unit variance) or normal-scores (Φ⁻¹ of the rank over n + 1; see "
           "mibench.core.margins for ties and values beyond the fitted range)")
    if not replaces_standardize:
        return param(default, MarginsKind(*MARGINS), doc)
    return param(default, MarginsKind(*MARGINS), doc, key=legacy_standardize_key,
                 formerly={"standardize": "margins=standardize (for true) or margins=none "
                                          "(for false)"})
