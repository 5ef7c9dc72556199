"""Corpus statistics for humans: recommendations per source × policy area."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence

from sqlalchemy.orm import Session

from bot.store.areas import load_areas
from bot.store.corpus import list_recommendations, list_sources


def corpus_table(session: Session) -> list[list[str]]:
    """Rows of [area, count per source…, total]; counts are primary areas (+ secondary)."""
    sources = list_sources(session)
    records = list_recommendations(session)
    primary = Counter((record.source_id, record.primary_area) for record in records)
    secondary = Counter((record.source_id, area) for record in records for area in record.areas[1:])
    header = ["area", *(source.id for source in sources), "total"]
    rows = [header]
    for area in load_areas():
        cells = [_cell(primary[s.id, area.id], secondary[s.id, area.id]) for s in sources]
        total = sum(primary[s.id, area.id] for s in sources)
        total_secondary = sum(secondary[s.id, area.id] for s in sources)
        rows.append([f"{area.zh} ({area.id})", *cells, _cell(total, total_secondary)])
    per_source = Counter(record.source_id for record in records)
    rows.append(["total", *(str(per_source[s.id]) for s in sources), str(len(records))])
    return rows


def _cell(primary: int, secondary: int) -> str:
    return f"{primary}+{secondary}" if secondary else str(primary)


def format_table(rows: Sequence[Sequence[str]]) -> str:
    """Align columns, counting East Asian wide characters as two cells."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        pairs = zip(row, widths, strict=True)
        cells = [cell + " " * (width - _width(cell)) for cell, width in pairs]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
