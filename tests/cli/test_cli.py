"""The command line: runs, resume, config files, and every bad usage."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import run_cli

RUN = ["run", "--estimators", "gaussian", "--tasks", "gaussian[dim=2,rho=0.9]", "--n", "1000",
       "--seeds", "5"]


def test_run_reports_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "r"
    p = run_cli([*RUN, "--out", str(out)])
    assert p.returncode == 0, p.stderr
    assert "5 cells: 5 run now, 0 already stored, 0 failed" in p.stdout
    line = next(ln for ln in p.stdout.splitlines() if ln.startswith("  gaussian "))
    mean = float(line.split()[1])
    assert abs(mean - 1.6607) < 0.05
    p2 = run_cli([*RUN, "--out", str(out)])
    assert "0 run now, 5 already stored" in p2.stdout
    assert len(pd.read_parquet(out / "results.parquet")) == 5


def test_config_file_gives_same_run(tmp_path: Path) -> None:
    cfg = tmp_path / "run.toml"
    cfg.write_text('estimators = ["gaussian"]\ntasks = ["gaussian[dim=2,rho=0.9]"]\n'
                   f'n = [1000]\nseeds = 5\nout = "{tmp_path / "c"}"\n')
    assert run_cli(["run", "--config", str(cfg), "-q"]).returncode == 0
    assert run_cli([*RUN, "--out", str(tmp_path / "f"), "-q"]).returncode == 0
    a = pd.read_parquet(tmp_path / "c" / "results.parquet").sort_values("key")
    b = pd.read_parquet(tmp_path / "f" / "results.parquet").sort_values("key")
    assert list(a["key"]) == list(b["key"]) and list(a["estimate"]) == list(b["estimate"])


def test_suite_run(tmp_path: Path) -> None:
    p = run_cli(["run", "--suite", "smoke", "--out", str(tmp_path), "-q"])
    assert p.returncode == 0, p.stderr
    assert "0 failed" in p.stdout


def test_run_without_tasks_runs_the_default_suite(tmp_path: Path) -> None:
    # `mibench run --estimators mine,ksg` works as written; the cheap Gaussian
    # estimator stands in for them here (the same code path).
    p = run_cli(["run", "--estimators", "gaussian", "--out", str(tmp_path)])
    assert p.returncode == 0, p.stderr
    assert "running the 'default' suite" in p.stdout
    assert "12 cells: 12 run now" in p.stdout  # 4 tasks x 3 seeds
    assert "gaussian[dim=20]" in p.stdout and "true MI 2.877" in p.stdout
    assert max(len(line) for line in p.stdout.splitlines() if str(tmp_path) not in line) <= 100


def _file_in_the_way(tmp_path: Path) -> str:
    f = tmp_path / "afile"
    f.write_text("x")
    return str(f / "sub")


BAD = [
    (["run", "--estimators", "gausian", "--tasks", "gaussian", "--n", "10"],
     "unknown estimator 'gausian'. Did you mean 'gaussian'"),
    (["run", "--estimators", "gaussian", "--tasks", "gaussain", "--n", "10"],
     "unknown task 'gaussain'"),
    (["run", "--estimators", "gaussian[bias=1]", "--tasks", "gaussian", "--n", "10"],
     "has no parameter 'bias'. Did you mean 'bias_correction'"),
    (["run", "--estimators", "gaussian[bias_correction=true", "--tasks", "gaussian", "--n", "10"],
     "unbalanced brackets"),
    (["run", "--estimators", "gaussian", "--tasks", "gaussian[rho]", "--n", "10"],
     "must be key=value"),
    (["run", "--estimators", "gaussian", "--tasks", "gaussian", "--n", "0"], "positive"),
    (["run", "--estimators", "gaussian", "--tasks", "gaussian", "--n", "-5"], "positive"),
    (["run", "--estimators", "gaussian", "--tasks", "gaussian", "--n", "abc"],
     "argument --n: expects comma-separated integers"),
    (["run", "--estimators", "gaussian", "--tasks", "gaussian", "--n", "10", "--seeds", "0"],
     "--seeds must be a positive integer; got 0"),
    (["run", "--estimators", "gaussian", "--tasks", "gaussian", "--n", "10", "--jobs", "x"],
     "argument --jobs/-j: invalid int value: 'x'"),
    (["run", "--estimators", "gaussian", "--tasks", "gaussian[rho=2]", "--n", "10"],
     "|rho| < 1"),
    (["run", "--tasks", "gaussian", "--n", "10"], "give --estimators"),
    (["run", "--estimators", "gaussian", "--n", "10"], "--n goes with --tasks"),
    (["run", "--suite", "smok"], "unknown suite 'smok'. Did you mean 'smoke'"),
    (["run", "--estimators", "gaussian", "--tasks", "gaussian", "--n", "10",
      "--executor", "threads"], "argument --executor: invalid choice: 'threads'"),
    (["run", "--config", "/nonexistent/run.toml"], "does not exist"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[b[1][:30] for b in BAD])
def test_bad_usage_one_line_no_traceback(args: list[str], message: str, tmp_path: Path) -> None:
    p = run_cli([*args, "--out", str(tmp_path / "o")] if "--out" not in args else args)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert message in p.stderr, p.stderr
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_unwritable_out(tmp_path: Path) -> None:
    p = run_cli([*RUN, "--out", _file_in_the_way(tmp_path)])
    assert p.returncode == 2 and "cannot write to output folder" in p.stderr
    assert "Traceback" not in p.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_readonly_out(tmp_path: Path) -> None:  # pragma: no cover - not run as root
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    p = run_cli([*RUN, "--out", str(d / "x")])
    assert p.returncode == 2 and "cannot write" in p.stderr


def test_bad_config_key(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text('estimator = ["gaussian"]\n')
    p = run_cli(["run", "--config", str(cfg)])
    assert p.returncode == 2 and "unknown key 'estimator'" in p.stderr


def test_help_everywhere() -> None:
    for args in (["--help"], ["run", "--help"], ["list", "--help"]):
        p = run_cli(args)
        assert p.returncode == 0 and "usage: mibench" in p.stdout


def test_list_shows_parameters() -> None:
    p = run_cli(["list"])
    assert p.returncode == 0
    assert "gaussian" in p.stdout and "bias_correction=false" in p.stdout
    assert "smoke" in p.stdout and "cells per estimator" in p.stdout
