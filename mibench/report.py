"""Tables (Markdown, LaTeX, CSV), figures (PNG, PDF) and an HTML page from results.

``write_report(table, out)`` writes into ``out``:

* ``metrics.csv`` — :func:`mibench.analysis.metrics` (every metric with its CI);
* ``table.md`` / ``table.tex`` — estimators as columns, task × n as rows,
  "mean [95 % CI]" (``stat="mean_ci"``, the default: a Student-t interval
  over seeds, or the number of seeds and "no CI" where fewer than 3 are ok),
  "mean ± sd" (``stat="mean_std"``) — best = smallest |bias| for both — or
  "bias / RMSE" (``stat="bias_rmse"``, best = smallest RMSE); the best entry
  of each row in bold; a footnote states the interval rule;
* figures, each as PNG and PDF: estimate against true MI with the identity
  line (one panel per task family); bias and RMSE against dimension and
  against n; time against n and against dimension on log–log axes with the
  fitted exponents; estimate against any task parameter swept over 5 or more
  values (a suite that sweeps correlation at two dimensions, for instance,
  gives the MINE paper's Figure 1);
* ``scaling.csv`` — exponents and verdicts (:mod:`mibench.scaling`);
* ``report.html`` — one self-contained page with the tables and figures.
"""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import MIN_SEEDS_T, metrics, separate_versions
from .scaling import fit_power_law, scaling_rows

NATS_PER_BIT = math.log(2)
STATS = ("mean_ci", "mean_std", "bias_rmse")
CAPTIONS = {
    "mean_ci": (f"Mean over seeds [95 % Student-t interval]; no interval below "
                f"{MIN_SEEDS_T} ok seeds."),
    "mean_std": "Mean ± sd over seeds.",
    "bias_rmse": "Bias / RMSE over seeds.",
}


def results_table(m: pd.DataFrame, stat: str = "mean_ci", bits: bool = False
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells as text, mask of best entries): rows task × n, columns estimators."""
    if stat not in STATS:
        raise ValueError(f"stat must be one of {', '.join(STATS)}; got {stat!r}")
    f = 1 / NATS_PER_BIT if bits else 1.0
    ests = list(dict.fromkeys(m["estimator"]))
    keys = list(dict.fromkeys(zip(m["task"], m["n"], strict=True)))
    text = pd.DataFrame("", index=pd.MultiIndex.from_tuples(keys, names=["task", "n"]),
                        columns=ests)
    best = pd.DataFrame(False, index=text.index, columns=ests)
    truth = {}
    for (task, n), g in m.groupby(["task", "n"], sort=False):
        truth[(task, n)] = g["true_mi"].iloc[0] * f
        score = {}
        for _, r in g.iterrows():
            if stat == "mean_ci":
                if not np.isfinite(r["mean"]):
                    cell = "failed"
                elif np.isfinite(r["mean_lo"]):
                    cell = f"{r['mean'] * f:.3f} [{r['mean_lo'] * f:.3f}, {r['mean_hi'] * f:.3f}]"
                else:
                    cell = f"{r['mean'] * f:.3f} ({int(r['seeds'])} seeds, no CI)"
                score[r["estimator"]] = abs(r["bias"])
            elif stat == "mean_std":
                sd = "" if not np.isfinite(r["std"]) else f" ± {r['std'] * f:.3f}"
                cell = f"{r['mean'] * f:.3f}{sd}" if np.isfinite(r["mean"]) else "failed"
                score[r["estimator"]] = abs(r["bias"])
            else:
                cell = (f"{r['bias'] * f:+.3f} / {r['rmse'] * f:.3f}"
                        if np.isfinite(r["bias"]) else "failed")
                score[r["estimator"]] = r["rmse"]
            if r["failures"]:
                cell += f" ({r['failures']} failed)"
            if np.isfinite(r.get("ceiling", np.nan)) and r["true_mi"] >= r["ceiling"]:
                cell += " †"
            text.loc[(task, n), r["estimator"]] = cell
        finite = {k: v for k, v in score.items() if np.isfinite(v)}
        if len(finite) > 1:
            best.loc[(task, n), min(finite, key=finite.get)] = True  # type: ignore[arg-type]
    se = {k: g["truth_se"].iloc[0] * f if "truth_se" in g else np.nan
          for k, g in m.groupby(["task", "n"], sort=False)}
    text.insert(0, "true MI", [f"{truth[k]:.3f}" + (f" ± {se[k]:.3f}" if se[k] > 0 else "")
                               for k in keys])
    best.insert(0, "true MI", False)
    return text, best


def ceiling_footnote(m: pd.DataFrame, bits: bool = False) -> str:
    """One sentence naming each estimator's ceiling (the most it can report), or ''."""
    if "ceiling" not in m or not np.isfinite(m["ceiling"]).any():
        return ""
    f = 1 / NATS_PER_BIT if bits else 1.0
    parts = []
    for est, g in m[np.isfinite(m["ceiling"])].groupby("estimator", sort=False):
        lo, hi = g["ceiling"].min() * f, g["ceiling"].max() * f
        span = f"{lo:.2f}" if math.isclose(lo, hi, rel_tol=1e-3) else f"{lo:.2f}–{hi:.2f}"
        parts.append(f"{est} {span} ({g['ceiling_note'].iloc[0]})")
    return ("Ceilings, the most an estimator can report whatever the truth: "
            + "; ".join(parts) + ". †: the true MI is at or above the estimator's ceiling, "
            "so a shortfall there is the method's limit, not a training failure.")


