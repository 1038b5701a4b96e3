"""One device resolver: what auto means, and a clear error for a device that is not there."""

from __future__ import annotations

import pytest

from mibench.core.devices import resolve_device
from mibench.core.errors import ParameterError

torch = pytest.importorskip("torch")


def test_cpu_and_auto() -> None:
    assert resolve_device("cpu") == "cpu"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    # the k-NN brute force computes in float64, so it never takes Apple's MPS
    assert resolve_device("auto", accelerators=("cuda",)) == expected


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_an_absent_gpu_is_a_clear_error() -> None:
    with pytest.raises(ParameterError, match="torch sees no CUDA GPU"):
        resolve_device("cuda:0")


def test_a_device_the_plugin_cannot_use() -> None:
    with pytest.raises(ParameterError, match="is not one this estimator can use"):
        resolve_device("mps", accelerators=("cuda",))


def test_no_plugin_asks_torch_for_devices_itself() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    asks = [str(f.relative_to(root)) for d in ("estimators", "mibench")
            for f in (root / d).rglob("*.py")
            if "cuda.is_available" in f.read_text() and f.name != "devices.py"
            and f.name != "measure.py"]  # the memory reading asks whether to read GPU memory
    assert not asks, asks
