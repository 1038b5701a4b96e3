"""What the commands share: a parser whose errors are one line, and argparse types."""

from __future__ import annotations

import argparse
from typing import NoReturn

from ..core.errors import MibenchError


class UsageError(MibenchError):
    """Bad command-line usage; ``prog`` is the command it was found by, where known."""

    def __init__(self, message: str, prog: str = "") -> None:
        super().__init__(message)
        self.prog = prog


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is a :class:`UsageError` that ``main`` prints on
    one line (argparse would print the usage block first and exit by itself)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.prog)


def int_list(text: str) -> list[int]:
    """``1000,10_000,1e4`` as integers (what they must be — positive sample sizes, say —
    is the run specification's rule)."""
    out = []
    for part in str(text).split(","):
        part = part.strip().replace("_", "")
        if not part:
            continue
        try:
            val = float(part) if ("e" in part.lower() or "." in part) else int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expects comma-separated integers such as 1000,10000; got {part!r}") from None
        if isinstance(val, float):
            if not val.is_integer():
                raise argparse.ArgumentTypeError(f"expects integers; got {part!r}")
            val = int(val)
        out.append(val)
    if not out:
        raise argparse.ArgumentTypeError("is empty; give sample sizes such as 1000,10000")
    return out


def flag(option: str) -> str:
    """The command-line spelling of a run option (``root_seed`` → ``--root-seed``)."""
    return "--" + option.replace("_", "-")
