"""The engine knows plugins only through contracts, documented hooks and info keys."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

import mibench
from mibench.analysis.scaling import scaling_rows, step_scaling_rows
from mibench.report import parameter_sweeps
from mibench.run.provenance import git_revision

ENGINE = Path(mibench.__file__).resolve().parent
PLUGIN_NAMES = ("mine", "mine-f", "ksg", "kde", "binning", "infonce", "nwj", "smile",
                "transformed", "nonlinear", "student-t", "gaussian")


def test_engine_source_names_no_plugin() -> None:
    # Strings and imports only; docstrings and comments may give examples.
    pattern = re.compile(r"mibench_(estimators|tasks)\.|[=(,\[]\s*\"(" +
                         "|".join(re.escape(n) for n in PLUGIN_NAMES) + r")\"")
    hits = []
    for f in ENGINE.rglob("*.py"):
        in_doc = False
        for i, line in enumerate(f.read_text().splitlines(), 1):
            if line.count('"""') == 1:
                in_doc = not in_doc
                continue
            code = line.split("#", 1)[0]
            if not in_doc and pattern.search(code) and "e.g." not in code:
                hits.append(f"{f.relative_to(ENGINE)}:{i}: {line.strip()}")
    assert not hits, hits


def test_parameter_sweeps_find_any_swept_parameter() -> None:
    rows = []
    for dim in (2, 20):
        for rho in (0.1, 0.3, 0.5, 0.7, 0.9):
            rows.append({"task_name": "anytask", "estimator": "e", "mean_u": rho,
                         "std_u": 0.0, "truth_u": rho,
                         "task_params": json.dumps({"dim": dim, "rho": rho, "flag": True})})
    rows.append({"task_name": "other", "estimator": "e", "mean_u": 1.0, "std_u": 0.0,
                 "truth_u": 1.0, "task_params": json.dumps({"a": 1})})
    sweeps = parameter_sweeps(pd.DataFrame(rows))
    assert list(sweeps) == [("anytask", "rho")]
    assert sorted(set(sweeps[("anytask", "rho")]["panel"])) == ["dim=2, flag=True",
                                                                 "dim=20, flag=True"]


def test_step_timing_hook_and_its_fits() -> None:
    assert mibench.get_estimator("ksg").step_timing() is None  # no steps: no hook
    rows = [{"batch_size": b, "dim": 40, "time_per_step_s": 1e-5 * b} for b in (64, 128, 256)]
    rows += [{"batch_size": 256, "dim": d, "time_per_step_s": 2.56e-3} for d in (2, 10, 100)]
    fit = step_scaling_rows("some-estimator", rows).set_index("axis")
    assert abs(fit.loc["time per step vs batch size", "exponent"] - 1.0) < 1e-9
    assert abs(fit.loc["time per step vs dim", "exponent"]) < 1e-9
    assert (fit["estimator"] == "some-estimator").all()


def test_step_axes_come_from_info_not_names() -> None:
    base = {"estimator": "x", "estimator_name": "x", "task": "t", "task_name": "t",
            "status": "ok", "n": 100, "true_mi": 1.0, "dim_y": 1}
    rows = [{**base, "dim_x": d, "wall_time_s": 0.01 * d,
             "info": json.dumps({"steps": 100, "budget": "steps",
                                 "curve_step": [100], "curve_heldout": [1.0]})}
            for d in (1, 2, 4, 8)]
    axes = set(scaling_rows(pd.DataFrame(rows))["axis"])
    assert "time per step vs dim" in axes


def test_provenance_recorded_where_the_cell_runs(tmp_path: Path) -> None:
    df = mibench.run(estimators="gaussian", tasks="gaussian", n=100, seeds=2, jobs=2,
                     out=tmp_path)
    assert (df["estimator_dist"].str.startswith("mibench==")).all()
    assert (df["numpy_version"] != "").all() and (df["host"] != "").all()


def test_git_revision_only_for_a_tracked_source(tmp_path: Path) -> None:
    # a copy of the package inside an unrelated repository has no revision
    repo = tmp_path / "other"
    repo.mkdir()
    shutil.copytree(ENGINE, repo / "mibench", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            "from mibench.run.provenance import git_revision; print(repr(git_revision()))")
    p = subprocess.run([sys.executable, "-c", code, str(repo)], capture_output=True, text=True,
                       cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.strip() == "''", p.stderr
    assert isinstance(git_revision(), str)


def test_git_revision_never_writes_the_index(tmp_path: Path) -> None:
    # a plain `git status` refreshes the index and so takes .git/index.lock; killed by
    # its timeout on a loaded machine, it left that lock behind and every later git
    # command in the user's repository failed until the file was removed by hand
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(ENGINE, repo / "mibench", ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    index = repo / ".git" / "index"
    stamp = index.stat().st_mtime_ns
    os.utime(repo / "mibench" / "__init__.py", ns=(stamp + 2 * 10**9, stamp + 2 * 10**9))
    before = index.read_bytes()
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            "from mibench.run.provenance import git_revision; print(git_revision())")
    p = subprocess.run([sys.executable, "-c", code, str(repo)], capture_output=True, text=True,
                       cwd=tmp_path)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.strip() == head.stdout.strip(), p.stderr
    assert index.read_bytes() == before  # the stale stat data left as it was: no lock taken
