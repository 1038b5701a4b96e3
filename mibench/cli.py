"""Command-line interface: ``mibench list | run | report``."""

from __future__ import annotations

import argparse
import inspect
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import MibenchError, ParameterError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


class UsageError(MibenchError):
    """Bad command-line usage."""


# -- helpers -----------------------------------------------------------------

def _int_list(text: str) -> list[int]:
    out = []
    for part in str(text).split(","):
        part = part.strip().replace("_", "")
        if not part:
            continue
        try:
            val = float(part) if ("e" in part.lower() or "." in part) else int(part)
        except ValueError:
            raise UsageError(
                f"--n expects comma-separated positive integers; got {part!r}") from None
        if isinstance(val, float):
            if not val.is_integer():
                raise UsageError(f"--n expects integers; got {part!r}")
            val = int(val)
        if val <= 0:
            raise UsageError(f"--n values must be positive sample sizes; got {val}")
        out.append(val)
    if not out:
        raise UsageError("--n is empty; give sample sizes such as --n 1000,10000")
    return out


def _positive_int(flag: str, value: Any) -> int:
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise UsageError(f"{flag} expects a positive integer; got {value!r}") from None
    if v <= 0 or (isinstance(value, float) and not value.is_integer()):
        raise UsageError(f"{flag} expects a positive integer; got {value!r}")
    return v


def _fmt_default(v: Any) -> str:
    from .base import format_value

    if v is inspect.Parameter.empty:
        return "(required)"
    return format_value(v)


# -- list --------------------------------------------------------------------

def cmd_list(args: argparse.Namespace) -> int:
    from . import registry
    from .suites import all_suites

    show_all = not (args.estimators or args.tasks or args.suites)
    lines: list[str] = []
    for title, reg, flag in (("Estimators", registry.estimators, args.estimators),
                             ("Tasks", registry.tasks, args.tasks)):
        if not (show_all or flag):
            continue
        lines.append(f"{title}:")
        for e in reg.entries():
            if e.obj is None or e.reason:
                lines.append(f"  {e.name:<18} UNAVAILABLE: {e.reason}")
                if e.obj is None:
                    continue
            desc = getattr(e.obj, "description", "") or ""
            if not e.reason:
                lines.append(f"  {e.name:<18} {desc}")
            params = e.obj.param_defaults()
            if params:
                lines.append("  " + " " * 19 + ", ".join(
                    f"{k}={_fmt_default(v)}" for k, v in params.items()))
        lines.append("")
    if show_all or args.suites:
        lines.append("Suites:")
        for s in all_suites():
            per_est = s.n_task_cells()
            ests = ",".join(s.estimators)
            cost = sum(s.cost_per_cell_s.get(e, 1.0) for e in s.estimators) * per_est
            lines.append(f"  {s.name:<18} {s.description}")
            lines.append(" " * 21 + f"{per_est} cells per estimator; default estimators {ests} "
                         f"({per_est * len(s.estimators)} cells, about {_duration(cost)} "
                         "on one core)")
        lines.append("")
    print("\n".join(lines).rstrip())
    return 0


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


# -- run ---------------------------------------------------------------------

_CONFIG_KEYS = {
    "estimators", "tasks", "n", "seeds", "suite", "out", "device", "executor", "jobs",
    "threads", "root_seed", "preprocess", "csv", "retry_failed", "quiet", "no_batch_seeds",
    "timeout", "scheduler", "workers",
}


def _load_config(path: str) -> dict[str, Any]:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text())
    except FileNotFoundError:
        raise UsageError(f"--config file {path!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"--config file {path!r} is not valid TOML: {exc}") from None
    data = data.get("run", data)
    # keys may be spelled like the flags (retry-failed) or like Python (retry_failed)
    data = {str(k).replace("-", "_"): v for k, v in data.items()}
    unknown = set(data) - _CONFIG_KEYS
    if unknown:
        from .errors import suggest

        k = sorted(unknown)[0]
        raise UsageError(f"--config file {path!r}: unknown key {k!r}."
                         + suggest(k, _CONFIG_KEYS))
    return {k.replace("-", "_"): v for k, v in data.items()}


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]


