"""``mibench repair DIR``: rebuild a damaged result store (:mod:`mibench.store.repair`)."""

from __future__ import annotations

import argparse
from typing import Any


def cmd_repair(args: argparse.Namespace) -> int:
    from ..store.repair import repair

    rep = repair(args.dir)
    kept = f"; the damaged files are in {rep.kept_as}" if rep.kept_as else ""
    print(f"rebuilt the store in {args.dir}: {rep.from_store} rows read from the damaged store, "
          f"{rep.from_export} more from its last export, {rep.total} in all{kept}")
    return 0


def add(sub: Any) -> None:
    p = sub.add_parser("repair", help="rebuild a damaged result store from its readable rows "
                                      "and results.parquet")
    p.add_argument("dir", help="output folder of a run")
    p.set_defaults(func=cmd_repair)
