"""The run specification is the one place run rules are checked, in each front end's words."""

from __future__ import annotations

import pytest

from mibench.core.errors import OptionError
from mibench.plan import RunSpec
from tests.helpers import run_cli

OK = {"estimators": ["gaussian"], "tasks": ["gaussian"], "n": [100]}


@pytest.mark.parametrize(("change", "python", "flag"), [
    ({"n": [0]}, "n values must be positive sample sizes; got 0",
     "--n values must be positive sample sizes; got 0"),
    ({"seeds": 0}, "seeds must be a positive integer; got 0", "--seeds must be"),
    ({"root_seed": -1}, "root_seed must be an integer >= 0; got -1",
     "--root-seed must be an integer >= 0"),
    ({"preprocess": "whiten"}, "preprocess must be one of none, standardize",
     "--preprocess must be one of"),
    ({"jobs": 0}, "jobs must be a positive integer; got 0", "--jobs must be"),
    ({"threads": -2}, "threads must be a positive integer", "--threads must be"),
    ({"timeout": float("inf")}, "timeout must be a positive, finite number of seconds",
     "--timeout must be a positive, finite"),
    ({"workers": 2}, "scheduler and workers apply only to the dask executor (executor)",
     "--scheduler and --workers apply only to the dask executor (--executor)"),
    ({"executor": "threads"}, "unknown executor 'threads' for executor.",
     "unknown executor 'threads' for --executor."),
    ({"suite": "smoke"}, "give either a suite or tasks, not both (suite fixes its tasks",
     "give either a suite or tasks, not both (--suite fixes its tasks; --n and --seeds"),
    ({"tasks": []}, "n goes with tasks", "--n goes with --tasks"),
    ({"estimators": []}, "give estimators (e.g. estimators NAME) or a suite (suite)",
     "give --estimators (e.g. --estimators NAME) or a suite (--suite)"),
])
def test_each_rule_names_its_options(change: dict, python: str, flag: str) -> None:
    with pytest.raises(OptionError) as err:
        RunSpec(**{**OK, **change})
    assert python in str(err.value)
    assert flag in err.value.render(lambda o: "--" + o.replace("_", "-"))


def test_normalisations_happen_once_there() -> None:
    spec = RunSpec(estimators="gaussian", tasks="gaussian", n=100, jobs=2, timeout=5)
    assert (spec.estimators, spec.tasks, spec.n) == (["gaussian"], ["gaussian"], [100])
    assert spec.executor == "process" and spec.timeout == 5.0  # serial with jobs > 1
    default = RunSpec(estimators=["gaussian"])
    assert default.suite == "default" and default.suite_defaulted
    assert RunSpec(suite="smoke").estimators == []  # the suite's own, when cells are made


def test_the_command_line_and_a_config_file_meet_the_same_rule(tmp_path) -> None:
    cfg = tmp_path / "run.toml"
    cfg.write_text('estimators = ["gaussian"]\ntasks = ["gaussian"]\nn = [100]\njobs = 0\n')
    by_file = run_cli(["run", "--config", str(cfg)])
    by_flag = run_cli(["run", "-e", "gaussian", "-t", "gaussian", "--n", "100", "--jobs", "0"])
    for p in (by_file, by_flag):
        assert p.returncode == 2 and "--jobs must be a positive integer; got 0" in p.stderr
        assert len(p.stderr.strip().splitlines()) == 1
