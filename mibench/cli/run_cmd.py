"""``mibench run``: flags and a ``--config`` file become one checked RunSpec, then a run."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from typing import Any

from ..core.errors import OptionError
from ..plan.cells import PREPROCESS
from ..plan.spec import EXECUTORS, RunSpec
from ._args import UsageError, flag, int_list

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

DEFAULT_OUT = "mibench-results"
#: What the command adds to the run specification's options.
_DISPLAY = ("out", "csv", "quiet")
_NEGATED = {"no_batch_seeds": "batch_seeds"}
_SPEC_KEYS = ("estimators", "tasks", "n", "seeds", "suite", "root_seed", "device", "preprocess",
              "executor", "jobs", "threads", "timeout", "scheduler", "workers", "retry_failed")
CONFIG_KEYS = frozenset(_SPEC_KEYS + _DISPLAY + tuple(_NEGATED))


def load_config(path: str) -> dict[str, Any]:
    """A ``--config`` TOML file's options (top level or a ``[run]`` table); keys spelled
    like the flags (``retry-failed``) or like Python (``retry_failed``)."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise UsageError(f"--config file {path!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"--config file {path!r} is not valid TOML: {exc}") from None
    data = {str(k).replace("-", "_"): v for k, v in data.get("run", data).items()}
    unknown = sorted(set(data) - CONFIG_KEYS)
    if unknown:
        from ..core.errors import suggest

        raise UsageError(f"--config file {path!r}: unknown key {unknown[0]!r}."
                         + suggest(unknown[0], CONFIG_KEYS))
    if isinstance(data.get("n"), str):
        data["n"] = int_list(data["n"])
    return data


def options(args: argparse.Namespace) -> dict[str, Any]:
    """The config file's options, then the flags given (flags win)."""
    opts = load_config(args.config) if args.config else {}
    for key in CONFIG_KEYS:
        v = getattr(args, key, None)
        if v is not None and v is not False:
            opts[key] = v
    return opts


def spec_of(opts: dict[str, Any]) -> RunSpec:
    """The run specification; its rule violations come out as flag-named usage errors."""
    kwargs = {k: v for k, v in opts.items() if k in _SPEC_KEYS}
    for neg, pos in _NEGATED.items():
        if neg in opts:
            kwargs[pos] = not opts[neg]
    try:
        return RunSpec(**kwargs)
    except OptionError as exc:
        raise UsageError(exc.render(flag)) from None


def _interrupt_on_sigterm() -> None:
    """Make SIGTERM (a scheduler's or ``kill``'s stop) behave as Ctrl-C: the run
    stops its cells, keeps every finished row and exits with 130. SIGINT gets
    Python's own handler even where it was inherited as ignored (a command
    started in the background by a non-interactive shell), so that an explicit
    ``kill -INT`` always stops the run."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def cmd_run(args: argparse.Namespace) -> int:
    from ..analysis.summary import format_summary
    from ..run.runner import run_spec

    opts = options(args)
    spec = spec_of(opts)
    quiet, out = bool(opts.get("quiet")), opts.get("out", DEFAULT_OUT)
    _interrupt_on_sigterm()
    if spec.suite_defaulted and not quiet:
        print(f"no --tasks or --suite: running the {spec.suite!r} suite "
              "(see 'mibench list --suites')", flush=True)
    outcome = run_spec(spec, out, csv=bool(opts.get("csv")), progress=not quiet)
    if not quiet and not outcome.table.empty:
        print(format_summary(outcome.table))
    if outcome.relabelled:
        print(f"{outcome.relabelled} stored row{'s' if outcome.relabelled != 1 else ''} made by "
              "this same code under the earlier fingerprint scheme: relabelled, not rerun")
    if outcome.stale:
        print(f"{outcome.stale} stored row{'s' if outcome.stale != 1 else ''} of these cells "
              "came from other versions of the code: ignored (stale), their cells rerun")
    print(f"{outcome.total} cells: {outcome.ran} run now, {outcome.skipped} already stored, "
          f"{outcome.failed} failed; results in {out}")
    return 0


def add(sub: Any) -> None:
    p = sub.add_parser(
        "run", help="run estimators × tasks × sample sizes × seeds",
        description="Run a benchmark. Results are stored cell by cell in --out; rerunning "
                    "the same command resumes, running only the missing cells.")
    a = p.add_argument
    a("--estimators", "-e", metavar="LIST",
      help="estimators, e.g. 'NAME,OTHER[k=5]' (grids: 'NAME[k=3|5]'; names: mibench list)")
    a("--tasks", "-t", metavar="LIST",
      help="tasks, e.g. 'NAME[dim=20,rho=0.9]' (names: mibench list); without --tasks or "
           "--suite: the default suite")
    a("--n", metavar="LIST", type=int_list, help="sample sizes, e.g. 1000,10000")
    a("--seeds", metavar="K", type=int, help="repetitions per configuration (default 5)")
    a("--suite", metavar="NAME", help="a named suite (see 'mibench list')")
    a("--out", "-o", metavar="DIR", help=f"output folder (default {DEFAULT_OUT})")
    a("--device", metavar="DEV", help="device for estimators that take one: auto, cpu, cuda, mps")
    a("--executor", choices=EXECUTORS, help="where cells run (default serial)")
    a("--timeout", metavar="S", type=float,
      help="per-cell time limit in seconds: a cell past it is killed and stored with status "
           "'timeout'")
    a("--scheduler", metavar="ADDRESS",
      help="dask: address of an existing scheduler (tcp://host:8786)")
    a("--workers", metavar="N", type=int,
      help="dask: worker processes of the local cluster (default: --jobs)")
    a("--jobs", "-j", metavar="N", type=int, help="parallel worker processes (default 1)")
    a("--threads", metavar="N", type=int, help="BLAS/torch threads per worker")
    a("--root-seed", dest="root_seed", metavar="S", type=int,
      help="root seed of the run (default 0)")
    a("--preprocess", choices=PREPROCESS,
      help="applied to the data before estimation: standardize (per column and sample; the "
           "bmi suites' default) or none")
    a("--config", metavar="FILE", help="TOML file with the same keys as the flags")
    a("--csv", action="store_true", help="also write results.csv")
    a("--retry-failed", dest="retry_failed", action="store_true",
      help="rerun cells stored as failed")
    a("--no-batch-seeds", dest="no_batch_seeds", action="store_true",
      help="train the seeds of a neural estimator one at a time instead of together in one "
           "batched model")
    a("--quiet", "-q", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=cmd_run)
