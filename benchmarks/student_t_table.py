"""How close each estimator with normal-score margins gets on bmi's Student-t tasks.

Reads a store made on the bmi-v1 suite with ``E[margins=normal-scores]`` cells (the
margins sweep: ``mibench run --suite bmi-v1 --estimators 'E[margins=standardize|
normal-scores]' --seeds 3``) and prints, per Student-t task, each estimator's mean
estimate and its relative error, marked where it is within 15 % of the truth.

bmi's ``asinh-student-identity-*`` tasks are the Student-t tasks with asinh applied to
every coordinate. A store with several sample sizes gives one row per task and N.
An increasing map of a coordinate leaves normal scores exactly as
they were (``tests/core/test_margins.py``), so to a normal-scores estimator the asinh
task is the same problem drawn with other seeds: its cells are pooled with the plain
task's (6 seeds where bmi has both, 3 where it has only the plain one).

    python benchmarks/student_t_table.py runs/margins-v1 [--out FILE]
    python benchmarks/student_t_table.py runs/studt-rows   # a plain run at N 5000-20000
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

import mibench

SUFFIX = "[margins=normal-scores]"
ASINH = re.compile(r"^transformed\[base=(.*),transform=asinh\]$")
WITHIN = 0.15


def bmi_id(task: str) -> str:
    """bmi's id of one of our Student-t selectors (``student-identity-DX-DY-DOF``)."""
    t = mibench.get_task(task)
    return f"student-identity-{t.dim}-{t.dim}-{int(t.dof)}"


def table(store: Path) -> pd.DataFrame:
    df = mibench.load_results(store)
    df = df[(df["status"] == "ok") & df["estimator"].str.endswith(SUFFIX, na=False)].copy()
    df["base"] = df["task"].str.replace(ASINH, r"\1", regex=True)
    df = df[df["base"].str.startswith("student-t[")]
    if df.empty:
        raise SystemExit(f"{store}: no Student-t cells with {SUFFIX}")
    df["est"] = df["estimator"].str.slice(0, -len(SUFFIX))
    df["bmi"] = df["base"].map(bmi_id)
    several_n = df["n"].nunique() > 1
    rows = []
    for (task, n), g in sorted(df.groupby(["bmi", "n"]),
                               key=lambda kv: (len(kv[0][0]), kv[0][0], kv[0][1])):
        truth = float(g["true_mi"].iloc[0])
        row: dict[str, object] = {"task (asinh twin pooled)": task, "truth": round(truth, 3),
                                  "seeds": int(g.groupby("est").size().min())}
        if several_n:
            row["n"] = int(n)
        for est, e in g.groupby("est", sort=False):
            rel = (e["estimate"].mean() - truth) / truth
            mark = " ✓" if abs(rel) <= WITHIN else ""
            row[str(est)] = f"{e['estimate'].mean():.3f} ({100 * rel:+.0f} %){mark}"
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path, help="result folder of the bmi-v1 margins sweep")
    ap.add_argument("--out", type=Path, help="also write the Markdown table here")
    args = ap.parse_args()
    text = table(args.store).to_markdown(index=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
