"""A run killed with SIGKILL keeps what it stored and resumes to the same table."""

from __future__ import annotations

import os
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


def _alive_in_group(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def _cell_processes(marker: str, coordinator: int) -> list[str]:
    """Live processes other than the coordinator whose command line has ``marker``:
    forked cell processes carry the coordinator's (with its unique --out), fresh
    ones run ``mibench.run.cellproc`` with the coordinator's pid."""
    ps = subprocess.run(["ps", "-ww", "-eo", "pid,stat,args"], capture_output=True,
                        text=True).stdout
    out = []
    for ln in ps.splitlines()[1:]:
        pid, stat, args = ln.split(None, 2)
        if int(pid) == coordinator or stat.startswith("Z"):
            continue
        if marker in args or ("mibench.run.cellproc" in args and str(coordinator) in args):
            out.append(ln)
    return out


def _wait_stored(proc: subprocess.Popen[bytes], db: Path, at_least: int) -> None:
    deadline = time.time() + 90
    while _stored(db) < at_least and time.time() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    assert _stored(db) >= at_least


# fast cells finish while the 8 s cells run; an interrupt must not wait for those
INT_ARGS = ["run", "--estimators", "demo-corr,slow-gaussian[delay=4]", "--tasks",
            "gaussian[rho=0.5]", "--n", "100,200", "--seeds", "2", "--jobs", "2",
            "--timeout", "60", "-q"]


def test_sigint_stops_kills_cells_keeps_rows_and_resumes(plugin_env: dict[str, str],
                                                         tmp_path: Path) -> None:
    out = tmp_path / "int"
    proc = subprocess.Popen([sys.executable, "-m", "mibench", *INT_ARGS, "--out", str(out)],
                            env=plugin_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    _wait_stored(proc, out / DB_NAME, 2)
    assert _cell_processes(str(out), proc.pid)  # the 4 s cells are running
    t0 = time.time()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=10)
    assert time.time() - t0 < 5 and proc.returncode == 130
    time.sleep(0.3)
    assert not _alive_in_group(proc.pid)  # nothing of the coordinator's group is left
    assert not _cell_processes(str(out), proc.pid)  # nor any cell process it started
    kept = load_results(out)
    assert 2 <= len(kept) < 8 and (kept["status"] == "ok").all()

    resumed = subprocess.run([sys.executable, "-m", "mibench", *INT_ARGS, "--out", str(out)],
                             env=plugin_env, capture_output=True, text=True, timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    clean = tmp_path / "clean"
    full = subprocess.run([sys.executable, "-m", "mibench", *INT_ARGS, "--out", str(clean)],
                          env=plugin_env, capture_output=True, text=True, timeout=180)
    assert full.returncode == 0, full.stderr
    cols = ["key", "n", "seed", "estimate", "status"]
    a = pd.read_parquet(out / "results.parquet")[cols].sort_values("key")
    b = pd.read_parquet(clean / "results.parquet")[cols].sort_values("key")
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_cell_processes_die_with_a_killed_coordinator(plugin_env: dict[str, str],
                                                      tmp_path: Path) -> None:
    out = tmp_path / "k"
    proc = subprocess.Popen([sys.executable, "-m", "mibench", *INT_ARGS, "--out", str(out)],
                            env=plugin_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait_stored(proc, out / DB_NAME, 1)
    deadline = time.time() + 10
    while not _cell_processes(str(out), proc.pid) and time.time() < deadline:
        time.sleep(0.05)
    assert _cell_processes(str(out), proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.time() + 5
    while _cell_processes(str(out), proc.pid) and time.time() < deadline:
        time.sleep(0.1)
    assert not _cell_processes(str(out), proc.pid)


def test_second_coordinator_on_one_folder_is_refused(plugin_env: dict[str, str],
                                                     tmp_path: Path) -> None:
    out = tmp_path / "lock"
    proc = subprocess.Popen([sys.executable, "-m", "mibench", *INT_ARGS, "--out", str(out)],
                            env=plugin_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_stored(proc, out / DB_NAME, 1)
        second = subprocess.run([sys.executable, "-m", "mibench", *INT_ARGS, "--out", str(out)],
                                env=plugin_env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert f"another mibench run (pid {proc.pid}) is writing to" in second.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
