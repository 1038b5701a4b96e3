from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mibench
from mibench import Estimator, register_estimator, summarize
from mibench.plan import RunSpec
from mibench.run import run_spec
from mibench.store import DB_NAME, PARQUET_NAME, load_results

TRUTH = -np.log(1 - 0.81)  # dim=2, rho=0.9: 1.6607 nats


def _spec(**kw) -> RunSpec:
    base = dict(estimators=["gaussian"], tasks=["gaussian[dim=2,rho=0.9]"], n=[1000], seeds=5)
    base.update(kw)
    return RunSpec(**base)


@register_estimator("test-flaky")
class Flaky(Estimator):
    """Fails on one sample size, returns NaN on another (for failure isolation)."""

    def __init__(self, raise_on: int = 300, nan_on: int = 400) -> None:
        self.raise_on = raise_on
        self.nan_on = nan_on

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> float:
        if x.shape[0] == self.raise_on:
            raise RuntimeError("boom")
        if x.shape[0] == self.nan_on:
            return float("nan")
        return 0.0


def test_gaussian_run_accuracy_and_resume(tmp_path: Path) -> None:
    out = run_spec(_spec(), tmp_path)
    assert out.ran == 5 and out.failed == 0
    mean = out.table["estimate"].mean()
    # The plug-in estimator's sd at n=1000 is about 0.03 nats, so its mean over
    # 5 seeds is within 0.05 of the truth with overwhelming probability.
    assert abs(mean - TRUTH) < 0.05
    again = run_spec(_spec(), tmp_path)
    assert again.ran == 0 and again.skipped == 5
    pd.testing.assert_frame_equal(again.table, out.table)
    assert (tmp_path / PARQUET_NAME).exists() and (tmp_path / DB_NAME).exists()


def test_resume_runs_exactly_missing_cells(tmp_path: Path) -> None:
    full = run_spec(_spec(n=[200, 500]), tmp_path).table
    con = sqlite3.connect(tmp_path / DB_NAME)
    gone = [r[0] for r in con.execute("SELECT key FROM cells ORDER BY key LIMIT 3")]
    con.executemany("DELETE FROM cells WHERE key = ?", [(k,) for k in gone])
    con.commit()
    con.close()
    ran: list[str] = []
    again = run_spec(_spec(n=[200, 500]), tmp_path, on_row=lambda r: ran.append(r["key"]))
    assert sorted(ran) == sorted(gone) and again.ran == 3
    cols = ["key", "estimate", "data_seed"]
    a = full[cols].sort_values("key").reset_index(drop=True)
    b = again.table[cols].sort_values("key").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_failing_cells_recorded_run_continues(tmp_path: Path) -> None:
    out = run_spec(_spec(estimators=["test-flaky"], n=[300, 400, 500], seeds=2), tmp_path)
    t = out.table.set_index("n")
    assert out.total == 6 and len(out.table) == 6 and out.failed == 4
    assert set(t.loc[300, "status"]) == {"failed"}
    assert all("RuntimeError: boom" in e for e in t.loc[300, "error"])
    assert all("not finite" in e for e in t.loc[400, "error"])
    assert set(t.loc[500, "status"]) == {"ok"}
    # failed cells are not rerun unless asked
    assert run_spec(_spec(estimators=["test-flaky"], n=[300, 400, 500], seeds=2),
                    tmp_path).ran == 0
    assert run_spec(_spec(estimators=["test-flaky"], n=[300, 400, 500], seeds=2,
                          retry_failed=True), tmp_path).ran == 4


def test_rows_have_provenance_and_measurements(tmp_path: Path) -> None:
    t = run_spec(_spec(seeds=1), tmp_path).table
    row = t.iloc[0]
    for col in ("numpy_version", "mibench_version", "python_version", "host", "git_revision",
                "threads", "executor", "run_id", "estimator_params", "task_params",
                "dim_x", "dim_y", "true_mi"):
        assert col in t.columns, col
    assert row["wall_time_s"] > 0 and row["peak_mem_mb"] >= 0
    assert row["dim_x"] == 2 and row["true_mi"] == pytest.approx(TRUTH)


