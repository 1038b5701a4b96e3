"""The result row, declared once: its status values and every column (name, type, meaning).

Every row the engine writes has exactly the columns of :data:`COLUMNS`, in
that order; the store's table (:meth:`ResultStore.frame`), the Parquet and
CSV exports and the README's column list (``mibench list --columns`` prints
it) follow from the declaration. Rows written by earlier versions are
read through the same declaration: a declared column they lack gets its
declared default (``family`` that of the task's registry name, as
:attr:`mibench.Task.family` defaults to it), and columns they have that are no
longer declared are kept, after the declared ones.

What an estimator reports for the engine — the typed fields of
:class:`~mibench.core.contracts.EstimateResult`: training steps, budget kind,
training curve and ceiling (its device is a column) — is stored in the row's
``info`` JSON under the keys of :data:`RESULT_KEYS`, beside the estimator's
free-form diagnostics, and read back only through :class:`ResultFields`. So
the table keeps one column per cell fact, every store written before reads
the same, and nothing else in the engine reads those keys.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pandas as pd

from ..core.contracts import Ceiling, EstimateResult, TrainingCurve
from ..core.params import to_jsonable


class Status(str, Enum):
    """How a cell ended. A ``str`` enum, so it is stored and compared as its text."""

    OK = "ok"  #: the estimator returned a finite estimate
    FAILED = "failed"  #: it raised, returned a non-finite value, or killed its process twice
    TIMEOUT = "timeout"  #: it ran past the run's per-cell timeout and was killed
    LOST = "lost"  #: the machinery lost it (a broken cluster connection): not the cell's doing

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    def is_result(self) -> bool:
        """The row holds an estimate of the cell."""
        return self is Status.OK

    def is_final(self) -> bool:
        """The cell ran to an end of its own: a resumed run does not run it again
        (``--retry-failed`` reruns the final ones that are not results)."""
        return self is not Status.LOST


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  #: "str", "int64" or "float64"
    meaning: str
    default: Any = ""
    #: present only in tables where some row has it (not a column of every row)
    sparse: bool = False


_NAN = float("nan")

COLUMNS: tuple[Column, ...] = (
    # -- the cell (mibench.plan.cells.Cell)
    Column("key", "str", "the cell's key: hash of its configuration, repetition, root seed, "
                         "preprocessing and code fingerprints"),
    Column("estimator", "str", "estimator label: its name and the parameters that differ "
                               "from their defaults"),
    Column("estimator_name", "str", "the estimator's registry name"),
    Column("estimator_params", "str", "JSON of every estimator parameter but the seed"),
    Column("task", "str", "task label (name and non-default parameters)"),
    Column("task_name", "str", "the task's registry name"),
    Column("task_params", "str", "JSON of every task parameter"),
    Column("n", "int64", "sample size", 0),
    Column("seed", "int64", "repetition index (0, 1, ...): which draw of the data; the "
                            "random seeds are data_seed and estimator_seed", 0),
    Column("data_seed", "int64", "seed of the sample, from (task, n, repetition, root seed): "
                                 "every estimator sees the same data", 0),
    Column("estimator_seed", "int64", "seed of the estimator's own randomness, from the "
                                      "whole cell", 0),
    Column("root_seed", "int64", "the run's root seed", 0),
    Column("dim_x", "int64", "dimension of X", 0),
    Column("dim_y", "int64", "dimension of Y", 0),
    Column("true_mi", "float64", "true MI of the task (nats)", _NAN),
    Column("family", "str", "task family, for grouping in reports (Task.family)"),
    Column("estimator_version", "str", "fingerprint of the estimator's code"),
    Column("task_version", "str", "fingerprint of the task's code"),
    Column("config_key", "str", "the key without the fingerprints: the same cell under any "
                                "version of the code"),
    Column("true_mi_se", "float64", "standard error of a Monte Carlo truth (0: exact)", 0.0),
    Column("task_label", "str", "a suite's own name for the task (a reference benchmark's id)"),
    Column("preprocess", "str", "what was applied to the sample first: none or standardize",
           "none"),
    # -- provenance of the process that ran the cell (mibench.run.provenance)
    Column("mibench_version", "str", "mibench's version"),
    Column("numpy_version", "str", "numpy's version"),
    Column("scipy_version", "str", "scipy's version"),
    Column("sklearn_version", "str", "scikit-learn's version"),
    Column("pandas_version", "str", "pandas' version"),
    Column("torch_version", "str", "torch's version ('' where not installed)"),
    Column("python_version", "str", "Python's version"),
    Column("platform", "str", "operating system and machine"),
    Column("git_revision", "str", "git revision of mibench's source ('+dirty' if modified)"),
    Column("cpu_count", "int64", "CPUs of the machine", 0),
    Column("estimator_dist", "str", "distribution that provides the estimator (name==version)"),
    Column("task_dist", "str", "distribution that provides the task (name==version)"),
    # -- the outcome
    Column("estimate", "float64", "the estimate (nats); NaN unless status is ok", _NAN),
    Column("status", "str", "ok, failed, timeout or lost (mibench.store.schema.Status)",
           Status.FAILED),
    Column("error", "str", "what went wrong, for a cell that is not ok"),
    Column("traceback", "str", "the traceback of an exception raised by the cell"),
    Column("wall_time_s", "float64", "seconds the estimate took (one-off set-up excluded; a "
                                     "seed's share when group_size > 1)", _NAN),
    Column("sample_time_s", "float64", "seconds drawing the sample took", _NAN),
    Column("peak_mem_mb", "float64", "peak rise of resident memory during the estimate (MiB)",
           _NAN),
    Column("gpu_peak_mem_mb", "float64", "peak GPU memory allocated by torch (MiB), CUDA "
                                         "cells only", _NAN),
    Column("mem_method", "str", "how peak_mem_mb was measured"),
    Column("group_size", "int64", "seeds trained together in one batch (time is then each "
                                  "seed's share, memory the group's)", 1),
    Column("device", "str", "device the estimate ran on", "cpu"),
    Column("threads", "int64", "BLAS / torch threads the cell had (0: not limited)", 0),
    Column("info", "str", "JSON: the estimator's diagnostics and the result fields of "
                          "RESULT_KEYS (training steps and curve, ceiling)", "{}"),
    Column("host", "str", "host name of the machine that ran the cell"),
    Column("started_at", "str", "UTC time the cell started (ISO 8601)"),
    Column("finished_at", "str", "UTC time the cell finished (ISO 8601)"),
    Column("attempts", "int64", "times the cell was run (2: rerun alone after its worker "
                                "process died)", 1),
    # -- the run that stored it (mibench.run.runner)
    Column("run_id", "str", "id of the run that stored the row"),
    Column("executor", "str", "serial, process or dask"),
    Column("relabelled_from", "str", "JSON: key and fingerprints a row had before it was "
                                     "relabelled to today's fingerprint scheme", sparse=True),
)
BY_NAME = {c.name: c for c in COLUMNS}

#: Keys of ``info`` that hold :class:`ResultFields` (and must not be free-form diagnostics).
RESULT_KEYS = ("steps", "budget", "curve_step", "curve_train", "curve_heldout", "curve_label",
               "ceiling", "ceiling_note")


def empty_row() -> dict[str, Any]:
    """A row with every (non-sparse) column at its default, in column order."""
    return {c.name: c.default for c in COLUMNS if not c.sparse}


@dataclass(frozen=True)
class ResultFields:
    """The typed result fields of a stored row (see the module docstring)."""

    steps: int | None = None
    budget: str | None = None
    curve: TrainingCurve | None = None
    ceiling: Ceiling | None = None

    @classmethod
    def of(cls, info: str | dict[str, Any] | None) -> ResultFields:
        """Read them from a row's ``info`` (its JSON text or the parsed dict)."""
        if isinstance(info, str):
            info = json.loads(info) if info else {}
        if not isinstance(info, dict):
            return cls()
        curve = None
        if info.get("curve_step") and info.get("curve_heldout") is not None:
            curve = TrainingCurve(list(info["curve_step"]), list(info["curve_heldout"]),
                                  info.get("curve_train"),
                                  info.get("curve_label") or "held-out estimate")
        ceiling = None
        c = info.get("ceiling")
        if isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c):
            ceiling = Ceiling(float(c), str(info.get("ceiling_note") or ""))
        steps = info.get("steps")
        return cls(int(steps) if isinstance(steps, (int, float)) else None,
                   info.get("budget"), curve, ceiling)


