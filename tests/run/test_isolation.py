"""The isolated cell process (used with a per-cell timeout) charges a cell only for its own work."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mibench.plan import Cell
from mibench.run.isolation import run_unit_isolated

# A plugin whose import takes longer than the cell's time limit, and whose
# estimate is instant: the import (plugin discovery, the same for every cell)
# is start-up, not the cell's work.
SLOW_IMPORT_PLUGIN = textwrap.dedent('''
    import time

    from mibench import Estimator

    time.sleep(4.0)


    class QuickAfterSlowImport(Estimator):
        """Slow to import, instant to estimate."""

        description = "test: slow import, instant estimate"

        def _estimate(self, x, y):
            return 0.0
''')


def test_plugin_import_is_not_charged_to_the_cell(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mibench_slow_import.py").write_text(SLOW_IMPORT_PLUGIN)
    info = tmp_path / "mibench_slow_import-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mibench-slow-import\n"
                                   "Version: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[mibench.estimators]\nslow-import = mibench_slow_import:QuickAfterSlowImport\n")
    (info / "RECORD").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # seen by the fresh interpreter only
    cell = Cell(key="slow-import-cell", estimator="slow-import", estimator_name="slow-import",
                estimator_params="{}", task="gaussian", task_name="gaussian", task_params="{}",
                n=100, rep=0, data_seed=1, estimator_seed=2, root_seed=0, dim_x=1, dim_y=1,
                true_mi=0.0)
    (row,) = run_unit_isolated([cell], threads=1, timeout=3.0, fresh=True)
    assert row["status"] == "ok", row["error"]
    assert row["estimate"] == 0.0
