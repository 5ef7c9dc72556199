"""The insight charts render Chinese: the font matplotlib uses is the packaged CJK font, every
character of every label drawn is in that font's cmap, and drawing emits no "Glyph missing"
warning (the suite turns warnings into errors)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from io import BytesIO
from pathlib import Path

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from bot.admin.charts import (
    activity_figure,
    font_family,
    font_path,
    insight_charts,
    matrix_figure,
    render_png,
)
from bot.admin.insight import Insight, Organisation, QueryCount
from bot.store.areas import load_areas

ORGS = [
    Organisation("fhki", "工總", "FHKI"),
    Organisation("cma", "廠商會", "CMA"),
    Organisation("bpa", "經民聯", "BPA"),
    Organisation("legco", "立法會小組委員會", "LegCo Subcommittee"),
]


def _insight() -> Insight:
    today = date(2026, 11, 25)
    areas = [area.id for area in load_areas()]
    return Insight(
        members=12,
        chats={"private": (12, 14), "supergroup": (3, 3)},
        subscriptions={area: index % 4 for index, area in enumerate(areas)},
        queries_per_day=[(today - timedelta(days=29 - n), (n * 7) % 11) for n in range(30)],
        top_queries=[QueryCount("北部都會區", 9), QueryCount("烈酒稅", 4)],
        empty_queries=[QueryCount("火星殖民地", 2)],
        organisations=ORGS,
        per_org_area={
            (org.code, area): (i * 3 + j) % 17
            for i, org in enumerate(ORGS)
            for j, area in enumerate(areas)
        },
    )


@cache
def _cmap() -> frozenset[int]:
    with TTFont(font_path(), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _drawn_texts(figure: Figure) -> list[str]:
    FigureCanvasAgg(figure).draw()  # tick labels exist once drawn
    return [text.get_text() for text in figure.findobj(Text) if text.get_visible()]


def test_font_comes_from_the_package_not_the_system() -> None:
    path = font_path()
    assert path.is_file() and path.parent.parent.name == "mplfonts"
    family = font_family()
    found = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert Path(found) == path


@pytest.mark.parametrize("language", ["zh-Hant-HK", "en"])
@pytest.mark.parametrize("build", [activity_figure, matrix_figure])
def test_every_drawn_character_is_in_the_font(
    language: str, build: Callable[[str, Insight], Figure]
) -> None:
    figure = build(language, _insight())
    with matplotlib.rc_context({"font.family": [font_family()]}):
        texts = _drawn_texts(figure)
    drawn = "".join(texts)
    if language == "zh-Hant-HK":
        assert any("\u4e00" <= char <= "\u9fff" for char in drawn)  # Chinese is really drawn
    for text in figure.findobj(Text):
        if text.get_text():
            assert text.get_fontname() == font_family()
    missing = {char for char in drawn if not char.isspace() and ord(char) not in _cmap()}
    assert not missing


def test_organisation_and_area_names_are_in_the_font() -> None:
    names = "".join(org.name for org in ORGS) + "".join(area.zh for area in load_areas())
    assert {char for char in names if ord(char) not in _cmap()} == set()


def test_pngs_are_real_images() -> None:
    charts = insight_charts("zh-Hant-HK", _insight())
    assert [chart.name for chart in charts] == ["activity", "organisations"]
    for chart in charts:
        assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(BytesIO(chart.png)) as image:
            width, height = image.size
            assert width > 500 and height > 500
            colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
            assert colours is not None and len(colours) > 50  # not a blank canvas


def test_empty_insight_still_renders() -> None:
    today = datetime(2026, 11, 25, tzinfo=UTC).date()
    empty = Insight(0, {}, {area.id: 0 for area in load_areas()}, [(today, 0)], [], [], [], {})
    assert render_png(activity_figure("en", empty)).startswith(b"\x89PNG")
    assert render_png(matrix_figure("en", empty)).startswith(b"\x89PNG")
