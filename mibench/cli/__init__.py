"""The command line, one module per command: ``mibench list | run | report | scaling |
repair``."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..core.errors import MibenchError, StoreFullError
from . import list_cmd, repair_cmd, report_cmd, run_cmd
from ._args import Parser, UsageError


def build_parser() -> Parser:
    p = Parser(prog="mibench",
               description="Benchmark mutual-information estimators on tasks with known MI.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in (list_cmd, run_cmd, report_cmd, repair_cmd):
        command.add(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"{exc.prog or 'mibench'}: error: {exc}", file=sys.stderr)
        return 2
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except StoreFullError as exc:  # the run started and stopped: not a usage error
        print(f"mibench {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except MibenchError as exc:
        print(f"mibench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mibench: interrupted; finished cells are stored, rerun to resume",
              file=sys.stderr)
        return 130


__all__ = ["UsageError", "build_parser", "main"]
