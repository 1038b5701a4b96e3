"""A run killed with SIGKILL keeps what it stored and resumes to the same table."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from mibench.store import DB_NAME, load_results

ARGS = ["run", "--estimators", "slow-gaussian[delay=0.1]", "--tasks",
        "gaussian[rho=0.5],gaussian[dim=2,rho=0.8]", "--n", "100,200", "--seeds", "5", "-q"]
TOTAL = 2 * 2 * 5


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(db, timeout=5)
        try:
            return int(con.execute("SELECT COUNT(*) FROM cells").fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def test_sigkill_midway_then_resume(plugin_env: dict[str, str], tmp_path: Path) -> None:
    killed = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "mibench", *ARGS, "--out", str(killed)],
                            env=plugin_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while _stored(killed / DB_NAME) < 6 and time.time() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    partial = load_results(killed)  # readable after the kill
    assert 6 <= len(partial) < TOTAL
    assert (partial["status"] == "ok").all() and partial["key"].is_unique

    resumed = subprocess.run([sys.executable, "-m", "mibench", *ARGS, "--out", str(killed)],
                             env=plugin_env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{TOTAL - len(partial)} run now, {len(partial)} already stored" in resumed.stdout

    clean = tmp_path / "clean"
    full = subprocess.run([sys.executable, "-m", "mibench", *ARGS, "--out", str(clean)],
                          env=plugin_env, capture_output=True, text=True, timeout=120)
    assert full.returncode == 0, full.stderr
    cols = ["key", "estimator", "task", "n", "seed", "data_seed", "true_mi", "estimate",
            "status"]
    a = pd.read_parquet(killed / "results.parquet")[cols].sort_values("key")
    b = pd.read_parquet(clean / "results.parquet")[cols].sort_values("key")
    assert len(a) == TOTAL
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