def resolve_run_options(args: argparse.Namespace) -> dict[str, Any]:
    """Merge defaults, the --config file and flags (flags win)."""
    opts: dict[str, Any] = {
        "estimators": None, "tasks": None, "n": None, "seeds": None, "suite": None,
        "out": "mibench-results", "device": None, "executor": "serial", "jobs": 1,
        "threads": None, "root_seed": 0, "preprocess": None, "csv": False,
        "retry_failed": False, "quiet": False,
        "no_batch_seeds": False, "timeout": None, "scheduler": None, "workers": None,
    }
    if args.config:
        opts.update(_load_config(args.config))
    for k in opts:
        v = getattr(args, k, None)
        if v is not None and v is not False:
            opts[k] = v
    if isinstance(opts["n"], (int, float)):
        opts["n"] = [opts["n"]]
    if isinstance(opts["n"], str):
        opts["n"] = _int_list(opts["n"])
    elif isinstance(opts["n"], list):
        opts["n"] = _int_list(",".join(str(v) for v in opts["n"]))
    if opts["seeds"] is not None:
        opts["seeds"] = _positive_int("--seeds", opts["seeds"])
    opts["jobs"] = _positive_int("--jobs", opts["jobs"])
    if opts["threads"] is not None:
        opts["threads"] = _positive_int("--threads", opts["threads"])
    if opts["workers"] is not None:
        opts["workers"] = _positive_int("--workers", opts["workers"])
    if opts["timeout"] is not None:
        try:
            opts["timeout"] = float(opts["timeout"])
        except (TypeError, ValueError):
            raise UsageError(f"--timeout expects seconds; got {opts['timeout']!r}") from None
        if not (opts["timeout"] > 0 and math.isfinite(opts["timeout"])):
            raise UsageError("--timeout must be a positive, finite number of seconds; "
                             f"got {opts['timeout']}")
    try:
        opts["root_seed"] = int(opts["root_seed"])
    except (TypeError, ValueError):
        raise UsageError(f"--root-seed expects an integer >= 0; got {opts['root_seed']!r}") \
            from None
    if opts["root_seed"] < 0:
        raise UsageError(f"--root-seed expects an integer >= 0; got {opts['root_seed']}")
    if (opts["scheduler"] or opts["workers"]) and opts["executor"] != "dask":
        raise UsageError("--scheduler and --workers apply to --executor dask")
    return opts


def _executor_options(o: dict[str, Any]) -> dict[str, Any]:
    opts: dict[str, Any] = {"timeout": o["timeout"]}
    if o["executor"] == "dask":
        opts.update(scheduler=o["scheduler"], workers=o["workers"])
    return opts


def _interrupt_on_sigterm() -> None:
    """Make SIGTERM (a scheduler's or ``kill``'s stop) behave as Ctrl-C: the run
    stops its cells, keeps every finished row and exits with 130. SIGINT gets
    Python's own handler even where it was inherited as ignored (a command
    started in the background by a non-interactive shell), so that an explicit
    ``kill -INT`` always stops the run."""
    import signal

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def cmd_run(args: argparse.Namespace) -> int:
    from .plan import PREPROCESS, RunSpec
    from .runner import run_spec
    from .summary import format_summary

    o = resolve_run_options(args)
    _interrupt_on_sigterm()
    if not o["suite"] and not o["tasks"]:
        if o["n"]:
            raise UsageError("--n goes with --tasks (e.g. --tasks 'NAME[dim=2]' "
                             "--n 1000,10000); without --tasks the default suite fixes n")
        from .suites import DEFAULT_SUITE

        o["suite"] = DEFAULT_SUITE
        if not o["quiet"]:
            print(f"no --tasks or --suite: running the {DEFAULT_SUITE!r} suite "
                  "(see 'mibench list --suites')", flush=True)
    if not o["suite"]:
        if not o["estimators"]:
            raise UsageError("give --estimators (e.g. --estimators gaussian) or --suite NAME")
        if not o["n"]:
            raise UsageError("give --n (e.g. --n 1000,10000) or --suite NAME")
    elif o["tasks"]:
        raise UsageError("--suite fixes its tasks; do not combine it with --tasks "
                         "(--n and --seeds override the suite's sample sizes and seeds)")
    if o["preprocess"] is not None and o["preprocess"] not in PREPROCESS:
        raise UsageError(f"--preprocess expects one of {', '.join(PREPROCESS)}; "
                         f"got {o['preprocess']!r}")
    spec = RunSpec(
        estimators=_as_list(o["estimators"]),
        tasks=_as_list(o["tasks"]),
        n=o["n"] or [],
        seeds=o["seeds"],
        suite=o["suite"],
        root_seed=int(o["root_seed"]),
        device=o["device"],
        preprocess=o["preprocess"],
    )
    outcome = run_spec(spec, o["out"], executor=o["executor"], jobs=o["jobs"],
                       threads=o["threads"], retry_failed=bool(o["retry_failed"]),
                       batch_seeds=not o["no_batch_seeds"],
                       executor_options=_executor_options(o),
                       csv=bool(o["csv"]), progress=not o["quiet"])
    if not o["quiet"] and not outcome.table.empty:
        print(format_summary(outcome.table))
    if outcome.relabelled:
        print(f"{outcome.relabelled} stored row{'s' if outcome.relabelled != 1 else ''} made by "
              "this same code under the earlier fingerprint scheme: relabelled, not rerun")
    if outcome.stale:
        print(f"{outcome.stale} stored row{'s' if outcome.stale != 1 else ''} of these cells "
              "came from other versions of the code: ignored (stale), their cells rerun")
    print(f"{outcome.total} cells: {outcome.ran} run now, {outcome.skipped} already stored, "
          f"{outcome.failed} failed; results in {o['out']}")
    return 0


