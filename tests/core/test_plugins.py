"""Third-party plugins through entry points, unavailable plugins, plain installs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_entry_point_plugin_listed_and_runs(plugin_env: dict[str, str], tmp_path: Path) -> None:
    p = run_cli(["list"], env=plugin_env)
    assert p.returncode == 0, p.stderr
    assert "demo-corr" in p.stdout and "demo: -1/2 log(1 - r^2)" in p.stdout
    assert "demo-independent" in p.stdout
    # a broken entry point is shown as unavailable, and does not break the others
    assert "broken-demo" in p.stdout and "UNAVAILABLE" in p.stdout
    # a second name for a class that has its own is refused, not silently aliased
    alias = next(ln for ln in p.stdout.splitlines() if ln.strip().startswith("gauss-alias"))
    assert "UNAVAILABLE" in alias and "registered as 'gaussian'" in alias
    r = run_cli(["run", "--estimators", "demo-corr,gaussian", "--tasks",
                 "gaussian[rho=0.5],demo-independent", "--n", "500", "--seeds", "2",
                 "--out", str(tmp_path), "-q"], env=plugin_env)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "results.parquet")
    assert len(df) == 8 and (df["status"] == "ok").all()
    assert set(df["estimator"]) == {"demo-corr", "gaussian"}


def test_entry_point_plugin_passes_contract(plugin_env: dict[str, str]) -> None:
    code = ("from mibench.testing import check_estimator, check_task;"
            "check_estimator('demo-corr'); check_task('demo-independent'); print('ok')")
    p = subprocess.run([sys.executable, "-c", code], env=plugin_env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0 and "ok" in p.stdout, p.stderr


def test_unavailable_plugin_error(plugin_env: dict[str, str], tmp_path: Path) -> None:
    r = run_cli(["run", "--estimators", "broken-demo", "--tasks", "gaussian", "--n", "100",
                 "--out", str(tmp_path)], env=plugin_env)
    assert r.returncode == 2 and "estimator 'broken-demo' is unavailable" in r.stderr


def _blocked_torch_env(tmp_path: Path) -> dict[str, str]:
    block = tmp_path / "block"
    (block / "torch").mkdir(parents=True)
    (block / "torch" / "__init__.py").write_text(
        "raise ImportError('No module named torch (blocked for this test)')\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(block) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_list_without_torch(tmp_path: Path) -> None:
    env = _blocked_torch_env(tmp_path)
    check = subprocess.run([sys.executable, "-c", "import torch"], env=env,
                           capture_output=True, text=True)
    assert check.returncode != 0
    # torch hidden from the import system altogether (so it cannot even be found)
    hide = ("import sys\n"
            "class Hide:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'torch' or name.startswith('torch.'):\n"
            "            raise ModuleNotFoundError(f'No module named {name!r} (hidden)')\n"
            "sys.meta_path.insert(0, Hide())\n"
            "from mibench.cli import main\n"
            "sys.exit(main(['list']))\n")
    p = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert "gaussian" in p.stdout
    # the torch plugins a fresh process registers (this process's registry may hold
    # plugins that other tests registered in it, which `mibench list` never sees)
    names = ("from mibench.core import registry\n"
             "for e in registry.estimators.entries():\n"
             "    if 'torch' in getattr(e.obj, 'requires', ()):\n"
             "        print(e.name)\n")
    fresh = subprocess.run([sys.executable, "-c", names], capture_output=True, text=True,
                           timeout=120)
    assert fresh.returncode == 0, fresh.stderr
    torch_plugins = fresh.stdout.split()
    assert "mine" in torch_plugins
    for name in torch_plugins:
        line = next(ln for ln in p.stdout.splitlines() if ln.strip().startswith(name + " "))
        assert "UNAVAILABLE" in line and "torch" in line
    r = run_cli(["run", "--estimators", "gaussian", "--tasks", "gaussian", "--n", "100",
                 "--seeds", "1", "--out", str(tmp_path / "o"), "-q"], env=env)
    assert r.returncode == 0, r.stderr


def test_plain_install_carries_builtin_plugins(tmp_path: Path) -> None:
    """A wheel (non-editable install) contains and registers estimators/ and tasks/."""
    wheel_dir = tmp_path / "wheel"
    # from a copy of the sources: a build/ folder left by an earlier build keeps the
    # modules it had, and setuptools would pack those too
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "results", ".tox", ".asv", "__pycache__"))
    b = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                        "-w", str(wheel_dir), str(src)], capture_output=True, text=True,
                       timeout=300)
    assert b.returncode == 0, b.stderr[-2000:]
    (wheel,) = wheel_dir.glob("mibench-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "mibench_estimators/gaussian.py" in names and "mibench_tasks/gaussian.py" in names
    target = tmp_path / "site"
    i = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target",
                        str(target), str(wheel)], capture_output=True, text=True, timeout=300)
    assert i.returncode == 0, i.stderr[-2000:]
    env = dict(os.environ, PYTHONPATH=str(target))
    code = ("import mibench, mibench_estimators; print(mibench.__file__);"
            "print(mibench_estimators.__file__); print(mibench.list_estimators())")
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith(str(target)) and lines[1].startswith(str(target))
    assert "gaussian" in lines[2]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_entry_point_subclass_of_a_builtin_runs_as_itself(plugin_env: dict[str, str],
                                                          tmp_path: Path, jobs: str) -> None:
    code = ("import mibench; e = mibench.get_estimator('const-gauss');"
            "print(e.name, e.estimate([[0.0], [1.0], [2.0], [4.0]], [[1.0], [0.0], [3.0], [2.0]]),"
            " mibench.get_estimator('gaussian').name)")
    p = subprocess.run([sys.executable, "-c", code], env=plugin_env, capture_output=True,
                       text=True, timeout=120)
    assert p.stdout.split() == ["const-gauss", "42.0", "gaussian"], p.stderr
    r = run_cli(["run", "--estimators", "const-gauss,gaussian", "--tasks", "gaussian[rho=0.5]",
                 "--n", "300", "--seeds", "2", "--jobs", jobs, "--out", str(tmp_path), "-q"],
                env=plugin_env)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "results.parquet")
    mine = df[df["estimator"] == "const-gauss"]
    assert len(mine) == 2 and (mine["estimator_name"] == "const-gauss").all()
    assert (mine["estimate"] == 42.0).all()
    assert (df[df["estimator"] == "gaussian"]["estimate"] < 1).all()