def test_process_executor_matches_serial(tmp_path: Path) -> None:
    spec = _spec(tasks=["gaussian[rho=0.5]", "gaussian[dim=3,rho=0.3]"], n=[100, 300], seeds=2)
    a = run_spec(spec, tmp_path / "a").table
    b = run_spec(replace(spec, executor="process", jobs=2), tmp_path / "b").table
    cols = ["key", "estimate"]
    pd.testing.assert_frame_equal(a[cols].sort_values("key").reset_index(drop=True),
                                  b[cols].sort_values("key").reset_index(drop=True))
    assert set(b["executor"]) == {"process"}


def test_python_api_and_summary() -> None:
    df = mibench.run(estimators="gaussian", tasks="gaussian[dim=2,rho=0.9]", n=500, seeds=3)
    assert len(df) == 3 and (df["status"] == "ok").all()
    s = summarize(df)
    # the same words as the metrics it is a part of
    assert list(s.columns) == ["estimator", "task", "n", "true_mi", "mean", "bias", "std",
                               "seeds", "failures", "median_time_s"]
    assert s.loc[0, "bias"] == pytest.approx(s.loc[0, "mean"] - s.loc[0, "true_mi"])
    assert (s.loc[0, "seeds"], s.loc[0, "failures"]) == (3, 0)


def test_load_results_from_folder(tmp_path: Path) -> None:
    run_spec(_spec(seeds=2), tmp_path, csv=True)
    assert len(load_results(tmp_path)) == 2
    assert len(load_results(tmp_path / PARQUET_NAME)) == 2
    assert len(load_results(tmp_path / "results.csv")) == 2


def test_neural_seeds_trained_together_match_one_at_a_time(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    spec = _spec(estimators=["mine[steps=100,hidden=(16,),eval_every=50]"],
                 tasks=["gaussian[rho=0.7]"], n=[600], seeds=3)
    together = run_spec(spec, tmp_path / "a").table.sort_values("key")
    alone = run_spec(replace(spec, batch_seeds=False), tmp_path / "b").table.sort_values("key")
    infos = [json.loads(i) for i in together["info"]]
    assert [i["members_trained_together"] for i in infos] == [3, 3, 3]
    assert [json.loads(i)["members_trained_together"] for i in alone["info"]] == [1, 1, 1]
    # float32 batched matrix products round differently: equal to about 1e-6 nats
    np.testing.assert_allclose(together["estimate"], alone["estimate"], atol=1e-4)
    assert together["estimate"].nunique() == 3  # each seed its own data and critic


def test_lost_cells_are_rerun_on_resume(tmp_path: Path) -> None:
    first = run_spec(_spec(seeds=3), tmp_path).table
    con = sqlite3.connect(tmp_path / DB_NAME)
    key = first["key"].iloc[0]
    row = json.loads(con.execute("SELECT row FROM cells WHERE key = ?", (key,)).fetchone()[0])
    row.update(status="lost", estimate=None, error="connection to the cluster lost")
    con.execute("UPDATE cells SET status = 'lost', row = ? WHERE key = ?",
                (json.dumps(row), key))
    con.commit()
    con.close()
    again = run_spec(_spec(seeds=3), tmp_path)
    assert again.ran == 1 and again.skipped == 2
    assert (again.table["status"] == "ok").all()


def _const_plugin(root: Path, value: float) -> None:
    (root / "mibench_const_plugin.py").write_text(
        "from mibench import Estimator\n\n"
        "class Const(Estimator):\n"
        "    def __init__(self, scale: float = 1.0) -> None:\n"
        "        self.scale = scale\n\n"
        "    def _estimate(self, x, y):\n"
        f"        return {value} * self.scale\n")
    info = root / "mibench_const_plugin-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mibench-const-plugin\n"
                                   "Version: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[mibench.estimators]\nconst = mibench_const_plugin:Const\n")
    (info / "RECORD").write_text("")


