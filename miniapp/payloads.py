"""The API's JSON shapes, built from search results and stored rows. Text offsets of highlights
are in UTF-16 code units, as JavaScript indexes strings, so a client can cut the text at them
without converting."""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.search import IndexedRecord, SearchIndex, SearchResult, SearchResults
from bot.search.compare import Comparison
from bot.store.areas import load_areas
from bot.store.corpus import org_code
from bot.store.models import Recommendation
from bot.store.subscriptions import ChatSubscriptions
from bot.ui.views import area_name, doc_label


def utf16_offset(text: str, index: int) -> int:
    """The UTF-16 position of code point `index` of `text`."""
    prefix = text[:index]
    return len(prefix) + sum(1 for char in prefix if ord(char) > 0xFFFF)


@dataclass(frozen=True)
class Names:
    """How the reader names organisations and documents (built per language and index)."""

    language: str
    orgs: Mapping[str, str]  # org code → short name in the reader's language
    docs: Mapping[str, str]  # source id → "2024-25 財政預算案建議"
    years: Mapping[str, int]  # source id → year

    @classmethod
    def of(cls, index: SearchIndex, language: str) -> Names:
        """The names for `language` over the index's records and sources (computed once per
        index and language: the index is immutable, and replaced whole on a corpus change)."""
        known = _NAMES.setdefault(index, {})
        if language not in known:
            known[language] = cls._build(index, language)
        return known[language]

    @classmethod
    def _build(cls, index: SearchIndex, language: str) -> Names:
        sources = index.sources
        orgs = dict(sources.org_names_en if language == "en" else sources.org_names)
        for code, name in sources.org_names.items():
            orgs[code] = orgs.get(code) or name
        docs: dict[str, str] = {}
        years: dict[str, int] = {}
        for record in index.records:
            if record.source_id not in docs:
                kind = sources.kinds.get(record.source_id, "")
                docs[record.source_id] = doc_label(language, kind, record.period)
                years[record.source_id] = record.year
        return cls(language, orgs, docs, years)


_NAMES: weakref.WeakKeyDictionary[SearchIndex, dict[str, Names]] = weakref.WeakKeyDictionary()


def record_brief(record: IndexedRecord, names: Names) -> dict[str, Any]:
    """A record as a result row: ids, who, which document, title, text, areas."""
    code = org_code(record.source_id)
    return {
        "id": record.id,
        "doc": record.source_id,
        "doc_label": names.docs.get(record.source_id, record.source_id),
        "org": record.org_short,
        "org_code": code,
        "org_name": names.orgs.get(code, record.org_short),
        "label": record.label,
        "title": record.title,
        "text": record.text,
        "areas": list(record.areas),
    }


def result_payload(result: SearchResult, names: Names) -> dict[str, Any]:
    """A search result: the record, its highlights and the sentence that shows the match."""
    record = result.record
    fields = {"title": record.title, "text": record.text, "refs": record.refs_text}

    def span(field: str, start: int, end: int) -> dict[str, Any]:
        text = fields[field]
        return {
            "field": field,
            "start": utf16_offset(text, start),
            "end": utf16_offset(text, end),
            "text": text[start:end],
        }

    passage = result.passage
    return {
        **record_brief(record, names),
        "refs": record.refs_text,
        "why": result.why,
        "highlights": [span(h.field, h.start, h.end) for h in result.highlights],
        "passage": span(passage.field, passage.start, passage.end) if passage else None,
    }


def facet(values: Iterable[tuple[str, str, int]], selected: Iterable[str]) -> list[dict[str, Any]]:
    """Chips `{value, label, count, selected}`, most results first; a selected value is listed
    even when nothing under the other filters has it (so it can be removed)."""
    chosen = set(selected)
    rows = {value: (label, count) for value, label, count in values}
    for value in chosen - set(rows):
        rows[value] = (value, 0)
    ordered = sorted(rows.items(), key=lambda item: (-item[1][1], item[1][0]))
    return [
        {"value": value, "label": label, "count": count, "selected": value in chosen}
        for value, (label, count) in ordered
    ]


