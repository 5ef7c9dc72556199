"""The policy-area taxonomy (data/areas.yaml), shared by ingest, search, stats and the bot."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.resources import load_yaml

_AREA_ID = re.compile(r"^[a-z][a-z0-9_]{1,23}$")


class TaxonomyError(ValueError):
    """data/areas.yaml is malformed; the message says where."""


@dataclass(frozen=True)
class Area:
    """One policy area."""

    id: str
    zh: str
    en: str
    description: str
    keywords: tuple[str, ...]


def load_areas() -> list[Area]:
    """Every area in display order, validated."""
    entries = load_yaml("areas.yaml")
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError("data/areas.yaml must be a non-empty list of areas")
    areas = [_area(entry, position) for position, entry in enumerate(entries, 1)]
    ids = [area.id for area in areas]
    duplicates = sorted({area_id for area_id in ids if ids.count(area_id) > 1})
    if duplicates:
        raise TaxonomyError(f"data/areas.yaml: duplicate area ids {duplicates}")
    return areas


def area_by_id() -> dict[str, Area]:
    """Areas keyed by id."""
    return {area.id: area for area in load_areas()}


def _area(entry: object, position: int) -> Area:
    if not isinstance(entry, dict):
        raise TaxonomyError(f"data/areas.yaml: entry {position} is not a mapping")
    missing = [name for name in ("id", "zh", "en", "keywords") if not entry.get(name)]
    if missing:
        raise TaxonomyError(f"data/areas.yaml: entry {position} lacks {', '.join(missing)}")
    area_id = str(entry["id"])
    if not _AREA_ID.match(area_id):
        raise TaxonomyError(f"data/areas.yaml: area id {area_id!r} must match {_AREA_ID.pattern}")
    keywords = entry["keywords"]
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        raise TaxonomyError(f"data/areas.yaml: area {area_id} keywords must be a list of strings")
    return Area(
        id=area_id,
        zh=str(entry["zh"]),
        en=str(entry["en"]),
        description=str(entry.get("description", "")),
        keywords=tuple(keywords),
    )
