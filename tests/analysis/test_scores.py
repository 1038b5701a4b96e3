"""The Beyond Normal scores: heatmap table, samples needed, failures and truths' errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mibench.analysis.scores import ratio_table, samples_needed


def _metrics(rows: list[tuple[str, str, int, float, float, int]]) -> pd.DataFrame:
    return pd.DataFrame([{"task": t, "estimator": e, "n": n, "true_mi": truth, "mean": mean,
                          "truth_se": 0.0, "seeds": 3, "failures": f, "task_label": ""}
                         for t, e, n, truth, mean, f in rows])


def test_samples_needed_is_the_first_n_after_which_it_stays_within_a_factor() -> None:
    m = _metrics([
        # within 1.5× from 1000 on
        ("a", "est", 100, 1.0, 0.5, 0), ("a", "est", 1000, 1.0, 0.8, 0),
        ("a", "est", 10000, 1.0, 1.2, 0),
        # good at 1000, bad again at 10000: only the last point counts as "from then on"
        ("b", "est", 100, 1.0, 0.5, 0), ("b", "est", 1000, 1.0, 0.9, 0),
        ("b", "est", 10000, 1.0, 1.6, 0),
        # never
        ("c", "est", 100, 1.0, 0.1, 0), ("c", "est", 1000, 1.0, 0.2, 0),
        ("c", "est", 10000, 1.0, 0.3, 0),
    ])
    need = samples_needed(m)
    assert need.loc["a", "est"] == "1000"
    assert need.loc["b", "est"] == ">10000"
    assert need.loc["c", "est"] == ">10000"


def test_ratio_table_colours_clips_and_counts_failures() -> None:
    m = _metrics([("t", "over", 500, 1.0, 5.0, 0), ("t", "under", 500, 1.0, -0.2, 2),
                  ("t", "fine", 500, 1.0, 1.1, 0), ("t", "fine", 100, 1.0, 3.0, 0)])
    r = ratio_table(m).set_index("estimator")
    assert set(r["n"]) == {500}  # the largest n of the task
    assert r.loc["over", "colour"] == 1.0  # log 5 clipped to +1
    assert r.loc["under", "colour"] == -1.0 and math.isnan(r.loc["under", "log_ratio"])
    assert r.loc["under", "failures"] == 2
    assert r.loc["fine", "colour"] == pytest.approx(math.log(1.1))


def test_labels_name_the_rows_when_a_suite_gave_them() -> None:
    m = _metrics([("gaussian[rho=0.75]", "ksg", 100, 0.41, 0.4, 0)])
    m.loc[0, "task_label"] = "1v1-normal-0.75"
    assert list(ratio_table(m)["task"]) == ["1v1-normal-0.75"]
    assert list(samples_needed(m).index) == ["1v1-normal-0.75"]


def test_report_writes_heatmap_samples_needed_pmi_profiles_and_truth_errors(tmp_path) -> None:
    import mibench
    from mibench.report import write_report

    table = mibench.run(estimators="gaussian,ksg", tasks="mixture-x,gaussian[dim=1]",
                        n=[200, 400], seeds=2)
    # one failed cell (at the heatmap's n, the largest) must show there, not vanish
    table.loc[table.index[table["n"] == 400][0], ["status", "estimate"]] = ["failed", np.nan]
    written = {p.name for p in write_report(table, tmp_path)}
    assert {"heatmap.png", "heatmap.csv", "samples_needed.md", "pmi_profiles.png"} <= written
    heat = pd.read_csv(tmp_path / "heatmap.csv")
    assert heat["failures"].sum() == 1
    assert "±" in (tmp_path / "table.md").read_text()  # the Monte Carlo truth's error
