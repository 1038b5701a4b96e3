"""The front door: every small hole of the command line and the Python API, closed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mibench
from mibench import Task
from mibench.core.selectors import parse_selectors
from tests.helpers import run_cli

RUN = ["run", "--estimators", "gaussian", "--tasks", "gaussian", "--n", "100"]


@pytest.mark.parametrize(("extra", "message"), [
    (["--root-seed", "-1"], "--root-seed must be an integer >= 0; got -1"),
    (["--root-seed", "x"], "argument --root-seed: invalid int value: 'x'"),
    (["--timeout", "inf"], "--timeout must be a positive, finite number"),
    (["--timeout", "nan"], "--timeout must be a positive, finite number"),
])
def test_bad_numbers_are_one_line_errors(extra: list[str], message: str, tmp_path: Path) -> None:
    p = run_cli([*RUN, *extra, "--out", str(tmp_path)])
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr


def test_config_keys_spelled_like_flags(tmp_path: Path) -> None:
    cfg = tmp_path / "run.toml"
    cfg.write_text('estimators = ["gaussian"]\ntasks = ["gaussian"]\nn = [100]\nseeds = 2\n'
                   f'retry-failed = true\nroot-seed = 3\nout = "{tmp_path / "o"}"\n')
    p = run_cli(["run", "--config", str(cfg), "-q"])
    assert p.returncode == 0, p.stderr
    df = pd.read_parquet(tmp_path / "o" / "results.parquet")
    assert len(df) == 2 and (df["root_seed"] == 3).all()


def test_suite_honours_seeds(tmp_path: Path) -> None:
    p = run_cli(["run", "--suite", "smoke", "--estimators", "gaussian", "--seeds", "1",
                 "--out", str(tmp_path), "-q"])
    assert p.returncode == 0, p.stderr
    assert "6 cells" in p.stdout  # 3 tasks x 2 n x 1 seed (the suite's own is 2)


def test_python_run_keywords_and_integer_types(tmp_path: Path) -> None:
    df = mibench.run(estimators="gaussian", tasks="gaussian[rho=0.9]", n=np.int64(300),
                     seeds=np.int64(2).item(), timeout=60, out=tmp_path)
    assert len(df) == 2 and (df["status"] == "ok").all()
    with pytest.raises(mibench.ParameterError, match="either a suite or tasks"):
        mibench.run(suite="smoke", tasks="gaussian", estimators="gaussian")
    with pytest.raises(mibench.ParameterError, match="root_seed"):
        mibench.run(estimators="gaussian", tasks="gaussian", n=100, root_seed=-1)
    with pytest.raises(mibench.ParameterError,
                       match=r"scheduler and workers apply only to the dask executor"):
        mibench.run(estimators="gaussian", tasks="gaussian", n=100, workers=2)


def test_quotes_protect_separators() -> None:
    sels = parse_selectors('demo[label="a,b|c",k=1|2],other')
    assert [s.params.get("label") for s in sels] == ["a,b|c", "a,b|c", None]
    assert [s.params.get("k") for s in sels[:2]] == [1, 2]
    with pytest.raises(mibench.SelectorError, match="unclosed quote"):
        parse_selectors('demo[label="a,b]')


class _Transposed(Task):
    """A buggy task that returns (dim, n) arrays."""

    name = "transposed-test"

    def __init__(self, dim: int = 3) -> None:
        self.dim = dim

    dim_x = property(lambda self: self.dim)
    dim_y = property(lambda self: self.dim)
    mi = property(lambda self: 0.0)

    def _sample(self, n, rng):  # type: ignore[no-untyped-def]
        return rng.random((self.dim, n)), rng.random((self.dim, n))


def test_sample_shape_is_checked_not_reshaped() -> None:
    with pytest.raises(mibench.InputError, match=r"sampled x of shape \(3, 50\); "
                                                 r"expected \(50, 3\)"):
        _Transposed().sample(50, np.random.default_rng(0))
    x, y = mibench.get_task("gaussian").sample(40, np.random.default_rng(0))
    assert x.shape == y.shape == (40, 1)  # 1-D columns are still accepted


def test_default_threads_follow_the_affinity_mask() -> None:
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this platform")
    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))});"
            "from mibench.run.executors import default_threads; print(default_threads(1))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.strip() == "1", p.stderr


def test_list_does_not_import_torch() -> None:
    code = ("import sys; from mibench.cli import main; main(['list']);"
            "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "NO-TORCH" in p.stderr, p.stderr
    assert "mine" in p.stdout and "UNAVAILABLE" not in p.stdout.split("Tasks:")[0]


def test_timeout_keeps_plugins_registered_at_run_time(tmp_path: Path) -> None:
    # A plugin registered in the user's own script (no entry point) must run in the
    # per-cell process that --timeout uses, serial and with jobs.
    script = tmp_path / "script.py"
    script.write_text(
        "import sys, mibench\n"
        "from mibench import Estimator, register_estimator\n"
        "@register_estimator('script-only')\n"
        "class ScriptOnly(Estimator):\n"
        "    def _estimate(self, x, y):\n"
        "        return 0.25\n"
        "for jobs in (1, 2):\n"
        "    df = mibench.run(estimators='script-only', tasks='gaussian', n=100, seeds=2,\n"
        "                     jobs=jobs, timeout=30)\n"
        "    print(sorted(set(df['status'])), sorted(set(df['estimate'])))\n")
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split("\n")[:2] == ["['ok'] [0.25]", "['ok'] [0.25]"], p.stdout
