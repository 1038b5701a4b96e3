"""``mibench list``: estimators, tasks and suites, with parameters and cell counts."""

from __future__ import annotations

import argparse
import inspect
from typing import Any

from ..core.params import format_value
from ..core.registry import Registry, estimators, tasks
from ..plan.suites import all_suites


def _default(v: Any) -> str:
    return "(required)" if v is inspect.Parameter.empty else format_value(v)


def _plugins(title: str, reg: Registry[Any]) -> list[str]:
    lines = [f"{title}:"]
    for e in reg.entries():
        if e.obj is None or e.reason:
            lines.append(f"  {e.name:<18} UNAVAILABLE: {e.reason}")
            if e.obj is None:
                continue
        else:
            lines.append(f"  {e.name:<18} {getattr(e.obj, 'description', '') or ''}")
        params = e.obj.param_defaults()
        if params:
            lines.append("  " + " " * 19 + ", ".join(
                f"{k}={_default(v)}" for k, v in params.items()))
    return lines


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _suites() -> list[str]:
    lines = ["Suites:"]
    for s in all_suites():
        per_est = s.n_task_cells()
        cost = sum(s.cost_per_cell_s.get(e, 1.0) for e in s.estimators) * per_est
        lines.append(f"  {s.name:<18} {s.description}")
        lines.append(" " * 21 + f"{per_est} cells per estimator; default estimators "
                     f"{','.join(s.estimators)} ({per_est * len(s.estimators)} cells, about "
                     f"{_duration(cost)} on one core)")
    return lines


def cmd_list(args: argparse.Namespace) -> int:
    if args.columns:
        from ..store.schema import columns_markdown

        print(columns_markdown(), end="")
        return 0
    show_all = not (args.estimators or args.tasks or args.suites)
    blocks = []
    if show_all or args.estimators:
        blocks.append(_plugins("Estimators", estimators))
    if show_all or args.tasks:
        blocks.append(_plugins("Tasks", tasks))
    if show_all or args.suites:
        blocks.append(_suites())
    print("\n\n".join("\n".join(b) for b in blocks))
    return 0


def add(sub: Any) -> None:
    p = sub.add_parser("list", help="list estimators, tasks and suites with their parameters")
    p.add_argument("--estimators", action="store_true", help="only estimators")
    p.add_argument("--tasks", action="store_true", help="only tasks")
    p.add_argument("--suites", action="store_true", help="only suites")
    p.add_argument("--columns", action="store_true",
                   help="the columns of a results table (Markdown), and what each holds")
    p.set_defaults(func=cmd_list)
