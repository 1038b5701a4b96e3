"""The results table: its cells, and the Markdown, LaTeX and HTML renderings (pandas).

:func:`results_table` lays out estimators as columns and task × n as rows;
each cell is "mean [95 % CI]" (``stat="mean_ci"``, the default: a Student-t
interval over seeds, or the number of seeds and "no CI" where fewer than 3
are ok), "mean ± sd" (``mean_std``) or "bias / RMSE" (``bias_rmse``). Bold are the row's best
and every entry not significantly worse than it by a paired test over seeds
(:mod:`mibench.analysis.paired`: of the absolute errors, or of the squared errors
for ``bias_rmse``); a row with too few paired seeds for the test is left unmarked.
The renderings are
pandas' own (``DataFrame.to_markdown`` through tabulate, ``Styler.to_latex``
and ``Styler.to_html``, which also escape the text); this module only says
what goes into the cells and which are bold.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..analysis.metrics import MIN_SEEDS_T
from ..analysis.paired import MIN_PAIRS, RowMarks, describe_test
from .context import Units

STATS = ("mean_ci", "mean_std", "bias_rmse")
CAPTIONS = {
    "mean_ci": (f"Mean over seeds [95 % Student-t interval]; no interval below "
                f"{MIN_SEEDS_T} ok seeds."),
    "mean_std": "Mean ± sd over seeds.",
    "bias_rmse": "Bias / RMSE over seeds.",
}


def check_stat(stat: str) -> str:
    """The one check of the table statistic (the command line offers these as choices)."""
    if stat not in STATS:
        from ..core.errors import ParameterError

        raise ParameterError(f"stat must be one of {', '.join(STATS)}; got {stat!r}")
    return stat


def _cell(r: pd.Series, stat: str, u: Units) -> str:
    """One table cell's text."""
    if not np.isfinite(r["mean"]):
        text = "failed"
    elif stat == "mean_ci" and np.isfinite(r["mean_lo"]):
        text = f"{u(r['mean']):.3f} [{u(r['mean_lo']):.3f}, {u(r['mean_hi']):.3f}]"
    elif stat == "mean_ci":
        text = f"{u(r['mean']):.3f} ({int(r['seeds'])} seeds, no CI)"
    elif stat == "mean_std":
        sd = "" if not np.isfinite(r["std"]) else f" ± {u(r['std']):.3f}"
        text = f"{u(r['mean']):.3f}{sd}"
    else:
        text = f"{u(r['bias']):+.3f} / {u(r['rmse']):.3f}"
    if r["failures"]:
        text += f" ({r['failures']} failed)"
    if np.isfinite(r["ceiling"]) and r["true_mi"] >= r["ceiling"]:
        text += " †"
    return text


def results_table(m: pd.DataFrame, stat: str = "mean_ci", units: Units | None = None,
                  marks: dict[tuple[str, int], RowMarks] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells as text, mask of marked entries): rows task × n, a "true MI" column, then
    one column per estimator; ``marks`` from :func:`mibench.analysis.paired.paired_marks`."""
    stat, u = check_stat(stat), units or Units()
    ests = list(dict.fromkeys(m["estimator"]))
    keys = list(dict.fromkeys(zip(m["task"], m["n"], strict=True)))
    index = pd.MultiIndex.from_tuples(keys, names=["task", "n"])
    text = pd.DataFrame("", index=index, columns=ests)
    best = pd.DataFrame(False, index=index, columns=ests)
    truth = {}
    for (task, n), g in m.groupby(["task", "n"], sort=False):
        se = g["truth_se"].iloc[0]
        truth[(task, n)] = f"{u(g['true_mi'].iloc[0]):.3f}" + (
            f" ± {u(se):.3f}" if se > 0 else "")
        for _, r in g.iterrows():
            text.loc[(task, n), r["estimator"]] = _cell(r, stat, u)
        row = (marks or {}).get((str(task), int(n)))
        for est in row.marked if row is not None and len(g) > 1 else ():
            best.loc[(task, n), est] = True
    text.insert(0, "true MI", [truth[k] for k in keys])
    best.insert(0, "true MI", False)
    return text, best


def ceiling_footnote(m: pd.DataFrame, units: Units | None = None) -> str:
    """One sentence naming each estimator's ceiling (the most it can report), or ''."""
    u = units or Units()
    if not np.isfinite(m["ceiling"]).any():
        return ""
    parts = []
    for est, g in m[np.isfinite(m["ceiling"])].groupby("estimator", sort=False):
        lo, hi = u(g["ceiling"].min()), u(g["ceiling"].max())
        span = f"{lo:.2f}" if math.isclose(lo, hi, rel_tol=1e-3) else f"{lo:.2f}–{hi:.2f}"
        parts.append(f"{est} {span} ({g['ceiling_note'].iloc[0]})")
    return ("Ceilings, the most an estimator can report whatever the truth: "
            + "; ".join(parts) + ". †: the true MI is at or above the estimator's ceiling, "
            "so a shortfall there is the method's limit, not a training failure.")


