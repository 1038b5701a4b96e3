"""The interactive figures of ``report.html`` (plotly), and the filter that drives them.

Each function returns the HTML of one plotly figure (``None`` where the run has nothing
for it). plotly.js itself is written once into the page (:func:`plotly_js`), so the page
opens with no network. Traces carry ``meta = {"family": ..., "estimator": ...}``; the
filter above the figures (checkboxes of families and estimators, :data:`FILTER_JS`)
shows the traces whose family and estimator are both ticked, in every figure at once.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import numpy as np

from .context import ReportContext

FONT = {"family": "sans-serif", "size": 12}


def plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return f"<script>{get_plotlyjs()}</script>"


def _html(fig: Any, div_id: str) -> str:
    fig.update_layout(font=FONT, margin={"l": 60, "r": 20, "t": 50, "b": 50},
                      legend={"itemclick": "toggle"}, template="plotly_white")
    return str(fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                           config={"displaylogo": False, "responsive": True}))


def _fmt(v: float) -> str:
    return f"{v:.3f}" if math.isfinite(v) else "–"


def estimate_vs_truth(ctx: ReportContext) -> str | None:
    """Mean estimate against truth, one trace per estimator × family, hover with the cell."""
    import plotly.graph_objects as go

    m, u = ctx.metrics, ctx.units
    if m.empty:
        return None
    fig = go.Figure()
    hi = float(np.nanmax(u(np.r_[m["true_mi"], m["mean"].fillna(0)]))) * 1.05
    fig.add_trace(go.Scatter(x=[0, hi], y=[0, hi], mode="lines", name="truth",
                             line={"dash": "dash", "color": "#666"}, hoverinfo="skip",
                             meta={"family": "*", "estimator": "*"}))
    for (est, fam), g in m.groupby(["estimator", "family"], sort=False):
        text = [f"{html.escape(str(r.task))}<br>n = {r.n:,}, {r.seeds} ok seeds, "
                f"{r.failures} failed<br>truth {_fmt(u(r.true_mi))}, mean {_fmt(u(r['mean']))} "
                f"[{_fmt(u(r.mean_lo))}, {_fmt(u(r.mean_hi))}]<br>median time "
                f"{_fmt(r.median_time_s)} s" for _, r in g.iterrows()]
        fig.add_trace(go.Scatter(
            x=u(g["true_mi"]), y=u(g["mean"]), mode="markers", name=str(est),
            legendgroup=str(est), showlegend=fam == m[m["estimator"] == est]["family"].iloc[0],
            marker={"color": _hex(ctx.colour(est)), "size": 8},
            error_y={"type": "data", "symmetric": False,
                     "array": (u(g["mean_hi"]) - u(g["mean"])).fillna(0),
                     "arrayminus": (u(g["mean"]) - u(g["mean_lo"])).fillna(0)},
            text=text, hovertemplate="%{text}<extra>" + html.escape(str(est)) + "</extra>",
            meta={"family": str(fam), "estimator": str(est)}))
    fig.update_layout(title="Estimate against true MI (95 % interval over seeds)",
                      xaxis_title=f"true MI ({u.name})", yaxis_title=f"estimate ({u.name})")
    return _html(fig, "fig-estimate")


def heatmap(ctx: ReportContext) -> str | None:
    """The Beyond Normal heatmap, with the cell's numbers on hover."""
    import plotly.graph_objects as go

    r, u = ctx.ratio_table, ctx.units
    if r.empty:
        return None
    tasks, ests = list(dict.fromkeys(r["task"])), list(dict.fromkeys(r["estimator"]))
    z = np.full((len(tasks), len(ests)), np.nan)
    text = np.full(z.shape, "", dtype=object)
    hover = np.full(z.shape, "", dtype=object)
    for _, row in r.iterrows():
        i, j = tasks.index(row["task"]), ests.index(row["estimator"])
        z[i, j] = row["colour"]
        text[i, j] = "—" if not math.isfinite(row["mean"]) else f"{u(row['mean']):.2f}"
        hover[i, j] = (f"{html.escape(str(row['task']))} × {html.escape(str(row['estimator']))}"
                       f"<br>mean {_fmt(u(row['mean']))}, truth {_fmt(u(row['true_mi']))}"
                       f"<br>log(mean/truth) {_fmt(row['log_ratio'])}; {row['seeds']} ok, "
                       f"{row['failures']} failed")
    fig = go.Figure(go.Heatmap(z=z, x=ests, y=tasks, text=text, texttemplate="%{text}",
                               customdata=hover, hovertemplate="%{customdata}<extra></extra>",
                               colorscale="RdBu_r", zmin=-1, zmax=1,
                               colorbar={"title": {"text": "log(mean/truth)"}}))
    fig.update_layout(title="Mean estimate per task and estimator (colour: log ratio, ±1)",
                      height=max(360, 24 * len(tasks) + 140), yaxis={"autorange": "reversed"})
    return _html(fig, "fig-heatmap")


