"""What a figure module provides, and the plotting helpers they share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..context import ReportContext


@dataclass
class Drawn:
    """A drawn figure: the file stem it is saved under, and the caption that tells a
    reader what to read from it (shown under it in report.html)."""

    name: str
    figure: Any  # a matplotlib Figure
    caption: str


@dataclass(frozen=True)
class FigureSpec:
    """One kind of figure: ``draw`` yields zero or more :class:`Drawn` for a report
    (none where the run has nothing to show, e.g. no training curves)."""

    title: str
    draw: Callable[[ReportContext], Iterator[Drawn]]


def pyplot() -> Any:
    """matplotlib's pyplot on the file backend, with the report's seaborn style."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="paper")
    return plt


def log_x(ax: Any) -> None:
    """Log x axis with plain-number labels at the data's decades only."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    subs = (1.0, 2.0, 5.0) if hi / max(lo, 1e-300) < 1e3 else (1.0,)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def grid(plt: Any, panels: int, width: float, height: float, most: int = 4) -> tuple[Any, Any]:
    """A figure with ``panels`` panels, at most ``most`` a row; unused panels hidden."""
    ncol = max(1, min(most, panels))
    nrow = -(-panels // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(width * ncol, height * nrow), squeeze=False)
    for ax in axes.ravel()[panels:]:
        ax.axis("off")
    return fig, axes.ravel()[:panels]


def short(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"
