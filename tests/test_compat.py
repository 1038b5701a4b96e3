"""The module paths of the flat 0.1 engine still import, with a warning naming the new ones."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from mibench._compat import MOVED


def test_each_old_path_warns_once_imported() -> None:
    code = ("import importlib, warnings; from mibench._compat import MOVED\n"
            "for old in sorted(MOVED):\n"
            "    with warnings.catch_warnings(record=True) as w:\n"
            "        warnings.simplefilter('always')\n"
            "        importlib.import_module(old)\n"
            "    print(old, any('moved to' in str(x.message) for x in w))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [t for old in sorted(MOVED) for t in (old, "True")]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_path_gives_the_new_modules_names(old: str) -> None:
    module = importlib.import_module(old)
    for target in MOVED[old]:
        real = importlib.import_module(target)
        public = [k for k in vars(real) if not k.startswith("_")]
        assert all(getattr(module, k) is getattr(real, k) for k in public), (old, target)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_plugin_written_for_the_flat_engine_still_runs() -> None:
    import mibench
    from mibench.runtime import thread_budget  # type: ignore[import-not-found]
    from mibench.validation import standardize_columns  # type: ignore[import-not-found]

    assert thread_budget() >= 1 and callable(standardize_columns)
    assert mibench.get_estimator("gaussian").estimate([0.0, 1.0, 2.0, 3.5], [0.1, 1.2, 1.9, 3]) > 0
