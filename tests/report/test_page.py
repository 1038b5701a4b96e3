"""The results page in a real browser: it loads with no JavaScript error and no network,
every figure draws, and a filter changes what is shown (headless Chromium)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import mibench
from mibench.report import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=(
    "no Chromium here: install Debian's chromium (apt-get install -y chromium), as .ci/run does"))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    table = mibench.run(estimators="gaussian,ksg,mine[steps=80,hidden=(16,),eval_every=20]",
                        tasks="gaussian[dim=1|2,rho=0.8],mixture-x", n=[300, 600], seeds=3)
    out = tmp_path_factory.mktemp("page")
    write_report(table, out)
    return out / "report.html"


def test_the_page_needs_no_network(report: Path) -> None:
    text = report.read_text()
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", text)
    assert "Plotly.newPlot" in text and "mibench-metrics" in text


def test_it_renders_and_filters_in_chromium(report: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.route(re.compile(r"^https?://"), lambda route: (errors.append(route.request.url),
                                                              route.abort()))
        page.goto(report.as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length"
                               " >= 4")
        sizes = page.evaluate("""[...document.querySelectorAll('.js-plotly-plot')].map(d => {
            const s = d.querySelector('.main-svg').getBoundingClientRect();
            const marks = d.querySelectorAll('.point, .js-line, .hm image, .heatmaplayer image')
                .length;
            return [d.id, s.width, s.height, marks]; })""")
        assert {s[0] for s in sizes} == {"fig-estimate", "fig-heatmap", "fig-time", "fig-curves"}
        for div, w, h, marks in sizes:
            assert w > 300 and h > 200 and marks > 0, (div, w, h, marks)
        points = "document.querySelectorAll('#fig-estimate .scatterlayer .point').length"
        before = page.evaluate(points)
        page.click("input.flt[data-kind=family][value='gaussian']")
        page.wait_for_timeout(300)
        after_family = page.evaluate(points)
        page.click("input.flt[data-kind=estimator][value='ksg']")
        page.wait_for_timeout(300)
        after_estimator = page.evaluate(points)
        shot = Path(os.environ.get("MIBENCH_SCREENSHOT_DIR", tmp_path)) / "report_page.png"
        page.screenshot(path=str(shot), full_page=False)
        # a log/linear toggle of the time figure changes its axis
        page.click("#fig-time .updatemenu-button >> text=linear")
        page.wait_for_timeout(300)
        axis = page.evaluate("document.getElementById('fig-time').layout.yaxis.type")
        browser.close()
    assert not errors, errors
    # 3 tasks × 2 n × 3 estimators, of which 2 tasks are gaussian; then ksg goes too
    assert (before, after_family, after_estimator) == (18, 6, 4)
    assert axis == "linear" and shot.stat().st_size > 10_000