def test_edited_plugin_reruns_and_is_never_mixed(tmp_path: Path) -> None:
    import os

    from mibench.analysis import metrics
    from tests.helpers import run_cli

    plug = tmp_path / "plug"
    plug.mkdir()
    env = dict(os.environ, PYTHONPATH=str(plug) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = tmp_path / "out"
    args = ["run", "--estimators", "const,gaussian", "--tasks", "gaussian", "--n", "200",
            "--seeds", "3", "--out", str(out)]
    _const_plugin(plug, 1.0)
    p1 = run_cli(args, env=env)
    assert p1.returncode == 0 and "6 run now" in p1.stdout, p1.stderr
    _const_plugin(plug, 2.0)  # same name, same parameters, different code
    p2 = run_cli(args, env=env)
    assert p2.returncode == 0, p2.stderr
    assert "3 stored rows of these cells came from other versions" in p2.stdout
    assert "3 run now, 3 already stored" in p2.stdout  # gaussian's rows are reused
    table = load_results(out)
    assert len(table) == 9
    m = metrics(table)
    const = m[m["estimator_name"] == "const"].sort_values("mean")
    assert list(const["mean"]) == [1.0, 2.0] and list(const["seeds"]) == [3, 3]
    assert const["estimator"].str.startswith("const@").all()
    assert (m[m["estimator_name"] == "gaussian"]["estimator"] == "gaussian").all()


def _store_as_an_earlier_scheme(monkeypatch: pytest.MonkeyPatch, digest) -> None:  # type: ignore[no-untyped-def]
    import mibench.plan.cells as cells

    monkeypatch.setattr(cells, "fingerprint", digest)


def test_rows_of_todays_code_under_the_earlier_fingerprint_scheme_are_relabelled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mibench.plan import fingerprint as fp

    # a store written by the previous version, which hashed the plugins' files byte for byte
    _store_as_an_earlier_scheme(monkeypatch, lambda cls: fp._digests(cls, lambda raw: raw)[0])
    first = run_spec(_spec(seeds=3, n=[200, 300]), tmp_path)
    monkeypatch.undo()
    assert first.ran == 6
    today = {fp.fingerprint(type(mibench.get_estimator("gaussian")))}
    assert set(first.table["estimator_version"]).isdisjoint(today)

    again = run_spec(_spec(seeds=3, n=[200, 300]), tmp_path)
    assert (again.ran, again.skipped, again.relabelled, again.stale) == (0, 6, 6, 0)
    table = load_results(tmp_path)
    assert len(table) == 6  # relabelled in place, not copied
    assert set(table["estimator_version"]) == today
    assert table["relabelled_from"].notna().all()
    by_key = dict(zip(first.table["config_key"], first.table["estimate"], strict=True))
    assert all(by_key[k] == e for k, e in zip(table["config_key"], table["estimate"],
                                               strict=True))
    assert run_spec(_spec(seeds=3, n=[200, 300]), tmp_path).relabelled == 0


def test_rows_of_other_code_under_the_earlier_scheme_are_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the earlier digest of different files: not today's code, so never relabelled
    _store_as_an_earlier_scheme(monkeypatch, lambda cls: "0123456789ab")
    first = run_spec(_spec(seeds=2), tmp_path)
    monkeypatch.undo()
    again = run_spec(_spec(seeds=2), tmp_path)
    assert (again.ran, again.relabelled, again.stale) == (2, 0, 2)
    assert len(load_results(tmp_path)) == 4
    assert set(first.table["key"]).isdisjoint(again.table["key"])


@register_estimator("test-nonfinite-diagnostics")
class NonFiniteDiagnostics(Estimator):
    """A good estimate whose diagnostics and training curve hold NaN and ±inf."""

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> mibench.EstimateResult:
        curve = mibench.TrainingCurve([100, 200, 300], [0.2, float("nan"), 0.4],
                                      [0.3, float("inf"), 0.5])
        return mibench.EstimateResult(0.4, info={"grad_norm": float("-inf"),
                                                 "losses": [1.0, float("nan")]},
                                      steps=300, budget="steps", curve=curve)


def test_info_is_strict_json_whatever_the_diagnostics_hold(tmp_path: Path) -> None:
    # ``info`` is documented as JSON; Python's json wrote NaN and -Infinity into it,
    # which JavaScript's JSON.parse, SQLite's json functions and jq all reject
    t = run_spec(_spec(estimators=["test-nonfinite-diagnostics"], seeds=1), tmp_path).table
    (text,) = t["info"]

    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    info = json.loads(text, parse_constant=refuse)
    assert info["grad_norm"] is None and info["losses"] == [1.0, None]
    fields = mibench.store.schema.ResultFields.of(text)
    assert fields.steps == 300 and fields.curve is not None
    assert fields.curve.heldout == [0.2, None, 0.4] and fields.curve.train == [0.3, None, 0.5]
    (valid,) = sqlite3.connect(tmp_path / DB_NAME).execute(
        "SELECT MIN(json_valid(json_extract(row, '$.info'))) FROM cells").fetchone()
    assert valid == 1