def to_markdown(text: pd.DataFrame, best: pd.DataFrame, unit: str, caption: str = "") -> str:
    cols = ["task", "n", *text.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join(
        ["---", "---:"] + ["---:"] * len(text.columns)) + "|"]
    for (task, n), row in text.iterrows():
        cells = [f"**{v}**" if best.loc[(task, n), c] else v for c, v in row.items()]
        lines.append("| " + " | ".join([f"`{task}`", f"{n:,}", *cells]) + " |")
    lines.append("")
    lines.append(f"{caption + ' ' if caption else ''}MI in {unit}; bold: best in the row.")
    return "\n".join(lines) + "\n"


def _tex(s: str) -> str:
    out = s
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("%", r"\%"), ("&", r"\&"),
                 ("#", r"\#"), ("$", r"\$"), ("{", r"\{"), ("}", r"\}"), ("^", r"\^{}"),
                 ("~", r"\~{}")):
        out = out.replace(a, b)
    return out.replace("±", r"$\pm$").replace("†", r"$^\dagger$").replace("–", "--")


def to_latex(text: pd.DataFrame, best: pd.DataFrame, unit: str, caption: str) -> str:
    ncol = 2 + len(text.columns)
    lines = [r"\begin{table}[t]", r"\centering", r"\small",
             r"\begin{tabular}{ll" + "r" * (ncol - 2) + "}", r"\hline",
             " & ".join(["task", "$n$", *(_tex(str(c)) for c in text.columns)]) + r" \\",
             r"\hline"]
    for (task, n), row in text.iterrows():
        cells = [(r"\textbf{" + _tex(v) + "}") if best.loc[(task, n), c] else _tex(v)
                 for c, v in row.items()]
        lines.append(" & ".join([r"\texttt{" + _tex(str(task)) + "}", f"{n:,}".replace(
            ",", "{,}"), *cells]) + r" \\")
    lines += [r"\hline", r"\end{tabular}",
              r"\caption{" + _tex(caption) + f" MI in {unit}; bold: best in the row." + "}",
              r"\end{table}"]
    return "\n".join(lines) + "\n"


# -- figures -------------------------------------------------------------------

def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="paper")
    return plt, sns


