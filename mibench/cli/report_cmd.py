"""``mibench report`` (tables, figures, a page) and ``mibench scaling`` (cost verdicts)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any


def cmd_report(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..core.errors import ParameterError
    from ..report import write_report
    from ..store.sqlite import load_results

    t0 = time.perf_counter()
    tables = [load_results(d) for d in args.dirs]
    table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    if table.empty:
        raise ParameterError(f"no result rows in {', '.join(map(repr, args.dirs))}")
    if len(args.dirs) > 1 and not args.out:
        raise ParameterError("several result folders make one report: give --out DIR")
    out = Path(args.out) if args.out else Path(args.dirs[0]) / "report"
    written = write_report(table, out, stat=args.stat, bits=args.bits,
                           figures_on=not args.no_figures)
    print((out / "table.md").read_text())
    print(f"wrote {len(written)} files to {out} in {time.perf_counter() - t0:.1f} s "
          f"(open {out / 'report.html'})")
    return 0


def cmd_scaling(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..analysis.scaling import scaling_rows, step_scaling_rows
    from ..core.factory import get_estimator
    from ..core.registry import estimators
    from ..store.sqlite import load_results

    frames = [load_results(d) for d in args.dirs]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    rows = [scaling_rows(table)] if not table.empty else []
    if args.measure_steps:
        # the estimators of the given results, or every available one, that time steps
        names = (list(dict.fromkeys(table["estimator_name"])) if not table.empty
                 else [e.name for e in estimators.entries() if e.available])
        for name in names:
            timing = get_estimator(name).step_timing(device=args.device)
            if timing:
                rows.append(step_scaling_rows(name, timing))
    res = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if res.empty:
        print("no scaling axis found: give result folders with several n or dimensions "
              "(e.g. from suites that sweep n or dimension) or --measure-steps")
        return 0
    with pd.option_context("display.width", 250, "display.max_colwidth", 60,
                           "display.max_rows", 200):
        print(res.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    return 0


def add(sub: Any) -> None:
    from ..report.tables import STATS

    pr = sub.add_parser("report", help="tables, figures and an HTML page from a results folder")
    pr.add_argument("dirs", nargs="+", metavar="DIR",
                    help="output folder of a run (or a results .parquet/.csv); several make "
                         "one report (ranks across all their tasks)")
    pr.add_argument("--out", help="report folder (default DIR/report; needed for several)")
    pr.add_argument("--stat", default="mean_ci", choices=STATS,
                    help="table cells: mean_ci (mean [95%% CI], default), mean_std or bias_rmse")
    pr.add_argument("--bits", action="store_true", help="show MI in bits instead of nats")
    pr.add_argument("--no-figures", action="store_true", help="tables only")
    pr.set_defaults(func=cmd_report)
    ps = sub.add_parser("scaling", help="fit cost against n and dimension; print verdicts")
    ps.add_argument("dirs", nargs="*",
                    help="results folders (e.g. runs of suites that sweep n and dimension)")
    ps.add_argument("--measure-steps", action="store_true",
                    help="also time the training step of estimators trained by steps "
                         "(those in DIRS, or all) against batch size and dimension")
    ps.add_argument("--device", default="cpu", help="device for --measure-steps")
    ps.set_defaults(func=cmd_scaling)
