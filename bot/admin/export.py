"""Export the corpus as JSON, CSV or an Excel workbook (one row per recommendation)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.store.models import Recommendation, Source

FIELDS = (
    "id", "doc", "org", "org_short", "label", "title", "section_path", "text",
    "areas", "bureaux", "refs", "withdrawn", "first_seen", "last_changed",
)  # fmt: skip


def record_dict(record: Recommendation) -> dict[str, Any]:
    """A recommendation as plain data, with its source's file and organisation."""
    return {
        "id": record.id,
        "doc": record.source.file,
        "org": record.source.org,
        "org_short": record.source.org_short,
        "label": record.label,
        "title": record.title,
        "section_path": list(record.section_path),
        "text": record.text,
        "areas": list(record.areas),
        "bureaux": list(record.bureaux),
        "refs": list(record.refs),
        "withdrawn": record.withdrawn,
        "first_seen": record.first_seen.isoformat(),
        "last_changed": record.last_changed.isoformat(),
    }


def write_json(records: Sequence[Recommendation], out: TextIO) -> None:
    """A JSON array of records, UTF-8 kept readable."""
    json.dump([record_dict(record) for record in records], out, ensure_ascii=False, indent=1)
    out.write("\n")


LIST_SEPARATOR = "; "  # between the items of a list cell in CSV and Excel


def write_csv(records: Sequence[Recommendation], out: TextIO) -> None:
    """CSV with a header; list fields as readable lists ("innotech; talent"). The JSON export
    keeps every list exactly, for programs."""
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for record in records:
        writer.writerow(flat_record(record))


def flat_record(record: Recommendation) -> dict[str, Any]:
    """A record as one row of scalars, for people: list fields joined by LIST_SEPARATOR, each
    cited paragraph as its label and text."""
    row = record_dict(record)
    for name in ("section_path", "areas", "bureaux"):
        row[name] = LIST_SEPARATOR.join(row[name])
    row["refs"] = LIST_SEPARATOR.join(_reference(ref) for ref in row["refs"])
    return row


def _reference(ref: Any) -> str:
    if not isinstance(ref, dict):
        return str(ref)
    return " ".join(str(part) for part in (ref.get("label"), ref.get("text")) if part)


SOURCE_FIELDS = ("id", "file", "org", "org_short", "org_en", "title", "title_en", "kind", "date")


def write_xlsx(records: Sequence[Recommendation], sources: Sequence[Source], path: Path) -> None:
    """An Excel workbook: sheet "recommendations" with the CSV's columns and rows, sheet
    "sources" with one row per document. Every text stays text (a leading = is no formula)."""
    from openpyxl import Workbook  # imported here: only this export needs it
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for title, header, rows in (
        ("recommendations", FIELDS, (flat_record(record).values() for record in records)),
        ("sources", SOURCE_FIELDS, ([getattr(s, name) for name in SOURCE_FIELDS] for s in sources)),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(list(header))
        for values in rows:
            cells = []
            for value in values:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    workbook.save(path)