def _finite_or_null(value: Any) -> Any:
    """``value`` with every NaN or infinite float in it, at any depth, made ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite_or_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_null(v) for v in value]
    return value


def json_default(o: Any) -> Any:
    """``json.dumps``'s fallback: numpy scalars as Python numbers, anything else as text."""
    if hasattr(o, "item"):  # a numpy scalar (np.float32 is no float: checked here)
        return _finite_or_null(o.item())
    return str(o)


def strict_json(value: Any) -> str:
    """``value`` as strict JSON, NaN and ±inf written as ``null`` at any depth.

    Python's ``json`` would write them as ``NaN`` and ``Infinity``, which are not JSON:
    SQLite's JSON functions, JavaScript's ``JSON.parse`` and most other readers reject
    them. Used for stored rows (a failed cell's non-finite estimate is named in its
    ``error``; the column reads NaN, as this schema says of any estimate whose status
    is not ok) and for the ``info`` text inside them (a curve's non-finite point reads
    back as ``None``, as :class:`~mibench.core.contracts.TrainingCurve` allows)."""
    return json.dumps(_finite_or_null(value), default=json_default, allow_nan=False)


def result_info(res: EstimateResult, **engine_info: Any) -> dict[str, Any]:
    """The ``info`` of a row: the result's free-form diagnostics, what the engine adds,
    and its typed fields under :data:`RESULT_KEYS`. A plugin written before the typed
    fields that put ``ceiling`` (or a curve) into ``info`` itself keeps it there."""
    info: dict[str, Any] = {**res.info, **engine_info}
    if res.warnings:
        info["warnings"] = res.warnings
    if res.steps is not None:
        info["steps"] = int(res.steps)
    if res.budget is not None:
        info["budget"] = res.budget
    if res.curve is not None:
        info.update(curve_step=list(res.curve.step), curve_heldout=list(res.curve.heldout))
        if res.curve.train is not None:
            info["curve_train"] = list(res.curve.train)
        if res.curve.label != "held-out estimate":
            info["curve_label"] = res.curve.label
    if res.ceiling is not None:
        info.update(ceiling=res.ceiling.value, ceiling_note=res.ceiling.note)
    return dict(to_jsonable(info))


def frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """The table of stored rows (see :func:`conform`)."""
    return conform(pd.DataFrame(list(rows)))


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """A results table in the declared form: declared columns first (in order, with
    their types; missing ones and missing values get their defaults), then any
    others the rows carry."""
    if df.empty:
        return df
    df = df.copy()
    for col in COLUMNS:
        if col.name not in df:
            if col.sparse:
                continue
            df[col.name] = col.default
        v = df[col.name]
        if col.dtype == "float64":
            df[col.name] = pd.to_numeric(v, errors="coerce").astype("float64")
        elif col.dtype == "int64":
            df[col.name] = pd.to_numeric(v, errors="coerce").fillna(col.default).astype("int64")
        elif v.isna().any() and not col.sparse:
            df[col.name] = v.astype(object).where(v.notna(), col.default).astype("str")
    # the family of a row written before tasks named theirs is the task's name
    unnamed = df["family"] == ""
    if unnamed.any() and "task_name" in df:
        df.loc[unnamed, "family"] = df.loc[unnamed, "task_name"]
    declared = [c.name for c in COLUMNS if c.name in df]
    return df[declared + [c for c in df.columns if c not in BY_NAME]]


def columns_markdown() -> str:
    """The README's column list: a Markdown table generated from :data:`COLUMNS`."""
    table = pd.DataFrame([{"column": f"`{c.name}`", "type": c.dtype, "meaning": c.meaning}
                          for c in COLUMNS])
    return table.to_markdown(index=False) + "\n"

