"""One device resolver for every plugin that computes on a torch device.

``auto`` is the first accelerator in the plugin's ``accelerators`` that torch
sees (a CUDA GPU, else Apple MPS for plugins that can use it), else the CPU;
a named accelerator must be present, or the error says what torch sees. torch
is imported only to answer a question about a device other than the CPU, so
plugins that may run without it (the k-NN family on numpy) can call this too.
"""

from __future__ import annotations

from typing import Any

from .errors import ParameterError

#: Accelerators a plugin may use, in the order ``auto`` tries them.
ACCELERATORS = ("cuda", "mps")


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


def _mps_available(torch: Any) -> bool:
    mps = getattr(torch.backends, "mps", None)
    return mps is not None and bool(mps.is_available())


def resolve_device(name: str, accelerators: tuple[str, ...] = ACCELERATORS) -> str:
    """The device ``name`` stands for here: "cpu", "cuda", "cuda:N" or "mps".

    ``accelerators`` are the devices the plugin can use besides the CPU, in the
    order ``auto`` tries them (a plugin computing in float64 leaves out MPS).
    """
    if name == "cpu":
        return "cpu"
    torch = _torch()
    if name == "auto":
        for acc in accelerators:
            if torch is not None and (
                    (acc == "cuda" and torch.cuda.is_available())
                    or (acc == "mps" and _mps_available(torch))):
                return acc
        return "cpu"
    kind = name.split(":", 1)[0]
    if kind not in accelerators:
        raise ParameterError(f"device={name!r} is not one this estimator can use: "
                             f"{('auto', 'cpu', *accelerators)}")
    if torch is None:
        raise ParameterError(f"device={name!r} needs torch, which is not installed")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ParameterError(
            f"device={name!r} was requested but torch sees no CUDA GPU (torch "
            f"{torch.__version__}, CUDA build: {torch.version.cuda or 'none'}); "
            "use device='cpu' or device='auto'")
    if kind == "mps" and not _mps_available(torch):
        raise ParameterError("device='mps' was requested but Apple MPS is not available; "
                             "use device='cpu' or device='auto'")
    try:
        torch.device(name)
    except RuntimeError as exc:
        raise ParameterError(f"unknown device {name!r}: {exc}") from None
    return name
