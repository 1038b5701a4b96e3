"""The contract suite every estimator and task plugin must pass.

Use it from pytest to check your own plugin::

    from mibench.testing import estimator_checks
    @pytest.mark.parametrize("check", estimator_checks("myest"), ids=lambda c: c.__name__)
    def test_contract(check):
        check()

mibench's own test suite runs it over every registered plugin, so a new
plugin gets these checks for free. Each check builds the plugin with the
settings in its ``contract`` attribute (:class:`mibench.base.ContractSettings`),
for example a short training budget for neural estimators.
"""

from __future__ import annotations

import functools
import math
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from .core.contracts import Estimator, Task
from .core.errors import InputError, ParameterError
from .core.factory import get_estimator, get_task
from .core.selectors import parse_selector

Check = Callable[[], None]

EASY_RHO = 0.8
EASY_MI = -0.5 * math.log(1 - EASY_RHO**2)  # 0.5108 nats


def _gaussian_pair(n: int, rho: float, seed: int, dx: int = 1, dy: int = 1
                   ) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dx))
    noise = rng.standard_normal((n, dy))
    y = noise.copy()
    k = min(dx, dy)
    y[:, :k] = rho * x[:, :k] + math.sqrt(1 - rho**2) * noise[:, :k]
    return x, y


def bad_input_cases() -> list[tuple[str, Any, Any, str]]:
    """(case id, x, y, substring expected in the error message)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 1))
    y = rng.standard_normal((200, 1))
    x_nan = x.copy()
    x_nan[3, 0] = np.nan
    y_inf = y.copy()
    y_inf[7, 0] = np.inf
    const = np.ones((200, 1))
    return [
        ("non-numeric", np.array(["a"] * 200, dtype=object), y, "numeric"),
        ("strings", np.array(["1.0"] * 200), y, "numeric"),
        ("nan", x_nan, y, "NaN"),
        ("inf", x, y_inf, "inf"),
        ("mismatched-lengths", x, y[:150], "same number of samples"),
        ("3-D", x.reshape(200, 1, 1), y, "3-D"),
        ("empty", np.empty((0, 1)), np.empty((0, 1)), "empty"),
        ("scalar", 1.0, y, "scalar"),
        ("too-few-samples", x[:1], y[:1], "at least"),
        ("constant-column", const, y, "constant"),
        ("none", None, y, "None"),
    ]


def _build_estimator(spec: str | Estimator | type[Estimator]) -> Estimator:
    if isinstance(spec, Estimator):
        est = spec
    elif isinstance(spec, type):
        est = spec()
    else:
        est = get_estimator(spec)
    fast = type(est).contract.fast_params
    return est.with_params(**fast) if fast else est


def estimator_checks(spec: str | Estimator | type[Estimator]) -> list[Check]:
    """The contract checks for an estimator (by name, class or instance)."""
    make = functools.partial(_build_estimator, spec)
    st = type(make()).contract
    n = st.n_samples

    def check_returns_finite_float() -> None:
        x, y = _gaussian_pair(n, 0.5, 1)
        v = make().estimate(x, y)
        assert isinstance(v, float), f"estimate returned {type(v).__name__}, not float"
        assert math.isfinite(v), f"estimate is not finite: {v}"

    def check_inputs_not_mutated() -> None:
        x, y = _gaussian_pair(n, 0.5, 2)
        x0, y0 = x.copy(), y.copy()
        make().estimate(x, y)
        assert np.array_equal(x, x0) and np.array_equal(y, y0), "estimate modified its inputs"

    def check_accepts_1d() -> None:
        x, y = _gaussian_pair(n, 0.5, 3)
        v2 = make().estimate(x, y)
        v1 = make().estimate(x[:, 0], y[:, 0])
        if st.deterministic:
            assert v1 == v2, f"1-D input gave {v1}, (n, 1) input gave {v2}"
        else:
            assert math.isfinite(v1)

    def check_accepts_multidim() -> None:
        x, y = _gaussian_pair(n, 0.5, 4, dx=2, dy=3)
        v = make().estimate(x, y)
        assert math.isfinite(v), f"estimate on (n,2) x (n,3) data is not finite: {v}"

    def check_same_seed_same_result() -> None:
        x, y = _gaussian_pair(n, 0.6, 5)
        a, b = make().estimate(x, y), make().estimate(x, y)
        if st.deterministic:
            assert a == b, f"two runs with the same seed differ: {a} vs {b}"

    def check_picklable() -> None:
        est = make()
        clone = pickle.loads(pickle.dumps(est))
        assert clone == est and clone.get_params() == est.get_params()
        if st.deterministic:
            x, y = _gaussian_pair(n, 0.6, 6)
            assert clone.estimate(x, y) == est.estimate(x, y)

    def check_params_roundtrip() -> None:
        est = make()
        assert set(est.get_params()) == set(est.param_defaults())
        sels = parse_selector(est.selector())
        assert len(sels) == 1
        rebuilt = type(est)(**{**est.get_params(), **sels[0].params})
        assert rebuilt == est, f"selector {est.selector()!r} does not rebuild the estimator"
        assert est.with_params() == est

    def check_independent_near_zero() -> None:
        rng = np.random.default_rng(7)
        x = rng.standard_normal((n, 1))
        y = rng.standard_normal((n, 1))
        v = make().estimate(x, y)
        assert abs(v) < st.zero_tol, f"MI on independent data is {v:.4f}, |I| >= {st.zero_tol}"

    def check_easy_gaussian() -> None:
        x, y = _gaussian_pair(n, EASY_RHO, 8)
        v = make().estimate(x, y)
        assert abs(v - EASY_MI) < st.easy_tol, (
            f"estimate {v:.4f} on a 1-D Gaussian (rho={EASY_RHO}, truth {EASY_MI:.4f}) is "
            f"off by more than {st.easy_tol}"
        )

    def check_bad_inputs() -> None:
        est = make()
        for case, x, y, match in bad_input_cases():
            if case == "constant-column" and type(est).allow_constant_columns:
                continue
            try:
                est.estimate(x, y)
            except InputError as exc:
                assert match.lower() in str(exc).lower(), (
                    f"{case}: message {str(exc)!r} does not mention {match!r}")
            else:
                raise AssertionError(f"{case}: no InputError raised")

    def check_estimate_with_info() -> None:
        x, y = _gaussian_pair(n, 0.5, 9)
        res = make().estimate_with_info(x, y)
        assert isinstance(res.info, dict) and math.isfinite(res.value)
        assert res.wall_time_s >= 0

    return [
        check_returns_finite_float,
        check_inputs_not_mutated,
        check_accepts_1d,
        check_accepts_multidim,
        check_same_seed_same_result,
        check_picklable,
        check_params_roundtrip,
        check_independent_near_zero,
        check_easy_gaussian,
        check_bad_inputs,
        check_estimate_with_info,
    ]


def task_checks(spec: str | Task) -> list[Check]:
    """The contract checks for a task configuration (by selector or instance)."""

    def make() -> Task:
        return spec if isinstance(spec, Task) else get_task(spec)

    def check_shapes_and_dtype() -> None:
        t = make()
        x, y = t.sample(64, np.random.default_rng(0))
        assert x.shape == (64, t.dim_x) and y.shape == (64, t.dim_y), (x.shape, y.shape)
        assert x.dtype == np.float64 and y.dtype == np.float64
        assert np.isfinite(x).all() and np.isfinite(y).all()

    def check_true_mi() -> None:
        mi = make().mi
        assert isinstance(mi, float) and math.isfinite(mi) and mi >= 0, mi

    def check_pmi_averages_to_mi() -> None:
        t = make()
        se = t.mi_se
        assert isinstance(se, float) and math.isfinite(se) and se >= 0, se
        if not t.has_pmi:
            return
        m = 20_000
        x, y = t.sample(m, np.random.default_rng(7))
        p = np.asarray(t.pmi(x, y), dtype=float)
        assert p.shape == (m,) and np.isfinite(p).all(), p.shape
        # the mean of m draws is within 5 standard errors, plus the truth's own error
        tol = 5 * (p.std() / math.sqrt(m) + se) + 1e-9
        assert abs(p.mean() - t.mi) <= tol, (p.mean(), t.mi, tol)

    def check_same_rng_same_sample() -> None:
        t = make()
        a = t.sample(50, np.random.default_rng(123))
        b = t.sample(50, np.random.default_rng(123))
        c = t.sample(50, np.random.default_rng(124))
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
        assert not (np.array_equal(a[0], c[0]) and np.array_equal(a[1], c[1]))

    def check_no_global_state() -> None:
        t = make()
        state = np.random.get_state(legacy=True)[1].copy()  # type: ignore[index]  # noqa: NPY002
        t.sample(20, np.random.default_rng(0))
        after = np.random.get_state(legacy=True)[1]  # type: ignore[index]  # noqa: NPY002
        assert np.array_equal(after, state), "sample used the global np.random state"

    def check_params_roundtrip() -> None:
        t = make()
        sels = parse_selector(t.selector())
        rebuilt = type(t)(**{**t.get_params(), **sels[0].params})
        assert rebuilt == t and rebuilt.mi == t.mi

    def check_picklable() -> None:
        t = make()
        c = pickle.loads(pickle.dumps(t))
        assert c == t and c.mi == t.mi
        a = t.sample(10, np.random.default_rng(1))
        b = c.sample(10, np.random.default_rng(1))
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])

    def check_image_shape() -> None:
        t = make()
        shapes = t.image_shape
        if shapes is None:
            return
        (sx, sy) = shapes
        assert len(sx) == len(sy) == 3, shapes  # (channels, height, width)
        assert math.prod(sx) == t.dim_x and math.prod(sy) == t.dim_y, (shapes, t.dim_x, t.dim_y)

    def check_rejects_bad_n() -> None:
        t = make()
        for bad in (0, -5, 2.5, "10"):
            try:
                t.sample(bad, np.random.default_rng(0))  # type: ignore[arg-type]
            except ParameterError:
                continue
            raise AssertionError(f"sample(n={bad!r}) did not raise ParameterError")

    return [
        check_shapes_and_dtype,
        check_true_mi,
        check_pmi_averages_to_mi,
        check_same_rng_same_sample,
        check_no_global_state,
        check_params_roundtrip,
        check_picklable,
        check_image_shape,
        check_rejects_bad_n,
    ]


def check_estimator(spec: str | Estimator | type[Estimator]) -> None:
    """Run every estimator check; raise AssertionError on the first failure."""
    for check in estimator_checks(spec):
        check()


def check_task(spec: str | Task) -> None:
    """Run every task check; raise AssertionError on the first failure."""
    for check in task_checks(spec):
        check()


def task_examples(cls: type[Task]) -> list[str]:
    """Selectors of the configurations a task family asks to be contract-tested."""
    examples = getattr(cls, "examples", None)
    if callable(examples):
        return list(examples())
    return [cls.name]


__all__ = [
    "EASY_MI",
    "ParameterError",
    "bad_input_cases",
    "check_estimator",
    "check_task",
    "estimator_checks",
    "task_checks",
    "task_examples",
]