# -- parser --------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mibench",
        description="Benchmark mutual-information estimators on tasks with known MI.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    pl = sub.add_parser("list", help="list estimators, tasks and suites with their parameters")
    pl.add_argument("--estimators", action="store_true", help="only estimators")
    pl.add_argument("--tasks", action="store_true", help="only tasks")
    pl.add_argument("--suites", action="store_true", help="only suites")
    pl.set_defaults(func=cmd_list)

    pr = sub.add_parser(
        "run", help="run estimators × tasks × sample sizes × seeds",
        description="Run a benchmark. Results are stored cell by cell in --out; rerunning "
                    "the same command resumes, running only the missing cells.",
    )
    pr.add_argument("--estimators", "-e", metavar="LIST",
                    help="estimators, e.g. 'NAME,OTHER[k=5]' (grids: 'NAME[k=3|5]'; names: "
                         "mibench list)")
    pr.add_argument("--tasks", "-t", metavar="LIST",
                    help="tasks, e.g. 'NAME[dim=20,rho=0.9]' (names: mibench list)")
    pr.add_argument("--n", metavar="LIST", help="sample sizes, e.g. 1000,10000")
    pr.add_argument("--seeds", metavar="K", help="repetitions per configuration (default 5)")
    pr.add_argument("--suite", metavar="NAME", help="a named suite (see 'mibench list')")
    pr.add_argument("--out", "-o", metavar="DIR", help="output folder (default mibench-results)")
    pr.add_argument("--device", metavar="DEV",
                    help="device for estimators that take one: auto, cpu, cuda, mps")
    pr.add_argument("--executor", metavar="NAME", help="serial (default), process or dask")
    pr.add_argument("--timeout", metavar="S",
                    help="per-cell time limit in seconds: a cell past it is killed and "
                         "stored with status 'timeout'")
    pr.add_argument("--scheduler", metavar="ADDRESS",
                    help="dask: address of an existing scheduler (tcp://host:8786)")
    pr.add_argument("--workers", metavar="N",
                    help="dask: worker processes of the local cluster (default: --jobs)")
    pr.add_argument("--jobs", "-j", metavar="N", help="parallel worker processes (default 1)")
    pr.add_argument("--threads", metavar="N", help="BLAS/torch threads per worker")
    pr.add_argument("--root-seed", dest="root_seed", metavar="S",
                    help="root seed of the run (default 0)")
    pr.add_argument("--preprocess", metavar="KIND",
                    help="none or standardize (per-column, per-sample; the bmi suites' "
                         "default) applied to the data before estimation")
    pr.add_argument("--config", metavar="FILE", help="TOML file with the same keys as the flags")
    pr.add_argument("--csv", action="store_true", help="also write results.csv")
    pr.add_argument("--retry-failed", dest="retry_failed", action="store_true",
                    help="rerun cells stored as failed")
    pr.add_argument("--no-batch-seeds", dest="no_batch_seeds", action="store_true",
                    help="train the seeds of a neural estimator one at a time instead of "
                         "together in one batched model")
    pr.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    pr.set_defaults(func=cmd_run)
    from .report_cli import add_commands

    add_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (UsageError, ParameterError, MibenchError) as exc:
        print(f"mibench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mibench: interrupted; finished cells are stored, rerun to resume",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
