"""Two configurations of an estimator, task by task: is the candidate ever worse?

The rule behind a default chosen from a sweep (README, "Margins"): a candidate
configuration B may replace the current default A only if **no task gets worse
beyond its seed spread**. Per task (task × n), over the seeds both finished:

* e_A, e_B: mean absolute error against the true MI;
* s: the larger of the two seed standard deviations of the estimate;
* ``worse`` when e_B − e_A > s, ``better`` when e_A − e_B > s, ``same`` else; a
  seed that A finished and B did not counts B as ``worse`` on that task.

Heavy-tailed tasks (their label names Student-t) get one more column: whether
B's mean is within 15 % of the truth.

"No task worse" over tens of tasks with 3 seeds each is a multiple test: even a
candidate that is A in all but name is called worse on some task by chance. The
summary says how often (:func:`false_alarms`): with 3 seeds the chance per task is
about 4 % for an unbiased estimator and 10 % for one whose bias is a seed sd or
more, so over bmi-v1's 40 tasks and the zoo's 19 an identical configuration
passes the rule in at most 12 % of sweeps, and in well under 1 % when most tasks'
biases exceed their spread. Read a "worse on one task" against that line.

``--confirm`` adds a second stage: the tasks called worse are run again with fresh
seeds (another ``--root-seed``, 10 seeds) and a task stays worse only if it is worse
there too. A chance flag rarely repeats (0.05–1.2 % a task with 10 seeds); a real
loss does.

Reads any result folders (or parquet files) a run wrote; the pairs are estimator
labels as the run shows them::

    python benchmarks/variant_rule.py runs/margins-v1 runs/margins-zoo \\
        --pair 'mine[margins=standardize]' 'mine[margins=normal-scores]' \\
        --out benchmarks/results/margins.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import mibench

HEAVY = ("student", "cauchy")  # labels of heavy-tailed tasks (bmi's ids and the zoo's)


def load(paths: list[Path], labels_from: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every row of the given stores (no key twice), each task under its label.

    bmi's tasks carry bmi's id as their label, others are named by their selector; a
    task run outside its suite has no label, so each task takes the label any of its
    rows — or of ``labels_from``'s — carries, and rows of one task from a suite run and
    a plain run pair up.
    """
    # a folder is read from its SQLite store, which holds every committed row: its
    # results.parquet is only rewritten when a run ends, so it misses the cells of a run
    # still going or stopped by a kill
    frames = [mibench.load_results(p) for p in paths]
    d = pd.concat(frames, ignore_index=True).drop_duplicates("key")
    both = d if labels_from is None else pd.concat([d, labels_from], ignore_index=True)
    label = both.task_label.fillna("").astype(str)
    task = both.task.astype(str)
    named = label != ""
    known = label[named].groupby(task[named]).first()
    return d.assign(task_label=d.task.astype(str).map(lambda t: known.get(t, t)))


