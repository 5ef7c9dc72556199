"""Insight charts as PNG images (matplotlib, Agg, no pyplot global state).

Chinese labels need a CJK font: Noto Sans CJK (SIL OFL 1.1) as shipped by the `mplfonts` package,
a runtime dependency of the project, registered with matplotlib's font manager at run time, so no
system font is needed and nothing is drawn as boxes."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.admin.insight import Insight, matrix_rows
from bot.ui.i18n import t
from bot.ui.views import area_name

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

FONT_PACKAGE = "mplfonts"
FONT_FILE = "NotoSansCJKsc-Regular.otf"  # Pan-CJK: every Traditional and HK character too
DPI = 110
_RENDERING = threading.Lock()  # rc_context changes matplotlib's global rcParams


class FontMissingError(RuntimeError):
    """The CJK font package is not installed."""


@dataclass(frozen=True)
class Chart:
    """One rendered chart."""

    name: str  # file stem, e.g. activity
    png: bytes


def font_path() -> Path:
    """The CJK font file inside the font package (located without importing it)."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "fonts" / FONT_FILE
        if path.is_file():
            return path
    raise FontMissingError(f"{FONT_FILE} not found: install the project ({FONT_PACKAGE})")


@cache
def font_family() -> str:
    """Register the CJK font with matplotlib once; its family name."""
    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=path).get_name()


@contextmanager
def _cjk_style() -> Iterator[None]:
    style: dict[RcKeyType, Any] = {
        "font.family": [font_family()],
        "axes.unicode_minus": False,  # the CJK font's hyphen-minus, not U+2212
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(style):
        yield


def activity_figure(language: str, insight: Insight) -> Figure:
    """Queries per day (last 30 days) above subscriptions per area."""
    with _cjk_style():
        figure = Figure(figsize=(9, 9), layout="constrained")
        per_day, per_area = figure.subplots(2, 1, height_ratios=(1, 1.4))
        days = [day.strftime("%m-%d") for day, _ in insight.queries_per_day]
        counts = [count for _, count in insight.queries_per_day]
        per_day.bar(range(len(days)), counts, color="#3b7dd8")
        per_day.set_xticks(range(len(days)), days, rotation=90, fontsize=8)
        title = t(language, "insight.chart_queries")
        per_day.set_title(t(language, "dates.column", name=title, zone=insight.zone))
        per_day.set_ylim(0, max([*counts, 1]) * 1.1)
        per_day.yaxis.get_major_locator().set_params(integer=True)
        areas = list(insight.subscriptions)
        names = [area_name(language, area) for area in areas]
        subscribed = list(insight.subscriptions.values())
        per_area.barh(range(len(areas)), subscribed, color="#e07b39")
        per_area.set_xlim(0, max([*subscribed, 1]) * 1.1)
        per_area.set_yticks(range(len(areas)), names, fontsize=9)
        per_area.invert_yaxis()
        per_area.xaxis.get_major_locator().set_params(integer=True)
        per_area.set_title(t(language, "insight.chart_subscriptions"))
    return figure


def matrix_figure(language: str, insight: Insight) -> Figure:
    """A heatmap of recommendations per organisation (columns) × policy area (rows)."""
    rows = matrix_rows(language, insight)
    orgs, areas = rows[0][1:], [row[0] for row in rows[1:]]
    values = [[int(cell) for cell in row[1:]] for row in rows[1:]]
    peak = max((max(row) for row in values if row), default=0) or 1
    with _cjk_style():
        figure = Figure(figsize=(2.2 + 1.4 * len(orgs), 7), layout="constrained")
        axes = figure.subplots()
        axes.set_title(t(language, "insight.chart_matrix"))
        if not orgs:  # an empty store
            axes.set_axis_off()
            axes.text(0.5, 0.5, t(language, "insight.none"), ha="center", va="center")
            return figure
        image = axes.imshow(values, cmap="Blues", aspect="auto", vmin=0, vmax=peak)
        axes.set_xticks(range(len(orgs)), orgs, fontsize=9)
        axes.set_yticks(range(len(areas)), areas, fontsize=9)
        axes.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
        for y, row in enumerate(values):
            for x, value in enumerate(row):
                colour = "white" if value > peak * 0.6 else "black"
                axes.text(x, y, str(value), ha="center", va="center", color=colour, fontsize=9)
        figure.colorbar(image, ax=axes, shrink=0.6)
    return figure


def render_png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    with _cjk_style():
        FigureCanvasAgg(figure)
        buffer = BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def insight_charts(language: str, insight: Insight) -> list[Chart]:
    """Every insight chart, rendered (one caller at a time: safe from worker threads)."""
    with _RENDERING:
        return [
            Chart("activity", render_png(activity_figure(language, insight))),
            Chart("organisations", render_png(matrix_figure(language, insight))),
        ]
