"""Input validation shared by every estimator and task.

All checks raise :class:`mibench.errors.InputError` with a message that names
the argument (``x`` or ``y``) and says what was expected.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InputError, ParameterError


def as_sample_matrix(a: Any, name: str) -> np.ndarray:
    """Return ``a`` as a new float64 array of shape (n, d).

    A 1-D array of length n becomes (n, 1). The input is never modified.
    """
    if a is None:
        raise InputError(f"{name} is None; expected an array of shape (n, d)")
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise InputError(
            f"{name} must be numeric (bool, integer or float); got dtype {arr.dtype}"
        )
    if arr.ndim == 0:
        raise InputError(f"{name} is a scalar; expected an array of shape (n,) or (n, d)")
    if arr.ndim > 2:
        raise InputError(
            f"{name} must be 1-D or 2-D with shape (n, d); got a {arr.ndim}-D array "
            f"of shape {arr.shape}"
        )
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InputError(f"{name} is empty (shape {arr.shape}); expected at least one sample")
    out = np.array(arr, dtype=np.float64, copy=True)
    bad = ~np.isfinite(out)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        n_nan = int(np.isnan(out).sum())
        n_inf = int(bad.sum()) - n_nan
        raise InputError(
            f"{name} contains non-finite values ({n_nan} NaN, {n_inf} inf; "
            f"first in row {int(rows[0])}); remove or impute them first"
        )
    return out


def check_xy(
    x: Any,
    y: Any,
    *,
    min_samples: int = 2,
    allow_constant: bool = False,
    estimator: str = "estimator",
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a pair of samples and return float64 copies of shape (n, dx), (n, dy).

    Parameters
    ----------
    x, y : array-like
        Paired samples, 1-D (n,) or 2-D (n, d).
    min_samples : int
        The least number of samples the estimator can work with.
    allow_constant : bool
        Whether a column with a single repeated value is acceptable.
    estimator : str
        Name used in messages.
    """
    xa = as_sample_matrix(x, "x")
    ya = as_sample_matrix(y, "y")
    if xa.shape[0] != ya.shape[0]:
        raise InputError(
            f"x and y must have the same number of samples (rows); "
            f"got x with {xa.shape[0]} and y with {ya.shape[0]}"
        )
    n = xa.shape[0]
    if n < min_samples:
        raise InputError(
            f"{estimator} needs at least {min_samples} samples for x of dimension "
            f"{xa.shape[1]} and y of dimension {ya.shape[1]}; got {n}"
        )
    if not allow_constant:
        for name, arr in (("x", xa), ("y", ya)):
            const = np.flatnonzero(np.ptp(arr, axis=0) == 0)
            if const.size:
                raise InputError(
                    f"{name} has constant column(s) {const.tolist()}: a column with a "
                    f"single value carries no information; drop it"
                )
    return xa, ya


def standardize_columns(a: np.ndarray, fit_rows: np.ndarray | None = None) -> np.ndarray:
    """Zero mean and unit variance per column (a constant column is only centred).

    An invertible affine map of each variable, so it leaves MI unchanged. With
    ``fit_rows`` the mean and sd come from those rows only (for example the
    training rows, so that held-out rows play no part in fitting).
    """
    fit = a if fit_rows is None else a[fit_rows]
    sd = fit.std(axis=0)
    sd[sd == 0] = 1.0
    return (a - fit.mean(axis=0)) / sd


def check_n(n: Any, name: str = "n") -> int:
    """Validate a sample size: a positive integer."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        if isinstance(n, float) and n.is_integer():
            n = int(n)
        else:
            raise ParameterError(f"{name} must be a positive integer; got {n!r}")
    if n <= 0:
        raise ParameterError(f"{name} must be a positive integer; got {n}")
    return int(n)


def as_generator(rng: Any) -> np.random.Generator:
    """Accept a Generator, a SeedSequence or an int seed; reject global state."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise ParameterError(
        "rng must be a numpy.random.Generator, a SeedSequence or an int seed; "
        f"got {type(rng).__name__}"
    )
