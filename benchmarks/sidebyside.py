"""Timing two or more implementations side by side, the only way a ratio means anything.

A ratio of times is only meaningful when both were taken on the same machine in
the same state: the same run, interleaved (A, B, A, B, ...), each after a
warm-up call, with repetitions so that the spread shows. The helpers here do
that and nothing else:

* :func:`interleaved` warms every candidate up once, then calls them in turn,
  ``reps`` rounds, and returns every time;
* :func:`ratio` summarises a pair: both medians, the ratio of the medians and
  the spread of the per-round ratios (each round's A against the same round's
  B, taken seconds apart);
* :class:`Worker` keeps a peer's implementation in its own interpreter (its own
  virtual environment), answering one request per line, so that it is warmed up
  once and timed inside its process;
* :class:`LoadLog` samples the machine's load average while the script runs,
  so that the results file says how busy the machine was.

Times are wall-clock (``time.perf_counter``); each candidate is a callable that
does the whole job being compared (it returns its result, kept for checks).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Timings:
    """Every round's time per candidate, the warm-up times, and the last results."""

    times: dict[str, list[float]] = field(default_factory=dict)
    warmup: dict[str, float] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])


def interleaved(candidates: dict[str, Callable[[], Any]], reps: int,
                skip_slower: float | None = None, keep: frozenset[str] = frozenset()
                ) -> Timings:
    """Warm each candidate up once, then run them in turn for ``reps`` rounds.

    With ``skip_slower``, a candidate whose warm-up took more than that many
    times the fastest warm-up is not repeated (its warm-up time stands alone):
    a floor candidate that is hopeless at some size (a KD-tree in 100
    dimensions) need not cost minutes to show it. Candidates named in ``keep``
    are always repeated.
    """
    out = Timings()
    for name, fn in candidates.items():
        t0 = time.perf_counter()
        out.result[name] = fn()
        out.warmup[name] = time.perf_counter() - t0
    fastest = min(out.warmup.values())
    live = [n for n in candidates
            if n in keep or skip_slower is None or out.warmup[n] <= skip_slower * fastest]
    for name in candidates:
        out.times[name] = [] if name in live else [out.warmup[name]]
    for _ in range(reps):
        for name in live:
            t0 = time.perf_counter()
            out.result[name] = candidates[name]()
            out.times[name].append(time.perf_counter() - t0)
    return out


@dataclass
class Ratio:
    """How much slower ``a`` is than ``b`` (>1: ``b`` is faster)."""

    a_median: float
    b_median: float
    ratio: float
    low: float
    high: float

    def text(self, digits: int = 1) -> str:
        return (f"{self.ratio:.{digits}f}× ({self.low:.{digits}f}–{self.high:.{digits}f})")


def ratio(a: list[float], b: list[float]) -> Ratio:
    """Ratio of the medians of ``a`` and ``b``, and the range of the per-round
    ratios (rounds paired by position; unpaired extra rounds are ignored)."""
    per_round = [x / y for x, y in zip(a, b, strict=False)]
    am, bm = statistics.median(a), statistics.median(b)
    return Ratio(am, bm, am / bm, min(per_round), max(per_round))


class LoadLog:
    """The 1-minute load average, sampled whenever :meth:`sample` is called."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.sample()

    def sample(self) -> None:
        self.samples.append(os.getloadavg()[0])

    def text(self) -> str:
        """One line for a results file: the machine, its cores and the load seen."""
        self.sample()
        s = self.samples
        return (f"Machine: {platform.machine()} {platform.processor() or ''}".rstrip()
                + f", {os.cpu_count()} cores; 1-min load average during the run "
                f"{min(s):.2f}–{max(s):.2f} (median {statistics.median(s):.2f}, "
                f"{len(s)} samples; this script itself adds about 1 while it computes).")


class Worker:
    """A script run by another interpreter, answering requests one line at a time.

    The script prints ``ready`` once set up, then reads one request per line from
    stdin and prints one JSON object per line, ``{"value": ..., "seconds": ...}``
    (the seconds measured inside the worker).
    """

    def __init__(self, python: str, script: str, args: list[str], what: str) -> None:
        self.proc = subprocess.Popen([python, "-c", script, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit(f"the {what} worker did not start")

    def ask(self, request: str) -> tuple[float, float]:
        """The worker's value and its own time for one request."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(request + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return answer["value"], answer["seconds"]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()
