"""Shared fixtures: a third-party plugin package exposed through real entry points."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import make_plugin_dir


@pytest.fixture(scope="session")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_plugin_dir(tmp_path_factory.mktemp("thirdparty"))


@pytest.fixture
def plugin_env(plugin_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(plugin_dir) + os.pathsep + env.get("PYTHONPATH", "")
    return env
