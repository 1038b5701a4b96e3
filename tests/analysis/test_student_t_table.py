"""benchmarks/student_t_table.py: bmi ids, the asinh twin pooled with its task, a row per N."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmarks.student_t_table import bmi_id, table


def test_bmi_ids_of_our_student_t_selectors() -> None:
    assert bmi_id("student-t[dim=1,rho=0.0,dof=1.0]") == "student-identity-1-1-1"
    assert bmi_id("student-t[rho=0.0,dof=2.0]") == "student-identity-2-2-2"
    assert bmi_id("student-t[dim=5,rho=0.0]") == "student-identity-5-5-3"


def test_the_asinh_twin_is_pooled_and_the_band_marked(tmp_path: Path) -> None:
    plain = "student-t[dim=3,rho=0.0]"
    twin = f"transformed[base={plain},transform=asinh]"
    ksg, mine = "ksg[margins=normal-scores]", "mine[margins=normal-scores]"
    truth = 0.2
    rows = [(ksg, plain, 0.10), (ksg, twin, 0.14), (mine, plain, 0.19), (mine, twin, 0.21),
            ("mine", plain, 5.0),  # not a normal-scores cell: left out
            (mine, "gaussian[rho=0.5]", 9.0)]  # not Student-t
    df = pd.DataFrame(rows, columns=["estimator", "task", "estimate"]).assign(
        status="ok", true_mi=truth, n=5000)
    df.to_parquet(tmp_path / "r.parquet")
    got = table(tmp_path / "r.parquet")
    assert "n" not in got  # one sample size: no column for it
    assert got["task (asinh twin pooled)"].tolist() == ["student-identity-3-3-3"]
    assert got["seeds"].tolist() == [2]
    assert got["ksg"].iloc[0] == "0.120 (-40 %)"
    assert got["mine"].iloc[0] == "0.200 (+0 %) ✓"
    assert pytest.approx(truth) == got["truth"].iloc[0]


def test_several_sample_sizes_give_a_row_each_in_order(tmp_path: Path) -> None:
    task, mine = "student-t[dim=5,rho=0.0,dof=2.0]", "mine[margins=normal-scores]"
    rows = [(mine, 20000, 0.40), (mine, 5000, 0.30), (mine, 5000, 0.34), (mine, 10000, 0.38)]
    df = pd.DataFrame(rows, columns=["estimator", "n", "estimate"]).assign(
        task=task, status="ok", true_mi=0.4)
    df.to_parquet(tmp_path / "r.parquet")
    got = table(tmp_path / "r.parquet")
    assert got["n"].tolist() == [5000, 10000, 20000]
    assert got["seeds"].tolist() == [2, 1, 1]
    assert got["mine"].tolist() == ["0.320 (-20 %)", "0.380 (-5 %) ✓", "0.400 (+0 %) ✓"]
