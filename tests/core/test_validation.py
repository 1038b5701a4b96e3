from __future__ import annotations

import numpy as np
import pytest

from mibench.core.errors import InputError, ParameterError
from mibench.core.validation import as_generator, check_n, check_xy
from mibench.testing import bad_input_cases


@pytest.mark.parametrize(("case", "x", "y", "match"), bad_input_cases(),
                         ids=[c[0] for c in bad_input_cases()])
def test_bad_inputs_named(case: str, x, y, match: str) -> None:
    with pytest.raises(InputError) as info:
        check_xy(x, y, min_samples=5)
    assert match.lower() in str(info.value).lower()


def test_message_names_the_argument() -> None:
    x = np.zeros((10, 1)) + np.arange(10)[:, None]
    y = x.copy()
    y[4, 0] = np.nan
    with pytest.raises(InputError, match=r"^y contains non-finite values \(1 NaN, 0 inf; "
                                         r"first in row 4\)"):
        check_xy(x, y)


def test_returns_float64_copies_2d() -> None:
    x = np.arange(10, dtype=np.int32)
    y = np.linspace(0, 1, 10, dtype=np.float32)
    xa, ya = check_xy(x, y)
    assert xa.shape == (10, 1) and xa.dtype == np.float64 and ya.dtype == np.float64
    xa[0, 0] = 99
    assert x[0] == 0


def test_integer_and_bool_data_accepted() -> None:
    xa, ya = check_xy(np.array([0, 1, 1, 0, 1]), np.array([True, False, True, True, False]))
    assert xa.dtype == np.float64 and ya.sum() == 3


def test_check_n_and_generator() -> None:
    assert check_n(10) == 10 and check_n(np.int64(3)) == 3 and check_n(100.0) == 100
    for bad in (0, -1, 2.5, "3", True, None):
        with pytest.raises(ParameterError):
            check_n(bad)
    assert isinstance(as_generator(3), np.random.Generator)
    with pytest.raises(ParameterError, match="rng"):
        as_generator(np.random.RandomState(0))
