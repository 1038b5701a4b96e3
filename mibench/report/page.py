"""``report.html``: one self-contained page — the tables, the interactive figures (plotly,
its JavaScript written into the page, so it opens with no network) and every static
figure with its caption."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

STYLE = """body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;font-size:13px;margin:1em 0}
td,th{border-bottom:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}img{max-width:100%}
figure{margin:1.5em 0}figcaption{max-width:60em;font-size:14px;color:#333}
#filters label{margin-right:1em;white-space:nowrap}.ifig{margin:1em 0}"""


def _img(png: Path, caption: str) -> str:
    data = base64.b64encode(png.read_bytes()).decode()
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(png.stem)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def page(title: str, table_html: str, caption: str, scaling: pd.DataFrame,
         figures: list[tuple[str, Path, str]], extra: str = "", interactive: str = "",
         head: str = "") -> str:
    """The page: ``figures`` are (section title, PNG file, caption), in report order;
    ``extra`` is more HTML placed after the scaling table (e.g. the score tables),
    ``interactive`` the interactive figures and ``head`` what they need loaded first."""
    scal = (scaling.to_html(index=False, float_format=lambda v: f"{v:.3f}", border=0)
            if not scaling.empty else "<p>No scaling axis in this run.</p>")
    sections, last = [], None
    for section, png, cap in figures:
        if section != last:
            sections.append(f"<h3>{html.escape(section)}</h3>")
            last = section
        sections.append(_img(png, cap))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style>{head}</head><body>\n"
            f"<h1>{html.escape(title)}</h1>\n<h2>Estimates</h2>{table_html}"
            f"<p>{html.escape(caption)}</p>\n{interactive}\n<h2>Scaling</h2>{scal}\n{extra}"
            f"<h2>Figures</h2>{''.join(sections)}\n</body></html>\n")
