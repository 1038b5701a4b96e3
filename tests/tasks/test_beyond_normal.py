"""The Beyond Normal (bmi) suites: task lists, truths, labels and preprocessing."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mibench
from mibench.plan.suites import get_suite
from mibench_tasks.beyond_normal import V1, V2

# Truths printed by benchmark-mi 0.1.3 (``task.mutual_information`` of each task
# of ``BENCHMARK_TASKS_LIST`` and of the v2 workflow's list), jax 0.4.30, once,
# outside this project. Mixture truths there are Monte Carlo means over 100 000
# draws in float32; the others are closed forms.
BMI_TRUTHS = {
    "1v1-normal-0.75": 0.4133392866,
    "normal_cdf-1v1-normal-0.75": 0.4133392866,
    "1v1-additive-0.1": 1.7094379663,
    "1v1-additive-0.75": 0.3333333333,
    "1v1-bimodal-0.75": 0.4133392866,
    "wiggly-1v1-normal-0.75": 0.4133392866,
    "half_cube-1v1-normal-0.75": 0.4133392866,
    "student-identity-1-1-1": 0.2241714275,
    "asinh-student-identity-1-1-1": 0.2241714275,
    "swissroll_x-normal_cdf-1v1-normal-0.75": 0.4133392866,
    "multinormal-dense-2-2-0.5": 0.2938933325,
    "multinormal-dense-3-3-0.5": 0.4133392866,
    "multinormal-dense-5-5-0.5": 0.5928118328,
    "multinormal-dense-25-25-0.5": 1.2921837217,
    "multinormal-dense-50-50-0.5": 1.6242653743,
    "multinormal-sparse-2-2-2-2.0": 1.0216512475,
    "multinormal-sparse-3-3-2-2.0": 1.0216512475,
    "multinormal-sparse-5-5-2-2.0": 1.0216512475,
    "multinormal-sparse-25-25-2-2.0": 1.0216512475,
    "student-identity-2-2-1": 0.4319456220,
    "student-identity-2-2-2": 0.1931471806,
    "student-identity-3-3-2": 0.2909219227,
    "student-identity-3-3-3": 0.1787118531,
    "student-identity-5-5-2": 0.4481506769,
    "student-identity-5-5-3": 0.2985436227,
    "normal_cdf-multinormal-sparse-3-3-2-2.0": 1.0216512475,
    "normal_cdf-multinormal-sparse-5-5-2-2.0": 1.0216512475,
    "normal_cdf-multinormal-sparse-25-25-2-2.0": 1.0216512475,
    "half_cube-multinormal-sparse-3-3-2-2.0": 1.0216512475,
    "half_cube-multinormal-sparse-5-5-2-2.0": 1.0216512475,
    "half_cube-multinormal-sparse-25-25-2-2.0": 1.0216512475,
    "spiral-multinormal-sparse-3-3-2-2.0": 1.0216512475,
    "spiral-multinormal-sparse-5-5-2-2.0": 1.0216512475,
    "spiral-multinormal-sparse-25-25-2-2.0": 1.0216512475,
    "spiral-normal_cdf-multinormal-sparse-3-3-2-2.0": 1.0216512475,
    "spiral-normal_cdf-multinormal-sparse-5-5-2-2.0": 1.0216512475,
    "spiral-normal_cdf-multinormal-sparse-25-25-2-2.0": 1.0216512475,
    "asinh-student-identity-2-2-1": 0.4319456220,
    "asinh-student-identity-3-3-2": 0.2909219227,
    "asinh-student-identity-5-5-2": 0.4481506769,
    "1v1-X-0.9": 0.4087639749,
    "1v1-AI": 0.7775419950,
    "2v1-waves-12-5.0-3.0": 1.3079788685,
    "2v1-galaxy-0.5-3.0": 0.4933010340,
    "3v1-concentric_gaussians-5": 0.4563290477,
    "5v1-concentric_gaussians-5": 0.6260703206,
    "3v1-concentric_gaussians-10": 0.5562974215,
    "5v1-concentric_gaussians-10": 0.7491084337,
    "25v1-concentric_gaussians-5": 1.1902277470,
    "mult-sparse-w-inliers-5-5-2-2.0-0.2": 0.6334941387,
    "mult-sparse-w-inliers-25-25-2-2.0-0.2": 0.6344553232,
    "mult-sparse-w-inliers-5-5-2-2.0-0.5": 0.2682413459,
    "mult-sparse-w-inliers-25-25-2-2.0-0.5": 0.2707487345,
}
MIXTURES = {"1v1-X-0.9", "1v1-AI", "2v1-waves-12-5.0-3.0", "2v1-galaxy-0.5-3.0"} | {
    k for k in BMI_TRUTHS if "concentric" in k or "inliers" in k}


def test_suites_have_bmi_task_counts_and_labels() -> None:
    assert len(V1) == 40 and len(V2) == 26
    for name, tasks in (("bmi-v1", V1), ("bmi-v2", V2)):
        suite = get_suite(name)
        assert suite.n_task_cells() == len(tasks) * suite.groups[0].seeds
        assert suite.preprocess == "standardize"
        assert len({label for label, _ in tasks}) == len(tasks)
    assert get_suite("bmi-v1").groups[0].seeds == 10
    assert get_suite("bmi-v2").groups[0].seeds == 3


@pytest.mark.parametrize("label, selector", sorted(set(V1) | set(V2)))
def test_truth_equals_bmi(label: str, selector: str) -> None:
    task = mibench.get_task(selector)
    want = BMI_TRUTHS[label]
    if label in MIXTURES:
        # ours: 200 000 draws (se below); bmi's: 100 000 draws, se about sqrt(2) x ours
        assert 0 < task.mi_se < 0.01
        assert abs(task.mi - want) < 4 * math.sqrt(3) * task.mi_se
    else:
        assert task.mi_se == 0.0
        assert task.mi == pytest.approx(want, abs=1e-4)


def test_dimensions_follow_bmi() -> None:
    for label, selector in V1 + V2:
        task = mibench.get_task(selector)
        first = label.split("-")[0]
        if "v1" in first:  # "3v1-..." ids carry the dimensions
            dx, dy = first.split("v")
            assert (task.dim_x, task.dim_y) == (int(dx), int(dy)), label
    swiss = mibench.get_task(dict(V1)["swissroll_x-normal_cdf-1v1-normal-0.75"])
    assert (swiss.dim_x, swiss.dim_y) == (2, 1)


def test_bimodal_margins_have_the_mixture_means() -> None:
    task = mibench.get_task(dict(V1)["1v1-bimodal-0.75"])
    x, y = task.sample(40_000, np.random.default_rng(0))
    # 0.3 N(0,1) + 0.7 N(5,1) and 0.5 N(-1,1) + 0.5 N(3,1): means 3.5 and 1, sd of
    # the mean about 2.4/200 and 2.2/200
    assert abs(x.mean() - 3.5) < 0.05 and abs(y.mean() - 1.0) < 0.05


def test_mixture_pmi_is_invariant_to_the_x_map() -> None:
    # galaxy and waves sample in the base space and map X; pmi maps it back
    for sel in ("galaxy", "waves"):
        task = mibench.get_task(sel)
        rng = np.random.default_rng(1)
        x, _y = task.sample(5, rng)
        assert np.allclose(task._forward_x(task._inverse_x(x)), x)


def test_suite_cells_carry_bmi_labels_and_preprocessing() -> None:
    from mibench.plan import RunSpec

    cells = RunSpec(estimators=["gaussian"], tasks=[], n=[300], seeds=1,
                    suite="bmi-v1").cells()
    assert len(cells) == 40 and {c.preprocess for c in cells} == {"standardize"}
    assert {c.task_label for c in cells} == {label for label, _ in V1}
    plain = RunSpec(estimators=["gaussian"], tasks=[], n=[300], seeds=1, suite="bmi-v1",
                    preprocess="none").cells()
    assert {c.preprocess for c in plain} == {"none"}
    assert {c.key for c in cells}.isdisjoint(c.key for c in plain)


def test_standardize_preprocess_reaches_the_estimator() -> None:
    # per-column standardisation is affine: the Gaussian estimate is the same, and the
    # rows say which preprocessing made them; KSG without its own standardisation mixes
    # the columns' scales in the max-norm, so its estimate changes
    kw = {"tasks": "transformed[base=gaussian[dim=2,rho=0.6],transform=cube]", "n": 400,
          "seeds": 1}
    ests = "gaussian,ksg[margins=none]"
    a = mibench.run(estimators=ests, preprocess="standardize", **kw)
    b = mibench.run(estimators=ests, **kw)
    assert set(a["preprocess"]) == {"standardize"} and set(b["preprocess"]) == {"none"}
    ga, gb = (d.set_index("estimator_name")["estimate"] for d in (a, b))
    assert ga["gaussian"] == pytest.approx(gb["gaussian"], abs=1e-9)
    assert ga["ksg"] != pytest.approx(gb["ksg"], abs=1e-6)


def test_mixture_truth_se_reaches_the_rows() -> None:
    df = mibench.run(estimators="gaussian", tasks="mixture-x", n=200, seeds=1)
    assert 0 < float(df["true_mi_se"].iloc[0]) < 0.01
