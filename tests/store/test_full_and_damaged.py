"""A full disk ends a run with one line and loses nothing; a damaged store is refused and
rebuilt by ``mibench repair`` from every readable row and the last export."""

from __future__ import annotations

import errno
import json
import math
import os
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mibench
from mibench.cli import main
from mibench.core.errors import StoreFullError
from mibench.store import DB_NAME, PARQUET_NAME, ResultStore, RunLock
from mibench.store.repair import salvage

ARGS = ["run", "--estimators", "gaussian,ksg", "--tasks", "gaussian[dim=1|2,rho=0.1|0.5|0.9]",
        "--n", "200", "--seeds", "3", "-q"]  # 36 cells


def _fill_up_after(monkeypatch: pytest.MonkeyPatch, rows: int) -> None:
    """The disk fills after ``rows`` rows: SQLite and the Parquet export both fail."""
    put = ResultStore.put
    count = {"n": 0}

    def full_put(self: ResultStore, row: dict) -> None:  # type: ignore[type-arg]
        if count["n"] >= rows:
            raise StoreFullError(f"the disk holding {self.where} is full (database or disk "
                                 "is full)")
        count["n"] += 1
        put(self, row)

    def full_parquet(self: pd.DataFrame, path: object, *a: object, **k: object) -> None:
        Path(str(path)).write_bytes(b"PAR1")  # a partial file, as a full disk leaves it
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ResultStore, "put", full_put)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", full_parquet)


def test_a_full_disk_ends_the_run_with_one_line_and_keeps_the_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:  # type: ignore[type-arg]
    out = tmp_path / "r"
    with monkeypatch.context() as m:
        _fill_up_after(m, 10)
        code = main([*ARGS, "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "is full: 10 of the run's 36 cells are stored" in err and "run the same command" in err
    assert not list(out.glob("*.tmp"))  # no half-written export left behind
    with RunLock(out):  # the lock was released
        pass
    assert len(mibench.load_results(out / DB_NAME)) == 10
    # with space again, the same command runs only the missing cells
    assert main([*ARGS, "--out", str(out)]) == 0
    assert "36 cells: 26 run now, 10 already stored" in capsys.readouterr().out


def test_a_real_small_filesystem(tmp_path: Path) -> None:
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        from tests.helpers import run_cli

        p = run_cli([*ARGS[:4], "gaussian[dim=1|2|3|4,rho=0.1|0.3|0.5|0.7|0.9]", "--n", "200",
                     "--seeds", "5", "-q", "--out", str(mnt / "r")])
        assert p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1, p.stderr
        assert "is full" in p.stderr and "Traceback" not in p.stderr
        assert not list((mnt / "r").glob("*.tmp"))
        kept = len(mibench.load_results(mnt / "r" / DB_NAME))
        assert 0 < kept < 200
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def test_a_damaged_store_is_refused_and_repaired(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:  # type: ignore[type-arg]
    out = tmp_path / "r"
    assert main([*ARGS, "--out", str(out)]) == 0
    before = pd.read_parquet(out / PARQUET_NAME).set_index("key").sort_index()
    db = out / DB_NAME
    os.truncate(db, db.stat().st_size // 2)
    capsys.readouterr()
    assert main([*ARGS, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "is damaged" in err and f"mibench repair {out}" in err
    assert main(["repair", str(out)]) == 0
    said = capsys.readouterr().out
    assert "36 in all" in said and "the damaged files are in" in said
    after = mibench.load_results(out).set_index("key").sort_index()
    assert list(after.index) == list(before.index)  # every row of the export, none twice
    for col in ("estimate", "estimator_version", "task_version", "status"):
        assert after[col].tolist() == before[col].tolist(), col
    assert main([*ARGS, "--out", str(out)]) == 0
    assert "0 run now, 36 already stored" in capsys.readouterr().out


def test_salvage_reads_rows_that_overflow_their_page(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    rows = [{"key": f"k{i}", "status": "ok", "finished_at": f"2026-01-01T00:00:{i:02d}",
             "info": json.dumps({"curve": list(range(i * 400))})} for i in range(30)]
    for r in rows:
        store.put(r)
    store.close()  # checkpointed: the rows are in the database file, some over 4 pages long
    got = {r["key"]: r for r in salvage(tmp_path / DB_NAME)}
    assert got == {r["key"]: r for r in rows}


def test_a_non_finite_value_is_stored_as_json_sqlite_can_read(tmp_path: Path) -> None:
    # a failed cell keeps the estimate that failed it (-inf here); Python's json writes
    # that as -Infinity, which is not JSON, and SQLite's json_extract then refused the
    # whole store ("malformed JSON") at the next run's version check
    store = ResultStore(tmp_path)
    store.put({"key": "a", "status": "failed", "estimate": -math.inf,
               "error": "estimate is not finite (-inf)",
               "info": {"curve": [0.1, math.inf, math.nan]}, "peak": np.float32("inf")})
    store.put({"key": "b", "status": "ok", "estimate": 0.25})
    assert set(store.versions()) == {"a", "b"}
    row = {r["key"]: r for r in store.rows()}["a"]
    assert row["estimate"] is None and row["info"] == {"curve": [0.1, None, None]}
    assert row["peak"] is None
    (valid,) = store._con.execute("SELECT MIN(json_valid(row)) FROM cells").fetchone()
    assert valid == 1
    store.close()


def test_a_store_holding_rows_written_with_infinity_still_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:  # type: ignore[type-arg]
    # stores written before rows were strict JSON hold -Infinity in failed cells: they
    # are sound, not damaged, and a rerun must read them
    out = tmp_path / "r"
    assert main([*ARGS, "--out", str(out)]) == 0
    con = sqlite3.connect(out / DB_NAME)
    key, text = con.execute("SELECT key, row FROM cells LIMIT 1").fetchone()
    row = json.loads(text)
    row.update(status="failed", estimate=-math.inf, error="estimate is not finite (-inf)")
    con.execute("UPDATE cells SET status = 'failed', row = ? WHERE key = ?",
                (json.dumps(row), key))
    con.commit()
    con.close()
    capsys.readouterr()
    assert main([*ARGS, "--out", str(out)]) == 0, capsys.readouterr().err
    said = capsys.readouterr()
    assert "damaged" not in said.err
    assert "0 run now, 36 already stored" in said.out
    assert main([*ARGS, "--retry-failed", "--out", str(out)]) == 0  # the failed one reruns
    assert "1 run now, 35 already stored" in capsys.readouterr().out
    df = mibench.load_results(out)
    assert len(df) == 36 and (df["status"] == "ok").all()