def compare(d: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """One row per task: both configurations' mean and sd, the errors and the verdict."""
    rows = []
    for (label, n), g in d[d.estimator.isin([a, b])].groupby(["task_label", "n"]):
        wide = g.pivot_table(index="seed", columns="estimator", values="estimate",
                             aggfunc="first")
        status = g.pivot_table(index="seed", columns="estimator", values="status",
                               aggfunc="first")
        if a not in status or b not in status:
            continue
        truth = float(g.true_mi.iloc[0])
        ok_a = status[a] == "ok"
        ok_b = status[b] == "ok"
        both = ok_a & ok_b
        lost = int((ok_a & ~ok_b).sum())
        ea = wide.loc[both, a].to_numpy(float)
        eb = wide.loc[both, b].to_numpy(float)
        if len(ea) == 0:
            verdict, err_a, err_b, spread = "worse" if lost else "—", np.nan, np.nan, np.nan
        else:
            err_a = float(np.mean(np.abs(ea - truth)))
            err_b = float(np.mean(np.abs(eb - truth)))
            spread = float(max(np.std(ea, ddof=1), np.std(eb, ddof=1))) if len(ea) > 1 else 0.0
            verdict = ("worse" if lost or err_b - err_a > spread
                       else "better" if err_a - err_b > spread else "same")
        heavy = any(h in str(label).lower() for h in HEAVY)
        rows.append({
            "task": label, "n": int(n), "true MI": round(truth, 3),
            a: _cell(ea), b: _cell(eb), "seeds": len(ea),
            "|err| A": err_a, "|err| B": err_b, "spread": spread, "verdict": verdict,
            "bias A": float(np.mean(ea) - truth) if len(ea) else np.nan,
            "sd A": float(np.std(ea, ddof=1)) if len(ea) > 1 else np.nan,
            "B within 15 %": (("yes" if abs(np.mean(eb) - truth) <= 0.15 * truth else "no")
                              if heavy and len(eb) else ""),
        })
    return pd.DataFrame(rows)


def false_alarms(t: pd.DataFrame, draws: int = 20_000, seed: int = 0) -> np.ndarray:
    """Per task, the chance that a configuration distributed exactly as A is called
    worse: both arms' seeds drawn from a normal with A's bias and seed sd on that task,
    as many seeds as the task has, judged by the verdict above (Monte Carlo, ``draws``
    pairs). Tasks with fewer than 2 seeds or no spread get 0.

    Why: "no task worse" over many tasks with 3 seeds a task is a multiple test; this
    says how often the rule fails a candidate that is no different from the default.
    """
    rng = np.random.default_rng(seed)
    out = np.zeros(len(t))
    for i, (bias, sd, k) in enumerate(zip(t["bias A"], t["sd A"], t["seeds"], strict=True)):
        if not (k >= 2 and np.isfinite(sd) and sd > 0):
            continue
        a, b = rng.normal(bias, sd, (2, draws, int(k)))
        spread = np.maximum(a.std(axis=1, ddof=1), b.std(axis=1, ddof=1))
        out[i] = np.mean(np.abs(b.mean(axis=1)) - np.abs(a.mean(axis=1)) > spread)
    return out


def _cell(v: np.ndarray) -> str:
    if len(v) == 0:
        return "failed"
    return f"{np.mean(v):.3f} ± {np.std(v, ddof=1):.3f}" if len(v) > 1 else f"{v[0]:.3f}"


def confirm(t: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """``t`` with a column "fresh seeds": for each task ``t`` calls worse, the verdict of
    the same comparison on fresh seeds (``fresh``: ``compare`` of stores run with another
    root seed), or "not re-run".

    Why: a task flagged by chance (see :func:`false_alarms`) is rarely flagged again on
    new seeds — with 10 the chance is 0.05–1.2 % a task — while a real loss is.
    """
    again = {(r.task, r.n): f"{r.verdict} ({r.seeds} seeds)" for r in fresh.itertuples()}
    col = [again.get((r.task, r.n), "not re-run") if r.verdict == "worse" else ""
           for r in t.itertuples()]
    return t.assign(**{"fresh seeds": col})


def summary(t: pd.DataFrame, a: str, b: str) -> str:
    counts = t.verdict.value_counts()
    worse = t[t.verdict == "worse"]
    heavy = t[t["B within 15 %"] != ""]
    line = (f"**{b}** against **{a}** on {len(t)} tasks: better on {counts.get('better', 0)}, "
            f"same within the seed spread on {counts.get('same', 0)}, worse on "
            f"{counts.get('worse', 0)}"
            + (f" ({', '.join(f'`{x}`' for x in worse.task)})" if len(worse) else "")
            + f"; mean |error| {t['|err| A'].mean():.3f} → {t['|err| B'].mean():.3f}. ")
    if len(heavy):
        line += (f"Heavy-tailed tasks within 15 % of the truth with {b}: "
                 f"{(heavy['B within 15 %'] == 'yes').sum()} of {len(heavy)}. ")
    line += ("The rule allows it as the default." if counts.get("worse", 0) == 0
             else "The rule keeps the current default.")
    p = false_alarms(t)
    line += (f" (A configuration distributed exactly as {a} would be called worse on "
             f"{p.sum():.1f} of these tasks on average, and on at least one with "
             f"probability {1 - np.prod(1 - p):.2f}: normal seeds with each task's bias and "
             f"sd of {a}.)")
    if "fresh seeds" in t:
        flagged = t[t.verdict == "worse"]["fresh seeds"]
        again = flagged.str.startswith("worse").sum()
        missing = (flagged == "not re-run").sum()
        line += (f" On fresh seeds: of the {len(flagged)} tasks called worse, {again} worse "
                 f"again, {missing} not re-run; with this confirmation the rule "
                 + ("allows it as the default." if again == missing == 0
                    else "keeps the current default."))
    return line


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path, help="result folders or parquet files")
    ap.add_argument("--pair", nargs=2, action="append", required=True, metavar=("A", "B"),
                    help="current default A and candidate B, as estimator labels")
    ap.add_argument("--confirm", nargs="+", type=Path, default=[], metavar="DIR",
                    help="stores with fresh seeds (another --root-seed) of the tasks the "
                         "first ones call worse: such a task stays worse only if it is "
                         "worse there too")
    ap.add_argument("--out", type=Path, help="also write the Markdown here")
    args = ap.parse_args()
    try:
        d = load(args.dirs)
        fresh = load(args.confirm, labels_from=d) if args.confirm else None
    except mibench.StoreError as e:
        print(f"variant_rule: {e}", file=sys.stderr)
        return 2
    parts = []
    for a, b in args.pair:
        t = compare(d, a, b)
        if fresh is not None and not t.empty:
            t = confirm(t, compare(fresh, a, b))
        if t.empty:
            print(f"no task has both {a} and {b}", file=sys.stderr)
            continue
        shown = t.drop(columns=["|err| A", "|err| B", "bias A", "sd A"]).assign(
            spread=t.spread.round(3))
        parts += [f"### {b} against {a}", "", summary(t, a, b), "",
                  shown.to_markdown(index=False), ""]
    text = "\n".join(
        ["Each configuration task by task, mean ± sd over seeds (nats); verdict: B's mean "
         "|error| against A's, beyond the larger seed sd (benchmarks/variant_rule.py).", "",
         *parts])
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
