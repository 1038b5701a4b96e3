"""The task suites of the "Beyond Normal" benchmark (Czyż, Grabowski, Vogt,
Beerenwinkel, Marx, NeurIPS 2023; the ``bmi`` package), in our task families.

``bmi-v1`` is its 40-task list (``bmi.benchmark.BENCHMARK_TASKS_LIST`` of
release 0.1.3), ``bmi-v2`` the 26 tasks of its second benchmark (the kept v1
tasks plus the Gaussian-mixture tasks). Every cell is labelled with the
benchmark's own task identifier (``task_label``). As in that benchmark each
sample is standardised per column before estimation (``preprocess``; override
with ``--preprocess none``), at N = 5000 with 10 seeds (v1) or 3 (v2);
``--n`` and ``--seeds`` override those.

Its definitions in our terms (truths checked against the package's own to
1e-4 nats in ``tests/test_beyond_normal.py``):

* binormal: ``gaussian[dim=1,rho=0.75]``; "uniform": its ``normal-cdf``;
* dense multinormal d × d: ``gaussian-dense`` with c = inner = 0.5;
* "2-pair" (sparse, strength 2) d × d: ``gaussian-pairs`` with 2 pairs of
  correlation 4/5 (= λ²/(1 + λ²), λ = 2);
* Student-t with identity dispersion: ``student-t[rho=0]``;
* its transforms: ``normal-cdf``, ``half-cube``, ``asinh``, ``wiggly-xy``,
  ``bimodal``, ``plane-spiral`` (speed 1 divided by the dimension) and
  ``swissroll`` of ``transformed``;
* mixtures (``mixtures.py``): ``mixture-x``, ``mixture-ai``, ``waves``,
  ``galaxy``, ``concentric``, ``gaussian-inliers`` — Monte Carlo truths.
"""

from __future__ import annotations

from mibench import Suite, SuiteGroup, register_suite

_BIN = "gaussian[dim=1,rho=0.75]"
_UNI = f"transformed[base={_BIN},transform=normal-cdf]"


def _t(base: str, transform: str, apply_to: str = "both") -> str:
    extra = "" if apply_to == "both" else f",apply_to={apply_to}"
    return f"transformed[base={base},transform={transform}{extra}]"


def _dense(d: int) -> str:
    return f"gaussian-dense[dim_x={d},dim_y={d},c=0.5,inner=0.5]"


def _pairs(d: int) -> str:
    return f"gaussian-pairs[dim_x={d},dim_y={d},k=2,rho=0.8]"


def _student(d: int, dof: int) -> str:
    return f"student-t[dim={d},rho=0,dof={dof}]"


_SWISS = ("swissroll_x-normal_cdf-1v1-normal-0.75", _t(_UNI, "swissroll", "x"))

V1: tuple[tuple[str, str], ...] = (
    ("1v1-normal-0.75", _BIN),
    ("normal_cdf-1v1-normal-0.75", _UNI),
    ("1v1-additive-0.1", "additive-uniform[eps=0.1]"),
    ("1v1-additive-0.75", "additive-uniform[eps=0.75]"),
    ("1v1-bimodal-0.75", _t(_BIN, "bimodal")),
    ("wiggly-1v1-normal-0.75", _t(_BIN, "wiggly-xy")),
    ("half_cube-1v1-normal-0.75", _t(_BIN, "half-cube")),
    ("student-identity-1-1-1", _student(1, 1)),
    ("asinh-student-identity-1-1-1", _t(_student(1, 1), "asinh")),
    _SWISS,
    *((f"multinormal-dense-{d}-{d}-0.5", _dense(d)) for d in (2, 3, 5, 25, 50)),
    *((f"multinormal-sparse-{d}-{d}-2-2.0", _pairs(d)) for d in (2, 3, 5, 25)),
    *((f"student-identity-{d}-{d}-{v}", _student(d, v))
      for d, v in ((2, 1), (2, 2), (3, 2), (3, 3), (5, 2), (5, 3))),
    *((f"normal_cdf-multinormal-sparse-{d}-{d}-2-2.0", _t(_pairs(d), "normal-cdf"))
      for d in (3, 5, 25)),
    *((f"half_cube-multinormal-sparse-{d}-{d}-2-2.0", _t(_pairs(d), "half-cube"))
      for d in (3, 5, 25)),
    *((f"spiral-multinormal-sparse-{d}-{d}-2-2.0", _t(_pairs(d), "plane-spiral"))
      for d in (3, 5, 25)),
    *((f"spiral-normal_cdf-multinormal-sparse-{d}-{d}-2-2.0",
       _t(_t(_pairs(d), "normal-cdf"), "plane-spiral")) for d in (3, 5, 25)),
    *((f"asinh-student-identity-{d}-{d}-{v}", _t(_student(d, v), "asinh"))
      for d, v in ((2, 1), (3, 2), (5, 2))),
)

V2: tuple[tuple[str, str], ...] = (
    ("1v1-additive-0.75", "additive-uniform[eps=0.75]"),
    ("asinh-student-identity-1-1-1", _t(_student(1, 1), "asinh")),
    ("1v1-X-0.9", "mixture-x[rho=0.9]"),
    ("1v1-AI", "mixture-ai"),
    _SWISS,
    ("2v1-waves-12-5.0-3.0", "waves[components=12,amplitude=5,frequency=3]"),
    ("2v1-galaxy-0.5-3.0", "galaxy[speed=0.5,distance=3]"),
    *((f"{d}v1-concentric_gaussians-{k}", f"concentric[dim_x={d},components={k}]")
      for d, k in ((3, 5), (5, 5), (3, 10), (5, 10), (25, 5))),
    *((f"multinormal-dense-{d}-{d}-0.5", _dense(d)) for d in (5, 25, 50)),
    *((f"multinormal-sparse-{d}-{d}-2-2.0", _pairs(d)) for d in (5, 25)),
    *((f"mult-sparse-w-inliers-{d}-{d}-2-2.0-{f}",
       f"gaussian-inliers[dim_x={d},dim_y={d},k=2,rho=0.8,inliers={f}]")
      for f in (0.2, 0.5) for d in (5, 25)),
    *((f"asinh-student-identity-{d}-{d}-{v}", _t(_student(d, v), "asinh"))
      for d, v in ((2, 1), (3, 2), (5, 2))),
    *((f"spiral-multinormal-sparse-{d}-{d}-2-2.0", _t(_pairs(d), "plane-spiral"))
      for d in (3, 5)),
)

_COST = {"ksg": 0.5, "gaussian": 0.01, "binning": 0.05, "kde": 3.0}

for _name, _tasks, _seeds, _what in (
        ("bmi-v1", V1, 10, "40 tasks"), ("bmi-v2", V2, 3, "26 tasks, with Gaussian mixtures")):
    register_suite(Suite(
        name=_name,
        description=f"the Beyond Normal (bmi) benchmark {_name[-2:]}: {_what}, N 5000, "
                    f"{_seeds} seeds, per-column standardisation; cells labelled with "
                    "bmi's task ids",
        groups=(SuiteGroup(tasks=tuple(sel for _, sel in _tasks), n=(5_000,), seeds=_seeds,
                           labels=tuple(label for label, _ in _tasks)),),
        estimators=("ksg", "gaussian", "binning", "kde"),
        cost_per_cell_s=_COST,
        preprocess="standardize",
    ))
