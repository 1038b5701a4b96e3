"""Test helpers: a third-party plugin package exposed through real entry points, and the CLI."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PLUGIN_SOURCE = textwrap.dedent('''
    """A tiny third-party mibench plugin used by the tests."""
    import os
    import time

    import numpy as np

    from mibench import Estimator, Task, ContractSettings


    class DemoCorrelation(Estimator):
        """MI of a Gaussian with the Pearson correlation of the first columns."""

        description = "demo: -1/2 log(1 - r^2) of the first columns"
        contract = ContractSettings(zero_tol=0.02, easy_tol=0.05)

        def __init__(self, scale: float = 1.0) -> None:
            self.scale = scale

        def _estimate(self, x, y):
            r = np.corrcoef(x[:, 0], y[:, 0])[0, 1]
            return float(-0.5 * np.log1p(-r * r) * self.scale)


    class SlowGaussian(Estimator):
        """The demo estimator after a pause (for kill and timeout tests)."""

        description = "demo: sleeps, then estimates"
        contract = ContractSettings(zero_tol=0.02, easy_tol=0.05)

        def __init__(self, delay: float = 0.0, fail_on: int = -1, crash_on: int = -1) -> None:
            self.delay = delay
            self.fail_on = fail_on
            self.crash_on = crash_on

        def _estimate(self, x, y):
            time.sleep(self.delay)
            if self.fail_on >= 0 and x.shape[0] == self.fail_on:
                raise RuntimeError("deliberate failure")
            if self.crash_on >= 0 and x.shape[0] == self.crash_on:
                os._exit(9)  # kill this process, as a crash in native code would
            r = np.corrcoef(x[:, 0], y[:, 0])[0, 1]
            return float(-0.5 * np.log1p(-r * r))


    class Hog(Estimator):
        """Holds ``hold_mb`` megabytes in 4 KB blocks while it estimates."""

        description = "demo: allocates, then estimates 0"
        contract = ContractSettings(zero_tol=0.02, easy_tol=1.0)

        def __init__(self, hold_mb: int = 200) -> None:
            self.hold_mb = hold_mb

        def _estimate(self, x, y):
            blocks = [bytearray(4096) for _ in range(self.hold_mb * 256)]
            for b in blocks:
                b[0] = 1  # touch every block
            return float(len(blocks) * 0)


    from mibench_estimators.gaussian import GaussianEstimator


    class ConstGauss(GaussianEstimator):
        """A subclass of a built-in with no name of its own (returns a constant)."""

        def _estimate(self, x, y):
            return 42.0


    class Independent(Task):
        """Independent uniforms: MI = 0."""

        description = "demo: independent uniforms"

        def __init__(self, dim: int = 1) -> None:
            self.dim = dim

        dim_x = property(lambda self: self.dim)
        dim_y = property(lambda self: self.dim)
        mi = property(lambda self: 0.0)

        def _sample(self, n, rng):
            return rng.random((n, self.dim)), rng.random((n, self.dim))
''')

ENTRY_POINTS = textwrap.dedent('''
    [mibench.estimators]
    demo-corr = mibench_demo_plugin:DemoCorrelation
    slow-gaussian = mibench_demo_plugin:SlowGaussian
    broken-demo = mibench_demo_plugin:DoesNotExist
    const-gauss = mibench_demo_plugin:ConstGauss
    hog = mibench_demo_plugin:Hog
    gauss-alias = mibench_estimators.gaussian:GaussianEstimator

    [mibench.tasks]
    demo-independent = mibench_demo_plugin:Independent
''')


def make_plugin_dir(root: Path) -> Path:
    """Write a module and its dist-info (with entry points) into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mibench_demo_plugin.py").write_text(PLUGIN_SOURCE)
    info = root / "mibench_demo_plugin-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: mibench-demo-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    (info / "RECORD").write_text("")
    return root


def run_cli(args: list[str], env: dict[str, str] | None = None, timeout: float = 600
            ) -> subprocess.CompletedProcess[str]:
    """Run ``python -m mibench ARGS`` in a subprocess.

    ``timeout`` only guards against a hang, it is no speed check: the smoke suite
    takes seconds on a quiet machine but passed 120 s on a shared two-core one
    running five other processes.
    """
    return subprocess.run([sys.executable, "-m", "mibench", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)