def _log_x(ax, plt) -> None:
    """Log x axis with plain-number labels at the data's decades only."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    subs = (1.0, 2.0, 5.0) if hi / max(lo, 1e-300) < 1e3 else (1.0,)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _save(fig, out: Path, name: str, written: list[Path]) -> None:
    for ext in ("png", "pdf"):
        p = out / f"{name}.{ext}"
        fig.savefig(p, dpi=150, bbox_inches="tight")
        written.append(p)


def figures(m: pd.DataFrame, table: pd.DataFrame, out: Path, bits: bool = False
            ) -> list[Path]:
    plt, sns = _plt()
    unit = "bits" if bits else "nats"
    f = 1 / NATS_PER_BIT if bits else 1.0
    written: list[Path] = []
    m = m.copy()
    m["dim"] = m["dim_x"] + m["dim_y"]
    m["mean_u"], m["std_u"], m["truth_u"] = m["mean"] * f, m["std"] * f, m["true_mi"] * f
    ests = list(dict.fromkeys(m["estimator"]))
    palette = dict(zip(ests, sns.color_palette("tab10", len(ests)), strict=True))

    # 1. estimate vs truth, one panel per family
    fams = sorted(m["family"].unique())
    ncol = min(4, len(fams))
    nrow = math.ceil(len(fams) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 3.0 * nrow), squeeze=False)
    for ax, fam in zip(axes.ravel(), fams, strict=False):
        g = m[m["family"] == fam]
        hi = max(g["truth_u"].max(), np.nanmax(g["mean_u"].to_numpy()) if len(g) else 0) * 1.1
        lo = min(0.0, np.nanmin(g["mean_u"].to_numpy()))
        ax.plot([lo, hi], [lo, hi], color="0.4", lw=1, ls="--", label="truth")
        for est, ge in g.groupby("estimator"):
            ax.errorbar(ge["truth_u"], ge["mean_u"], yerr=ge["std_u"].fillna(0), fmt="o",
                        ms=3, capsize=2, color=palette[est], label=est)
            ceil = ge["ceiling"].min() * f if "ceiling" in ge else np.nan
            if np.isfinite(ceil) and ceil <= hi:  # a ceiling the data come near
                ax.axhline(ceil, color=palette[est], lw=1, ls=":")
                name = ge["estimator_name"].iloc[0]
                ax.annotate(f"{name} ceiling", (lo, ceil), fontsize=6, color=palette[est],
                            va="bottom")
        ax.set_title(fam)
        ax.set_xlabel(f"true MI ({unit})")
        ax.set_ylabel(f"estimate ({unit})")
    for ax in axes.ravel()[len(fams):]:
        ax.axis("off")
    handles = [plt.Line2D([], [], color="0.4", ls="--", label="truth")] + [
        plt.Line2D([], [], marker="o", ls="", color=palette[e], label=e) for e in ests]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.suptitle("Estimate against true MI\n(mean ± sd over seeds; dotted: ceilings)",
                 fontsize=9)
    fig.tight_layout()
    _save(fig, out, "estimate_vs_truth", written)
    plt.close(fig)

    # 2. bias and RMSE vs dim (one line per estimator, family and n) and vs n (one line
    # per estimator and task configuration); line style tells the tasks apart
    styles = ["-", "--", ":", "-."]
    for axis, xlabel, keys in (("dim", "dimension of (X, Y)", ["family", "n"]),
                               ("n", "sample size n", ["task"])):
        lines = [(est, k, g) for est, ge in m.groupby("estimator", sort=False)
                 for k, g in ge.groupby(keys) if g[axis].nunique() >= 2]
        if not lines:
            continue
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
        style_of: dict[object, str] = {}
        for ax, metric in zip(axes, ("bias", "rmse"), strict=True):
            for est, k, g in lines:
                ls = style_of.setdefault(k, styles[len(style_of) % len(styles)])
                g2 = g.groupby(axis)[metric].mean().sort_index() * f
                what = ", ".join(f"{v}" for v in (k if isinstance(k, tuple) else (k,)))
                ax.plot(g2.index, g2.to_numpy(), marker="o", ms=3, ls=ls, color=palette[est],
                        label=f"{est} ({what})")
            if metric == "bias":
                ax.axhline(0, color="0.4", lw=1)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(f"{'RMSE' if metric == 'rmse' else 'bias'} ({unit})")
            _log_x(ax, plt)
        shown = list(dict.fromkeys(est for est, _, _ in lines))
        handles = [plt.Line2D([], [], color=palette[e], marker="o", ms=3, label=e)
                   for e in shown]
        handles += [plt.Line2D([], [], color="0.2", ls=ls, label=", ".join(
            str(v) for v in (k if isinstance(k, tuple) else (k,))))
            for k, ls in style_of.items()]
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                   ncol=2, frameon=False, fontsize=7)
        fig.suptitle(f"Bias and RMSE against {'dimension' if axis == 'dim' else 'n'}")
        fig.tight_layout()
        _save(fig, out, f"bias_rmse_vs_{axis}", written)
        plt.close(fig)

    # 3. time vs n and vs dim, log-log with fitted exponents
    ok = table[table["status"] == "ok"].copy()
    ok["dim"] = ok["dim_x"] + ok["dim_y"]
    for axis, xlabel in (("n", "sample size n"), ("dim", "dimension of (X, Y)")):
        fig, ax = plt.subplots(figsize=(7, 4.2))
        drawn = False
        for (est, fam), g in ok.groupby(["estimator", "task_name"]):
            key = "task" if axis == "n" else "n"
            for _, gg in g.groupby(key):
                if gg[axis].nunique() < 3:
                    continue
                fit = fit_power_law(gg[axis], gg["wall_time_s"])
                med = gg.groupby(axis)["wall_time_s"].median()
                batch = (" (share of a batched group)" if "group_size" in gg
                         and (gg["group_size"].fillna(1) > 1).any() else "")
                ax.plot(med.index, med.to_numpy(), marker="o", ms=3, color=palette[est],
                        label=f"{est} ({fam}){batch}: exponent {fit.exponent:.2f} "
                              f"[{fit.lo:.2f}, {fit.hi:.2f}]")
                drawn = True
        if drawn:
            _log_x(ax, plt)
            ax.set_yscale("log")
            ax.set_xlabel(xlabel)
            ax.set_ylabel("wall time per estimate (s)")
            ax.set_title(f"Time against {'n' if axis == 'n' else 'dimension'} (median over seeds;"
                         " fitted exponent with 95 % interval)")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False, fontsize=7,
                      ncol=1)
            fig.tight_layout()
            _save(fig, out, f"time_vs_{axis}", written)
        plt.close(fig)

    # 4. training curves of the estimators that report one
    curves = training_curves(table)
    if not curves.empty:
        tasks_shown = list(dict.fromkeys(curves["task"]))[:8]
        ncol = min(4, len(tasks_shown))
        nrow = math.ceil(len(tasks_shown) / ncol)
        fig, axes = plt.subplots(nrow, ncol, figsize=(3.4 * ncol, 2.9 * nrow), squeeze=False)
        for ax, task in zip(axes.ravel(), tasks_shown, strict=False):
            g = curves[curves["task"] == task]
            for (est, _key), gc in g.groupby(["estimator", "key"], sort=False):
                ax.plot(gc["step"], gc["heldout"] * f, color=palette.get(est, "0.3"), lw=0.8,
                        alpha=0.7)
            ax.axhline(g["true_mi"].iloc[0] * f, color="k", lw=1, ls="--")
            ax.set_title(_short(str(task), 40), fontsize=8)
            ax.set_xlabel("training step")
            ax.set_ylabel(f"held-out estimate ({unit})")
        for ax in axes.ravel()[len(tasks_shown):]:
            ax.axis("off")
        shown = list(dict.fromkeys(curves["estimator"]))
        handles = [plt.Line2D([], [], color="k", ls="--", label="truth")] + [
            plt.Line2D([], [], color=palette.get(e, "0.3"), label=e) for e in shown]
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        fig.suptitle("Training curves: held-out estimate per cell (largest n of each task)")
        fig.tight_layout()
        _save(fig, out, "training_curves", written)
        plt.close(fig)

    # 5. estimate against a task parameter swept over a grid (for the Gaussian
    # task over rho at dim 2 and 20 this is the MINE paper's Figure 1)
    for (task_name, key), sweep in parameter_sweeps(m).items():
        panels = list(dict.fromkeys(sweep["panel"]))
        fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.6),
                                 squeeze=False)
        for ax, panel in zip(axes[0], panels, strict=True):
            gp = sweep[sweep["panel"] == panel].sort_values("x")
            truth = gp.groupby("x")["truth_u"].first()
            ax.plot(truth.index, truth.to_numpy(), color="k", lw=1.5, label="true MI")
            for est, ge in gp.groupby("estimator"):
                ge = ge.groupby("x")[["mean_u", "std_u"]].mean()
                ax.errorbar(ge.index, ge["mean_u"], yerr=ge["std_u"].fillna(0),
                            marker="o", ms=3, capsize=2, color=palette[est], label=est)
            ax.set_title(panel or task_name, fontsize=9)
            ax.set_xlabel(key)
            ax.set_ylabel(f"mutual information ({unit})")
        axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
        fig.suptitle(f"{task_name}: estimate (mean ± sd) against {key}")
        fig.tight_layout()
        _save(fig, out, f"sweep_{task_name}_{key}", written)
        plt.close(fig)
    return written


def parameter_sweeps(m: pd.DataFrame, min_points: int = 5
                     ) -> dict[tuple[str, str], pd.DataFrame]:
    """Task parameters swept over a numeric grid, for "estimate against parameter" figures.

    For each task family and numeric parameter that takes at least
    ``min_points`` values while the other parameters stay fixed, the metric
    rows with ``x`` (the parameter's value) and ``panel`` (the other
    parameters, one panel each). Nothing here knows any particular task.
    """
    out: dict[tuple[str, str], pd.DataFrame] = {}
    for task_name, g in m.groupby("task_name"):
        params = [json.loads(p) if isinstance(p, str) else {} for p in g["task_params"]]
        keys = sorted({k for p in params for k, v in p.items()
                       if isinstance(v, (int, float)) and not isinstance(v, bool)})
        for key in keys:
            rows = g.assign(
                x=[p.get(key) for p in params],
                panel=[", ".join(f"{k}={v}" for k, v in sorted(p.items()) if k != key
                                 and v is not None) for p in params])
            rows = rows[rows["x"].notna()]
            counts = rows.groupby("panel")["x"].nunique()
            keep = counts[counts >= min_points].index
            if len(keep):
                out[(str(task_name), key)] = rows[rows["panel"].isin(keep)]
    return out


def _short(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def training_curves(table: pd.DataFrame) -> pd.DataFrame:
    """Long table (estimator, task, key, step, heldout, true_mi) of the training
    curves that estimators report in ``info`` (``curve_step``, ``curve_heldout``),
    for the largest n of each task."""
    if "info" not in table:
        return pd.DataFrame()
    ok = table[table["status"] == "ok"]
    ok = ok[ok["n"] == ok.groupby("task")["n"].transform("max")]
    rows = []
    for _, r in ok.iterrows():
        if not isinstance(r["info"], str) or "curve_heldout" not in r["info"]:
            continue
        info = json.loads(r["info"])
        for step, v in zip(info.get("curve_step") or [], info.get("curve_heldout") or [],
                           strict=False):
            if v is not None:
                rows.append({"estimator": r["estimator"], "task": r["task"], "key": r["key"],
                             "step": step, "heldout": float(v), "true_mi": r["true_mi"]})
    return pd.DataFrame(rows)


def _html(title: str, md_table: str, text: pd.DataFrame, best: pd.DataFrame,
          scal: pd.DataFrame, pngs: list[Path]) -> str:
    def cell(v: str, b: bool) -> str:
        return f"<td><b>{html.escape(v)}</b></td>" if b else f"<td>{html.escape(v)}</td>"

    rows = []
    for (task, n), row in text.iterrows():
        rows.append("<tr><td><code>" + html.escape(str(task)) + f"</code></td><td>{n:,}</td>"
                    + "".join(cell(v, bool(best.loc[(task, n), c])) for c, v in row.items())
                    + "</tr>")
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in ["task", "n", *text.columns])
    imgs = "".join(
        f'<figure><img src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}"'
        f' alt="{p.stem}"><figcaption>{p.stem.replace("_", " ")}</figcaption></figure>'
        for p in pngs)
    scal_html = scal.to_html(index=False, float_format=lambda v: f"{v:.3f}",
                             border=0) if not scal.empty else "<p>No scaling axis in this run.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;font-size:13px;margin:1em 0}}
td,th{{border-bottom:1px solid #ccc;padding:3px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}img{{max-width:100%}}
figure{{margin:1.5em 0}}</style></head><body>
<h1>{html.escape(title)}</h1>
<h2>Estimates</h2><table><tr>{head}</tr>{"".join(rows)}</table>
<p>{html.escape(md_table.strip().splitlines()[-1])}</p>
<h2>Scaling</h2>{scal_html}
<h2>Figures</h2>{imgs}
</body></html>
"""