def timing(ctx: ReportContext) -> str | None:
    """Median time per estimate against n, one line per estimator × task; log/linear axes."""
    import plotly.graph_objects as go

    m = ctx.metrics
    lines = [(est, task, g) for (est, task), g in m.groupby(["estimator", "task"], sort=False)
             if g["n"].nunique() >= 2]
    if not lines:
        return None
    fig = go.Figure()
    fam = dict(zip(m["task"], m["family"], strict=False))
    for est, task, g in lines:
        g = g.sort_values("n")
        fig.add_trace(go.Scatter(x=g["n"], y=g["median_time_s"], mode="lines+markers",
                                 name=f"{est} · {task}", legendgroup=str(est),
                                 line={"color": _hex(ctx.colour(est))},
                                 meta={"family": str(fam[task]), "estimator": str(est)}))
    axes = [("log–log", "log", "log"), ("linear", "linear", "linear"),
            ("log time", "linear", "log")]
    fig.update_layout(
        title="Median time per estimate against n", xaxis_title="n", yaxis_title="seconds",
        xaxis_type="log", yaxis_type="log",
        updatemenus=[{"type": "buttons", "direction": "right", "x": 0, "y": 1.12,
                      "buttons": [{"label": lab, "method": "relayout",
                                   "args": [{"xaxis.type": xt, "yaxis.type": yt}]}
                                  for lab, xt, yt in axes]}])
    return _html(fig, "fig-time")


def curves(ctx: ReportContext, most: int = 400) -> str | None:
    """Each cell's held-out training curve (the largest n of each task), on hover its cell."""
    import plotly.graph_objects as go

    from .figures.training_curves import training_curves

    c = training_curves(ctx)
    if c.empty:
        return None
    fam = dict(zip(ctx.table["task"], ctx.table["family"], strict=False))
    fig = go.Figure()
    for i, ((est, task, _key), g) in enumerate(c.groupby(["estimator", "task", "key"],
                                                         sort=False)):
        if i >= most:
            break
        fig.add_trace(go.Scatter(x=g["step"], y=ctx.units(g["heldout"]), mode="lines",
                                 name=f"{est} · {task}", legendgroup=str(est), showlegend=False,
                                 line={"color": _hex(ctx.colour(est)), "width": 1},
                                 hovertemplate=f"{html.escape(str(est))}<br>"
                                               f"{html.escape(str(task))}<br>step %{{x}}: "
                                               "%{y:.3f}<extra></extra>",
                                 meta={"family": str(fam.get(task, "")), "estimator": str(est)}))
    fig.update_layout(title="Training curves: held-out reading per cell",
                      xaxis_title="training step", yaxis_title=f"estimate ({ctx.units.name})")
    return _html(fig, "fig-curves")


FIGURES = (estimate_vs_truth, heatmap, timing, curves)


def filter_panel(ctx: ReportContext) -> str:
    """Checkboxes of task families and estimators that filter every interactive figure."""
    def boxes(kind: str, values: list[str]) -> str:
        return "".join(f'<label><input type="checkbox" class="flt" data-kind="{kind}" '
                       f'value="{html.escape(v)}" checked> {html.escape(v)}</label> '
                       for v in values)

    fams = sorted({str(f) for f in ctx.metrics["family"]})
    return (f'<div id="filters"><p><b>Task families</b> {boxes("family", fams)}</p>'
            f'<p><b>Estimators</b> {boxes("estimator", ctx.estimators)}</p></div>')


#: Shows the traces whose family and estimator are both ticked; "*" matches everything.
FILTER_JS = """<script>
function mibenchFilter() {
  const on = {family: new Set(), estimator: new Set()};
  document.querySelectorAll('input.flt:checked').forEach(b => on[b.dataset.kind].add(b.value));
  document.querySelectorAll('.js-plotly-plot').forEach(div => {
    const vis = div.data.map(t => {
      const m = t.meta || {};
      const ok = k => m[k] === undefined || m[k] === '*' || on[k].has(m[k]);
      return ok('family') && ok('estimator');
    });
    Plotly.restyle(div, {visible: vis});
  });
}
document.querySelectorAll('input.flt').forEach(b => b.addEventListener('change', mibenchFilter));
</script>"""


def _hex(colour: Any) -> str:
    """A matplotlib/seaborn colour as #rrggbb for plotly."""
    if isinstance(colour, str):
        return colour if colour.startswith("#") else "#555555"
    r, g, b = (round(255 * float(c)) for c in tuple(colour)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def section(ctx: ReportContext) -> str:
    """The interactive part of the page: the filter and every figure the run has."""
    parts = [f(ctx) for f in FIGURES]
    shown = [p for p in parts if p]
    if not shown:
        return ""
    return ("<h2>Interactive figures</h2>" + filter_panel(ctx)
            + "".join(f'<div class="ifig">{p}</div>' for p in shown) + FILTER_JS)


def page_data(ctx: ReportContext) -> str:
    """The metrics as JSON in the page, for readers who want the numbers behind a point."""
    cols = ["estimator", "task", "n", "family", "true_mi", "mean", "mean_lo", "mean_hi",
            "seeds", "failures", "median_time_s"]
    rows = ctx.metrics[cols].replace({np.nan: None}).to_dict(orient="records")
    return ('<script type="application/json" id="mibench-metrics">'
            + json.dumps(rows).replace("</", "<\\/") + "</script>")


__all__ = ["FIGURES", "page_data", "plotly_js", "section"]
