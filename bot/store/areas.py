"""The policy-area taxonomy (data/areas.yaml), shared by ingest, search, stats and the bot."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.core.resources import load_yaml

AREAS_FILE = "areas.yaml"
AREA_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,15}$")
_WHITESPACE = re.compile(r"\s+")


class TaxonomyError(ValueError):
    """`areas.yaml` or `heading_areas.yaml` is malformed."""


@dataclass(frozen=True)
class Area:
    """One policy area, as listed in `data/areas.yaml`."""

    id: str
    zh: str
    en: str
    description: str
    keywords: tuple[str, ...]


def parse_areas(data: Any) -> tuple[Area, ...]:
    """Check the list of areas: required fields, ASCII ids, no duplicate ids."""
    if not isinstance(data, list) or not data:
        raise TaxonomyError(f"{AREAS_FILE}: expected a non-empty list of areas")
    areas: list[Area] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        area = _parse_area(index, entry)
        if area.id in seen:
            raise TaxonomyError(f"{AREAS_FILE}: duplicate area id {area.id!r}")
        seen.add(area.id)
        areas.append(area)
    return tuple(areas)


def _parse_area(index: int, entry: Any) -> Area:
    """One area entry; every error names the entry."""
    where = f"{AREAS_FILE}: area #{index + 1}"
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{where}: expected a mapping")
    area_id = entry.get("id")
    if not isinstance(area_id, str) or not AREA_ID_PATTERN.match(area_id):
        raise TaxonomyError(f"{where}: id must match {AREA_ID_PATTERN.pattern}, got {area_id!r}")
    where = f"{where} ({area_id})"
    fields = {name: _required_text(entry, name, where) for name in ("zh", "en", "description")}
    keywords = _parse_keywords(entry.get("keywords"), where)
    return Area(area_id, fields["zh"], fields["en"], fields["description"], keywords)


def _required_text(entry: Mapping[str, Any], name: str, where: str) -> str:
    """A required, non-empty string field."""
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}: missing or empty {name!r}")
    return value.strip()


def _parse_keywords(value: Any, where: str) -> tuple[str, ...]:
    """A non-empty list of distinct keywords without whitespace."""
    if not isinstance(value, list) or not value:
        raise TaxonomyError(f"{where}: 'keywords' must be a non-empty list")
    keywords: list[str] = []
    for keyword in value:
        if not isinstance(keyword, str | int) or not str(keyword).strip():
            raise TaxonomyError(f"{where}: empty or non-text keyword {keyword!r}")
        text = str(keyword).strip()
        if _WHITESPACE.search(text):
            raise TaxonomyError(f"{where}: keyword {text!r} contains whitespace")
        if text.casefold() in (k.casefold() for k in keywords):
            raise TaxonomyError(f"{where}: duplicate keyword {text!r}")
        keywords.append(text)
    return tuple(keywords)


@cache
def _parsed(data_id: int) -> tuple[Area, ...]:
    return parse_areas(load_yaml(AREAS_FILE))


def load_areas() -> list[Area]:
    """All areas in display order (validated; re-read when data/areas.yaml changes)."""
    return list(_parsed(id(load_yaml(AREAS_FILE))))


@cache
def _by_id(data_id: int) -> dict[str, Area]:
    return {area.id: area for area in _parsed(data_id)}


def areas_by_id() -> Mapping[str, Area]:
    """Every area by its id (the same areas as `load_areas`, looked up without a scan: an
    area's name is read for each search result shown)."""
    return _by_id(id(load_yaml(AREAS_FILE)))


def get_area(area_id: str) -> Area:
    """The area with this id (KeyError if unknown)."""
    return areas_by_id()[area_id]