def facets(answer: SearchResults, names: Names, chosen: Mapping[str, list[str]]) -> dict[str, Any]:
    """Counts per organisation, area, year and document of every result (not just this page)."""
    per_org: Counter[str] = Counter()
    per_year: Counter[str] = Counter()
    for source_id, count in answer.by_source.items():
        per_org[org_code(source_id)] += count
        per_year[str(names.years.get(source_id, ""))] += count
    language = names.language
    return {
        "org": facet(
            ((code, names.orgs.get(code, code), n) for code, n in per_org.items()),
            chosen.get("org", []),
        ),
        "area": facet(
            ((area, area_name(language, area), n) for area, n in answer.by_area.items()),
            chosen.get("area", []),
        ),
        "year": facet(
            ((year, year, n) for year, n in per_year.items() if year), chosen.get("year", [])
        ),
        "doc": facet(
            ((doc, names.docs.get(doc, doc), n) for doc, n in answer.by_source.items()),
            chosen.get("doc", []),
        ),
    }


def search_payload(
    answer: SearchResults, names: Names, chosen: Mapping[str, list[str]]
) -> dict[str, Any]:
    """`{query, total, results, facets, filters, closest, suggestions, elapsed_ms}`."""
    return {
        "query": answer.query,
        "total": answer.total,
        "results": [result_payload(result, names) for result in answer.results],
        "facets": facets(answer, names, chosen),
        "filters": {kind: list(values) for kind, values in chosen.items()},
        "unknown_filters": list(answer.unknown_filters),
        "closest": [result_payload(result, names) for result in answer.closest],
        "suggestions": answer.suggestions,
        "elapsed_ms": round(answer.elapsed_ms, 2),
    }


def rec_payload(
    record: Recommendation, related: Iterable[SearchResult], names: Names
) -> dict[str, Any]:
    """A proposal in full with its citation, and related proposals of other organisations."""
    source = record.source
    english = names.language == "en"
    code = org_code(source.id)
    return {
        "id": record.id,
        "doc": source.id,
        "doc_label": names.docs.get(source.id, source.id),
        "org": source.org_short,
        "org_code": code,
        "org_name": names.orgs.get(code, source.org_short),
        "citation": {
            "organisation": (source.org_en if english else source.org) or source.org,
            "document": (source.title_en if english else source.title) or source.title,
            "date": source.date,
            "section_path": list(record.section_path),
            "label": record.label,
            "bureaux": list(record.bureaux),
            "refs": [{"label": ref["label"], "text": ref["text"]} for ref in record.refs],
        },
        "withdrawn": bool(record.withdrawn),
        "title": record.title,
        "text": record.text,
        "areas": [{"id": area, "name": area_name(names.language, area)} for area in record.areas],
        "related": [record_brief(result.record, names) for result in related],
    }


def compare_payload(comparison: Comparison, names: Names) -> dict[str, Any]:
    """`/compare` as columns: `{topic, total, organisations: [{code, org, total, items}]}`."""
    return {
        "topic": comparison.topic,
        "total": comparison.total,
        "organisations": [
            {
                "code": block.code,
                "org": names.orgs.get(block.code, block.name),
                "total": block.total,
                "items": [result_payload(item, names) for item in block.items],
            }
            for block in comparison.blocks
        ],
        "suggestions": comparison.answer.suggestions,
    }


def areas_payload(language: str) -> list[dict[str, str]]:
    """Every policy area, in taxonomy order, named in the reader's language."""
    return [
        {"id": area.id, "name": area.en if language == "en" else area.zh} for area in load_areas()
    ]


def subscriptions_payload(current: ChatSubscriptions, zone: str) -> dict[str, Any]:
    """The chat's subscribed areas and digest schedule."""
    return {
        "areas": list(current.areas),
        "frequency": current.frequency,
        "weekday": current.weekday,
        "hour": current.hour,
        "active": current.active,
        "next_due": current.next_due.isoformat() if current.next_due else None,
        "timezone": zone,
    }
