"""Code fingerprints cover a plugin's own helper modules, not only its file, and
only what runs: documentation edits keep them."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mibench.plan import fingerprint as fp


def _write_package(root: Path, helper_value: int) -> None:
    pkg = root / "fp_demo_pkg"
    (pkg / "sub").mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "tools.py").write_text("def double(v):\n    return 2 * v\n")
    (pkg / "_helper.py").write_text(f"VALUE = {helper_value}\n")
    (pkg / "unrelated.py").write_text("X = 1\n")
    (pkg / "est.py").write_text(
        "from fp_demo_pkg.sub.tools import double\n\n\n"
        "class Est:\n"
        "    def value(self):\n"
        "        from ._helper import VALUE  # imported only when needed\n"
        "        return double(VALUE)\n")


def _load(root: Path) -> type:
    for name in [m for m in sys.modules if m.startswith("fp_demo_pkg")]:
        del sys.modules[name]
    importlib.invalidate_caches()
    return importlib.import_module("fp_demo_pkg.est").Est  # type: ignore[no-any-return]


@pytest.fixture
def package_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("fp_demo_pkg")]:
        del sys.modules[name]


def test_helper_modules_are_part_of_the_fingerprint(package_root: Path) -> None:
    _write_package(package_root, 1)
    cls = _load(package_root)
    names = {f.relative_to(package_root.resolve()).as_posix() for f in fp._source_files(cls)}
    # its own file, the helper imported inside a method, the absolute import and the
    # package it runs through; not the sibling module nobody imports
    assert names == {"fp_demo_pkg/est.py", "fp_demo_pkg/_helper.py",
                     "fp_demo_pkg/sub/tools.py", "fp_demo_pkg/sub/__init__.py"}
    first = fp.fingerprint(cls)

    _write_package(package_root, 2)  # only the helper changes
    changed = _load(package_root)
    assert changed().value() == 4
    assert fp.fingerprint(changed) != first

    _write_package(package_root, 2)
    (package_root / "fp_demo_pkg" / "unrelated.py").write_text("X = 2\n")
    same = _load(package_root)
    assert fp.fingerprint(same) == fp.fingerprint(changed)


def test_documentation_edits_keep_the_fingerprint(package_root: Path) -> None:
    _write_package(package_root, 1)
    first = fp.fingerprint(_load(package_root))
    est = package_root / "fp_demo_pkg" / "est.py"
    source = est.read_text()
    documented = '"""A module docstring."""\n' + source.replace(
        "class Est:\n", 'class Est:\n    """What it does,\n\n    at length."""\n\n'
    ).replace("        return double(VALUE)\n",
              "        # a comment\n        return double(VALUE)  # trailing\n")
    assert documented != source
    est.write_text(documented)
    assert fp.fingerprint(_load(package_root)) == first

    # a string that does not open a body is not a docstring: it counts as code
    est.write_text(documented.replace("        return double(VALUE)",
                                      "        'not a docstring'\n        return double(VALUE)"))
    assert fp.fingerprint(_load(package_root)) != first