def caption(m: pd.DataFrame, stat: str, units: Units) -> str:
    """The table's caption: what a cell holds, the ceilings, the unit and the bold rule."""
    test = describe_test(check_stat(stat) == "bias_rmse")
    parts = [CAPTIONS[stat], ceiling_footnote(m, units),
             f"MI in {units.name}. Bold: the row's best and every entry not significantly "
             f"worse ({test}); a row without bold has fewer than {MIN_PAIRS} seeds that two "
             "estimators both finished, too few for the test."]
    return " ".join(p for p in parts if p)


def _flat(text: pd.DataFrame) -> pd.DataFrame:
    """The table with task and n as columns (n with thousands separators)."""
    flat = text.reset_index()
    flat["n"] = [f"{int(n):,}" for n in flat["n"]]
    return flat


def _bold(best: pd.DataFrame, flat: pd.DataFrame, css: str) -> pd.DataFrame:
    """Per-cell style strings for :meth:`pandas.io.formats.style.Styler.apply`."""
    mask = best.reset_index(drop=True).reindex(columns=flat.columns, fill_value=False)
    return pd.DataFrame(np.where(mask.to_numpy(dtype=bool), css, ""), index=flat.index,
                        columns=flat.columns)


def to_markdown(text: pd.DataFrame, best: pd.DataFrame, note: str) -> str:
    """GitHub Markdown (tabulate's pipe format), bold best entries, ``note`` below."""
    flat = _flat(text)
    bold = _bold(best, flat, "**")
    shown = flat.astype(str).where(bold == "", "**" + flat.astype(str) + "**")
    shown["task"] = "`" + shown["task"] + "`"
    md = shown.to_markdown(index=False, disable_numparse=True,
                           colalign=["left"] + ["right"] * (shown.shape[1] - 1))
    return f"{md}\n\n{note}\n"


def to_tex(value: object) -> str:
    """Text as LaTeX: its special characters escaped and its symbols (±, †, α, χ², −)
    written as macros plain pdflatex knows, by pylatexenc."""
    from pylatexenc.latexencode import unicode_to_latex

    return str(unicode_to_latex(str(value)))


def latex_table(df: pd.DataFrame, note: str, column_format: str, *, index: bool = False,
                bold: pd.DataFrame | None = None, code: tuple[str, ...] = ()) -> str:
    """A LaTeX ``table`` of ``df`` (``\\hline`` rules, no packages needed) by pandas'
    Styler, the ``note`` as its caption; ``bold`` a frame of style strings, ``code``
    columns set in typewriter type."""
    sty = df.style.format(to_tex).format_index(to_tex, axis=1).format_index(to_tex, axis=0)
    if code:
        sty = sty.format({c: lambda s: rf"\texttt{{{to_tex(s)}}}" for c in code})
    if bold is not None:
        sty = sty.apply(lambda _: bold, axis=None)
    if not index:
        sty = sty.hide(axis="index")
    sty = sty.set_table_styles([{"selector": r, "props": ":hline;"}
                                for r in ("toprule", "midrule", "bottomrule")])
    return str(sty.to_latex(column_format=column_format, position="t",
                            position_float="centering", caption=to_tex(note),
                            environment="table"))


def to_latex(text: pd.DataFrame, best: pd.DataFrame, note: str) -> str:
    """The results table in LaTeX, marked entries bold."""
    flat = _flat(text)
    return latex_table(flat, note, "ll" + "r" * (flat.shape[1] - 2),
                       bold=_bold(best, flat, "textbf:--rwrap;"), code=("task",))


def to_html(text: pd.DataFrame, best: pd.DataFrame) -> str:
    """An HTML ``<table>`` (escaped), bold best entries."""
    flat = _flat(text)
    sty = (flat.style.apply(lambda _: _bold(best, flat, "font-weight: bold;"), axis=None)
           .format(escape="html").format_index(escape="html", axis=1).hide(axis="index")
           .set_table_attributes('class="results"'))
    return sty.to_html()


def frame_markdown(df: pd.DataFrame, index: bool = True) -> str:
    """Any small table as GitHub Markdown (for the scores and ranks tables)."""
    # object dtype: tabulate reads the rows through .values, which would turn the ints of a
    # mixed int/float frame (counts beside means) into floats
    return df.astype(object).to_markdown(index=index, disable_numparse=True)
