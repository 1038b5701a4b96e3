"""benchmarks/variant_rule.py: the verdicts, and stores of one task paired across runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.variant_rule import compare, load


def _store(path: Path, estimator: str, values: list[float], label: str | None) -> Path:
    path.mkdir()
    pd.DataFrame({
        "key": [f"{estimator}-{s}" for s in range(len(values))], "estimator": estimator,
        "task": "student-t[dim=3,rho=0.0]", "task_label": label, "n": 5000,
        "seed": range(len(values)), "estimate": values, "status": "ok", "true_mi": 0.2,
    }).to_parquet(path / "results.parquet")
    return path


def test_a_suite_run_and_a_plain_run_of_one_task_pair_up(tmp_path: Path) -> None:
    # the suite run labels the task with bmi's id, a run of the task alone does not
    a = _store(tmp_path / "suite", "A", [0.15, 0.16, 0.14], "student-identity-3-3-3")
    b = _store(tmp_path / "plain", "B", [0.21, 0.19, 0.20], None)
    t = compare(load([a, b]), "A", "B")
    assert list(t.task) == ["student-identity-3-3-3"] and list(t.seeds) == [3]
    # errors 0.05 against about 0.003, seed sd 0.01: better, and within 15 %
    assert t.verdict.iloc[0] == "better" and t["B within 15 %"].iloc[0] == "yes"


def test_worse_beyond_the_spread_and_same_within_it(tmp_path: Path) -> None:
    a = _store(tmp_path / "a", "A", [0.20, 0.21, 0.19], None)
    b = _store(tmp_path / "b", "B", [0.10, 0.11, 0.09], None)
    c = _store(tmp_path / "c", "C", [0.19, 0.22, 0.20], None)
    d = load([a, b, c])
    assert compare(d, "A", "B").verdict.iloc[0] == "worse"
    assert compare(d, "A", "C").verdict.iloc[0] == "same"


def test_a_folder_is_read_from_its_store_not_a_stale_export(tmp_path: Path) -> None:
    # a run still going (or killed) has committed rows that its results.parquet, written
    # when a run ends, does not hold yet: the comparison must see them
    from mibench.store.sqlite import ResultStore

    store = ResultStore(tmp_path)
    for est, values in (("A", [0.20, 0.21, 0.19]), ("B", [0.10, 0.11, 0.09])):
        for s, v in enumerate(values):
            store.put({"key": f"{est}-{s}", "estimator": est, "task": "gaussian[dim=1]",
                       "task_label": None, "n": 5000, "seed": s, "estimate": v,
                       "status": "ok", "true_mi": 0.2})
            if est == "A" and s == 0:
                store.export()  # an export of the first row only
    store.close()
    assert len(pd.read_parquet(tmp_path / "results.parquet")) == 1
    t = compare(load([tmp_path]), "A", "B")
    assert list(t.seeds) == [3] and t.verdict.iloc[0] == "worse"


def test_false_alarm_chance_matches_the_rule_applied_to_identical_configurations() -> None:
    # many tasks on which A and B are the same distribution (bias 2 sd, 3 seeds): the share
    # compare() calls worse must match the chance false_alarms() simulates for such a task
    # (about 0.11; with no bias it would be about 0.04)
    import numpy as np

    from benchmarks.variant_rule import false_alarms

    rng = np.random.default_rng(7)
    tasks, truth = 500, 2.0
    est = truth + rng.normal(2.0, 1.0, (tasks, 2, 3))  # task, arm, seed
    d = pd.DataFrame([
        {"key": f"{t}-{arm}-{s}", "estimator": "AB"[arm], "task_label": f"t{t}", "n": 5000,
         "seed": s, "estimate": est[t, arm, s], "status": "ok", "true_mi": truth}
        for t in range(tasks) for arm in (0, 1) for s in range(3)])
    observed = float((compare(d, "A", "B").verdict == "worse").mean())
    (p,) = false_alarms(pd.DataFrame({"bias A": [2.0], "sd A": [1.0], "seeds": [3]}))
    # binomial standard error of the observed share is about 0.014 at p near 0.1
    assert 0.08 < p < 0.14 and abs(observed - p) < 0.045
    # no spread or a single seed: no chance computed
    assert list(false_alarms(pd.DataFrame({"bias A": [0.5, 0.5], "sd A": [0.0, np.nan],
                                           "seeds": [3, 1]}))) == [0.0, 0.0]


def test_a_flag_stands_only_if_fresh_seeds_repeat_it(tmp_path: Path) -> None:
    from benchmarks.variant_rule import confirm, summary

    # the suite run flags the task; the fresh run of the plain task (no label) pairs up
    first = load([_store(tmp_path / "a", "A", [0.20, 0.21, 0.19], "student-identity-3-3-3"),
                  _store(tmp_path / "b", "B", [0.10, 0.11, 0.09], "student-identity-3-3-3")])
    t = compare(first, "A", "B")
    assert list(t.verdict) == ["worse"]
    cases = {"same": ([0.20, 0.19, 0.21], [0.19, 0.21, 0.20]),
             "worse": ([0.20, 0.19, 0.21], [0.12, 0.10, 0.11])}
    for verdict, (va, vb) in cases.items():
        fresh = load([_store(tmp_path / f"fa-{verdict}", "A", va, None),
                      _store(tmp_path / f"fb-{verdict}", "B", vb, None)], labels_from=first)
        c = confirm(t, compare(fresh, "A", "B"))
        assert c["fresh seeds"].iloc[0] == f"{verdict} (3 seeds)"
        allows = "with this confirmation the rule allows it" in summary(c, "A", "B")
        assert allows == (verdict == "same")
    # a flagged task the fresh stores lack is not confirmed away
    other = load([_store(tmp_path / "oa", "A", [0.2, 0.2, 0.2], None)])
    c = confirm(t, compare(other.assign(task="gaussian[dim=1]", task_label="x"), "A", "B"))
    assert c["fresh seeds"].iloc[0] == "not re-run"
    assert "rule keeps the current default" in summary(c, "A", "B").split("On fresh")[1]


def test_a_missing_store_is_one_line_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import variant_rule

    monkeypatch.setattr("sys.argv", ["variant_rule.py", str(tmp_path / "nowhere"),
                                     "--pair", "A", "B"])
    assert variant_rule.main() == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "nowhere" in err and err.startswith("variant_rule:")
