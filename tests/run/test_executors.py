"""Executors: identical tables, per-cell timeouts, Dask clusters and dead workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from mibench import module_error
from mibench.plan import RunSpec
from mibench.run import run_spec
from tests.helpers import run_cli

pytest.importorskip("distributed")

_TINY = "steps=60,hidden=(16,),eval_every=30"
# every kind of estimator: closed form, k-NN family, histograms, critics, density
# models, and the flow estimator where its optional package is installed
GRID = RunSpec(estimators=["gaussian", "ksg", "kde", "binning", "gcmi", "kl", "ksg-lnc",
                           "ksg-mixed", f"mine[{_TINY}]", f"club[{_TINY}]", f"doe[{_TINY}]",
                           *([f"doe[{_TINY},critic=flow,transforms=1]",
                              "flow[steps=60,transforms=1,hidden=(8,)]"]
                             if module_error("zuko") is None else [])],
               tasks=["gaussian[dim=1|2,rho=0.6]"], n=[400], seeds=2)
COLS = ["key", "estimator", "task", "n", "seed", "estimate", "status"]


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df[COLS].sort_values("key").reset_index(drop=True)


@pytest.fixture(scope="module")
def serial_table(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return _sorted(run_spec(replace(GRID, threads=1), tmp_path_factory.mktemp("serial")).table)


def test_process_and_dask_tables_equal_serial(serial_table: pd.DataFrame, tmp_path: Path) -> None:
    proc = run_spec(replace(GRID, executor="process", jobs=2, threads=1), tmp_path / "p").table
    pd.testing.assert_frame_equal(_sorted(proc), serial_table)
    dask = run_spec(replace(GRID, executor="dask", jobs=2, threads=1), tmp_path / "d").table
    pd.testing.assert_frame_equal(_sorted(dask), serial_table)  # bit for bit, MINE included
    assert set(dask["executor"]) == {"dask"} and len(dask) == len(serial_table)


def test_dask_worker_killed_midway(plugin_dir: Path, tmp_path: Path) -> None:
    """Kill a worker process during a run: every cell is stored exactly once."""
    import dask
    from distributed import Client, LocalCluster

    from mibench.core import registry

    sys.path.insert(0, str(plugin_dir))  # the slow test estimator, for this process
    registry.estimators.refresh()
    env_pp = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = str(plugin_dir) + os.pathsep + env_pp  # and for the workers
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
        pids = list(client.run(os.getpid).values())
        spec = RunSpec(estimators=["slow-gaussian[delay=0.3]"],
                       tasks=["gaussian[rho=0.5]", "gaussian[rho=0.7]"], n=[100, 200], seeds=3)
        killed: list[int] = []

        def on_row(row: dict) -> None:  # type: ignore[type-arg]
            if not killed and row["status"] == "ok":
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        out = run_spec(replace(spec, executor="dask", scheduler=cluster.scheduler_address),
                       tmp_path, on_row=on_row)
        client.close()
        cluster.close()
    finally:
        os.environ["PYTHONPATH"] = env_pp
        sys.path.remove(str(plugin_dir))
    assert killed
    t = out.table
    assert len(t) == 12 and t["key"].is_unique and out.total == 12
    assert (t["status"] == "ok").all(), t[["status", "error"]]


@pytest.mark.parametrize("executor", ["serial", "process", "dask"])
def test_timeout_recorded_and_process_killed(executor: str, plugin_env: dict[str, str],
                                             tmp_path: Path) -> None:
    marker = "delay=30.0"
    args = ["run", "--estimators", f"slow-gaussian[{marker}],demo-corr", "--tasks",
            "gaussian[rho=0.5]", "--n", "200", "--seeds", "2", "--timeout", "3",
            "--executor", executor, "--jobs", "2", "--out", str(tmp_path), "-q"]
    t0 = time.time()
    p = run_cli(args, env=plugin_env, timeout=180)
    assert p.returncode == 0, p.stderr
    assert time.time() - t0 < 90  # the 30 s cells did not run to the end
    df = pd.read_parquet(tmp_path / "results.parquet")
    slow = df[df["estimator"].str.startswith("slow")]
    assert list(slow["status"]) == ["timeout", "timeout"]
    assert all("exceeded the 3 s timeout" in e for e in slow["error"])
    assert (df[df["estimator"] == "demo-corr"]["status"] == "ok").all()
    time.sleep(0.5)
    ps = subprocess.run(["ps", "-ww", "-eo", "stat,args"], capture_output=True,
                        text=True).stdout
    left = [ln for ln in ps.splitlines() if not ln.startswith("Z") and (
        "mibench.run.cellproc" in ln or str(tmp_path) in ln)]
    assert not left  # no cell process (forked or fresh) left behind


@pytest.mark.parametrize("executor", ["process", "dask"])
def test_a_cell_that_kills_its_process_fails_alone(executor: str, plugin_env: dict[str, str],
                                                   tmp_path: Path) -> None:
    # 4 n x 3 seeds; the three n = 100 cells kill their worker process. Every
    # other cell, including those in flight when the pool broke, must be ok.
    args = ["run", "--estimators", "slow-gaussian[delay=0.2,crash_on=100]", "--tasks",
            "gaussian[rho=0.5]", "--n", "100,200,300,400", "--seeds", "3",
            "--executor", executor, "--jobs", "2", "--out", str(tmp_path), "-q"]
    p = run_cli(args, env=plugin_env, timeout=240)
    assert p.returncode == 0, p.stderr
    df = pd.read_parquet(tmp_path / "results.parquet")
    assert len(df) == 12 and df["key"].is_unique
    guilty = df["n"] == 100
    assert (df.loc[guilty, "status"] == "failed").all(), df[["n", "status", "error"]]
    assert (df.loc[~guilty, "status"] == "ok").all(), df[["n", "status", "error"]]
    # a rerun has nothing left to do (failed is final, nothing was lost)
    p = run_cli(args, env=plugin_env, timeout=240)
    assert "0 run now, 12 already stored" in p.stdout