def pmi_profiles(table: pd.DataFrame, n: int = 20_000) -> dict[str, np.ndarray]:
    """Pointwise MI of ``n`` draws (seed 0) for each task of the table whose
    density is known (:meth:`mibench.Task.pmi`), keyed by its label or selector."""
    from .factory import get_task

    out: dict[str, np.ndarray] = {}
    label = table["task_label"] if "task_label" in table else pd.Series("", index=table.index)
    for sel, lab in dict(zip(table["task"], label.fillna(""), strict=True)).items():
        try:
            task = get_task(sel)
        except Exception:  # a plugin no longer installed: no profile, the rest stays
            continue
        if task.has_pmi:
            x, y = task.sample(n, np.random.default_rng(0))
            out[str(lab) or sel] = np.asarray(task.pmi(x, y))
    return out


def _reference_scores(m: pd.DataFrame, table: pd.DataFrame, out: Path, bits: bool,
                      figures_on: bool) -> list[Path]:
    """The Beyond Normal scores (mibench.scores): heatmap, samples needed, PMI profiles."""
    from .scores import heatmap_figure, ratio_table, samples_needed

    written: list[Path] = []
    r = ratio_table(m)
    if r.empty:
        return written
    r.to_csv(out / "heatmap.csv", index=False)
    need = samples_needed(m)
    need.to_csv(out / "samples_needed.csv")
    ns = sorted(set(m["n"]))
    md = ["| task | " + " | ".join(need.columns) + " |",
          "|---|" + "---:|" * len(need.columns)]
    md += ["| " + " | ".join([str(t), *map(str, row)]) + " |" for t, row in need.iterrows()]
    md.append("")
    md.append(f"Smallest N of the grid {ns} from which on the mean estimate stays within a "
              "factor 1.5 of the true MI (|log(mean/truth)| < log 1.5); '>N' where it "
              "never does.")
    (out / "samples_needed.md").write_text("\n".join(md) + "\n")
    written += [out / "heatmap.csv", out / "samples_needed.csv", out / "samples_needed.md"]
    if not figures_on:
        return written
    plt, _ = _plt()
    fig = heatmap_figure(r, bits)
    _save(fig, out, "heatmap", written)
    plt.close(fig)
    profiles = pmi_profiles(table)
    if profiles:
        k = len(profiles)
        cols = min(4, k)
        rows = math.ceil(k / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
        for ax, (name, p) in zip(axes.ravel(), profiles.items(), strict=False):
            lo, hi = np.percentile(p, [0.5, 99.5])  # rare extreme values would squash it
            ax.hist(p, bins=80, range=(lo, hi), density=True, color="0.4")
            ax.axvline(p.mean(), color="k", ls="--", lw=1)
            ax.set_title(_short(name, 40), fontsize=7)
            ax.set_xlabel("pointwise MI (nats); dashed: its mean, the MI", fontsize=6)
        for ax in axes.ravel()[k:]:
            ax.axis("off")
        fig.tight_layout()
        _save(fig, out, "pmi_profiles", written)
        plt.close(fig)
    return written


def write_report(table: pd.DataFrame, out: str | Path, stat: str = "mean_ci",
                 bits: bool = False, figures_on: bool = True, title: str = "mibench report"
                 ) -> list[Path]:
    """Write every table, figure and the HTML page; return the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    unit = "bits" if bits else "nats"
    table = separate_versions(table)
    m = metrics(table)
    written = []
    m.to_csv(out / "metrics.csv", index=False)
    written.append(out / "metrics.csv")
    text, best = results_table(m, stat, bits)
    caption = " ".join(c for c in (CAPTIONS[stat], ceiling_footnote(m, bits)) if c)
    md = to_markdown(text, best, unit, caption)
    (out / "table.md").write_text(md)
    (out / "table.tex").write_text(to_latex(text, best, unit, caption))
    written += [out / "table.md", out / "table.tex"]
    scal = scaling_rows(table)
    scal.to_csv(out / "scaling.csv", index=False)
    written.append(out / "scaling.csv")
    figs = figures(m, table, out, bits) if figures_on else []
    written += figs
    written += _reference_scores(m, table, out, bits, figures_on)
    figs = [p for p in written if p.suffix in (".png", ".pdf")]
    pngs = [p for p in figs if p.suffix == ".png"]
    (out / "report.html").write_text(_html(title, md, text, best, scal, pngs))
    written.append(out / "report.html")
    return written
