"""Recommendation tables in Word files: a table whose first row names a recommendation column
and a department column, in any of the words of data/layouts.yaml (`tables`), and that has rows
under it, holds one recommendation per row.

Extraction writes such a table so that the generic parser reads each row as a record of its own:
the header row as `▤ cell / cell`, each row as `▸ recommendation ｜ department` (other cells
after the recommendation). The generic markers `table-header` and `table-row` open on these
marks, and `bureaux_column` takes the department after ｜ as the row's bureaux. Any other
table is written as before: a row per line, its cells joined by a space.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.resources import load_yaml

HEADER_MARK, ROW_MARK, COLUMN_MARK = "▤", "▸", "｜"
MAX_HEADER_CHARS = 40  # a header cell is a column name, not a sentence
_FOLD = re.compile(r"[\s\u3000:：()（）]+")


@dataclass(frozen=True)
class Columns:
    """Where a recommendation table keeps its recommendations and departments."""

    recommendation: int
    department: int


def _fold(text: str) -> str:
    return _FOLD.sub("", text).casefold()


def _vocabulary(kind: str) -> tuple[str, ...]:
    words = (load_yaml("layouts.yaml").get("tables") or {}).get(kind) or ()
    return tuple(_fold(str(word)) for word in words)


def _names(cell: str, words: tuple[str, ...]) -> bool:
    folded = _fold(cell)
    return 0 < len(cell) <= MAX_HEADER_CHARS and any(word in folded for word in words)


def columns(header: Sequence[str]) -> Columns | None:
    """The columns a header row names (the department first, so 負責部門 is never taken for a
    recommendation), or None unless it names both."""
    department = next(
        (i for i, cell in enumerate(header) if _names(cell, _vocabulary("department"))), None
    )
    recommendation = next(
        (
            i
            for i, cell in enumerate(header)
            if i != department and _names(cell, _vocabulary("recommendation"))
        ),
        None,
    )
    if recommendation is None or department is None:
        return None
    return Columns(recommendation, department)


def table_lines(rows: Sequence[Sequence[str]]) -> list[str]:
    """A table's rows as lines: marked rows for a recommendation table, else cells joined."""
    found = columns(rows[0]) if len(rows) > 1 else None
    if found is None:
        return [" ".join(cells) for cells in rows if any(cells)]
    lines = [f"{HEADER_MARK} " + " / ".join(cell for cell in rows[0] if cell)]
    for cells in rows[1:]:
        lines.append(_row_line(cells, found))
    return lines


def _row_line(cells: Sequence[str], found: Columns) -> str:
    def cell(index: int | None) -> str:
        return cells[index].strip() if index is not None and index < len(cells) else ""

    others = [c for i, c in enumerate(cells) if i not in (found.recommendation, found.department)]
    text = " ".join(part for part in (cell(found.recommendation), *others) if part)
    department = cell(found.department)
    if not text:
        return " ".join(c for c in cells if c)  # no recommendation in this row: plain text
    return f"{ROW_MARK} {text}" + (f" {COLUMN_MARK} {department}" if department else "")
