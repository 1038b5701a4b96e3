"""The figures: every estimator's training curve drawn, captions that say what to read,
one module per figure walked from one table, and a heatmap whose labels do not collide."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

import mibench
from mibench.report import write_report


@pytest.fixture(scope="module")
def flow_run() -> pd.DataFrame:
    pytest.importorskip("zuko")
    return mibench.run(estimators="flow[steps=60,transforms=1,hidden=(8,),eval_every=20]",
                       tasks="gaussian[rho=0.8]", n=600, seeds=2)


def test_flows_training_curves_are_drawn(flow_run: pd.DataFrame, tmp_path: Path) -> None:
    # flow reports its curve as every estimator trained by steps does; the figure used to
    # drop it (it looked for an info key flow does not write)
    written = {p.name for p in write_report(flow_run, tmp_path)}
    assert "training_curves.png" in written


def test_the_curve_table_holds_each_seeds_curve(flow_run: pd.DataFrame) -> None:
    from mibench.report import ReportContext, training_curves

    curves = training_curves(ReportContext.build(flow_run, Path(".")))
    assert set(curves["estimator"]) == set(flow_run["estimator"])
    assert curves.groupby("key")["step"].apply(list).map(lambda s: s[:3]).tolist() == [
        [20, 40, 60]] * 2


def test_every_figure_has_a_caption_that_is_not_its_file_name(tmp_path: Path) -> None:
    table = mibench.run(estimators="gaussian,ksg", tasks="gaussian[dim=1|2,rho=0.6],mixture-x",
                        n=[200, 400], seeds=2)
    write_report(table, tmp_path)
    page = (tmp_path / "report.html").read_text()
    figures = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)">'
                         r"<figcaption>(.*?)</figcaption>", page)
    assert {stem for stem, _ in figures} == {
        "estimate_vs_truth", "cd_diagram", "bias_rmse_vs_n", "bias_rmse_vs_dim", "heatmap",
        "samples_needed", "pmi_profiles"}  # time needs three values of n to fit an exponent
    for stem, caption in figures:
        text = html.unescape(caption)
        assert text != stem.replace("_", " ") and len(text.split()) >= 15, (stem, text)
    # each figure module is a section of the page
    assert page.count("<h3>") == 6


def test_figures_are_walked_from_one_table() -> None:
    from mibench.report.figures import FIGURES

    titles = [f.title for f in FIGURES]
    assert len(titles) == len(set(titles)) == 10
    files = sorted(p.stem for p in (Path(mibench.__file__).parent / "report" / "figures")
                   .glob("[!_]*.py"))
    assert len(files) == len(FIGURES), files


def test_heatmap_colour_bar_label_does_not_overlap_the_title(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from mibench.report import ReportContext
    from mibench.report.figures import heatmap

    table = mibench.run(estimators="gaussian,ksg", tasks="mixture-x,gaussian[dim=1]", n=300,
                        seeds=2)
    (drawn,) = heatmap.draw(ReportContext.build(table, tmp_path))
    fig = drawn.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    title = fig._suptitle.get_window_extent(renderer)
    cbar_ax = fig.axes[-1]
    label = cbar_ax.yaxis.label.get_window_extent(renderer)
    assert not title.overlaps(label), (title, label)
    # the style's grid would cross the cells
    assert not any(line.get_visible() for line in fig.axes[0].get_xgridlines())
