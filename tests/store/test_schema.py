"""The declared row: Status, every column declared once, the typed result fields."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

import mibench
from mibench.core.contracts import Ceiling, EstimateResult, TrainingCurve
from mibench.store import schema
from mibench.store.schema import COLUMNS, ResultFields, Status

ROOT = Path(__file__).resolve().parents[2]


def test_status_is_stored_and_compared_as_its_text() -> None:
    assert [s.value for s in Status] == ["ok", "failed", "timeout", "lost"]
    assert Status.OK == "ok" and f"{Status.TIMEOUT}" == "timeout" and str(Status.LOST) == "lost"
    assert json.dumps({"s": Status.FAILED}) == '{"s": "failed"}'
    assert Status("ok") is Status.OK
    assert [s.is_result() for s in Status] == [True, False, False, False]
    # lost is the machinery's doing: the only status a resumed run runs again
    assert [s.is_final() for s in Status] == [True, True, True, False]


def test_every_row_the_engine_writes_has_exactly_the_declared_columns(tmp_path: Path) -> None:
    df = mibench.run(estimators="gaussian", tasks="gaussian", n=100, seeds=2, out=tmp_path)
    declared = [c.name for c in COLUMNS if not c.sparse]
    assert list(df.columns) == declared
    for col in COLUMNS:
        if col.name in df:
            assert str(df[col.name].dtype) == col.dtype, col.name
    stored = pd.read_parquet(tmp_path / "results.parquet")
    assert list(stored.columns) == declared


def test_rows_of_an_older_version_read_through_the_declaration() -> None:
    old = {"key": "k", "estimator": "e", "estimator_name": "e", "task": "t", "task_name": "t",
           "n": 100, "seed": 0, "true_mi": 0.5, "estimate": 0.4, "status": "ok",
           "info": "{}", "old_column": "kept"}
    df = schema.frame([old])
    assert list(df.columns)[:len(COLUMNS) - 1] == [c.name for c in COLUMNS if not c.sparse]
    assert df.loc[0, "old_column"] == "kept"  # an undeclared column is kept, at the end
    assert df.loc[0, "family"] == "t"  # a row from before tasks named their family
    assert df.loc[0, "group_size"] == 1 and df.loc[0, "attempts"] == 1
    assert np.isnan(df.loc[0, "peak_mem_mb"]) and df.loc[0, "preprocess"] == "none"


def test_result_fields_round_trip_through_info() -> None:
    res = EstimateResult(1.0, {"free": 3}, ["careful"], device="cuda", steps=40, budget="epochs",
                         curve=TrainingCurve([20, 40], [0.5, 0.9], [0.6, 1.0]),
                         ceiling=Ceiling(2.5, "log(batch 12)"))
    info = schema.result_info(res, group_wall_time_s=2.0)
    assert info["free"] == 3 and info["warnings"] == ["careful"]
    back = ResultFields.of(json.dumps(info))
    assert back == ResultFields(40, "epochs", res.curve, res.ceiling)
    assert ResultFields.of("{}") == ResultFields()
    # a result with no finite ceiling has none
    assert EstimateResult(1.0, ceiling=Ceiling(float("nan"), "none")).ceiling is None


def test_a_plugin_written_before_the_typed_fields_keeps_its_info_keys() -> None:
    legacy = EstimateResult(1.0, {"ceiling": 3.0, "ceiling_note": "log(20)", "steps": 7})
    fields = ResultFields.of(schema.result_info(legacy))
    assert fields.ceiling == Ceiling(3.0, "log(20)") and fields.steps == 7


def test_readme_lists_the_declared_columns() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- columns:start -->\n(.*?)<!-- columns:end -->", readme, re.S)
    assert block is not None, "README.md has no generated column list"
    assert block.group(1) == schema.columns_markdown(), (
        "README's column list is stale: mibench list --columns prints it")


def test_no_ok_status_literal_outside_the_enum() -> None:
    hits = []
    for f in (ROOT / "mibench").rglob("*.py"):
        if f.name == "schema.py":
            continue
        for i, line in enumerate(f.read_text().splitlines(), 1):
            if re.search(r"""["']ok["']""", line.split("#", 1)[0]):
                hits.append(f"{f.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not hits, hits
