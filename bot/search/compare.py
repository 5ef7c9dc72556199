"""Compare organisations on one topic: which organisation proposed what, grouped by organisation,
best-matching organisation first. Telegram-free (the CLI prints it, bot/compare_view renders it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from bot.core.languages import DEFAULT_LANGUAGE
from bot.core.text import clip
from bot.search import SearchIndex, SearchResult, SearchResults, search
from bot.search.engine import MAX_LIMIT
from bot.search.present import mark
from bot.store.corpus import org_code

PER_ORG = 3  # items shown per organisation (a private chat, the terminal)
PER_ORG_COMPACT = 2  # in groups


@dataclass(frozen=True)
class OrgBlock:
    """One organisation's proposals on the topic: how many, and the best few."""

    code: str  # org code of its source slugs, e.g. bpa
    name: str  # short name as its documents give it, e.g. 經民聯
    total: int
    items: tuple[SearchResult, ...]


@dataclass(frozen=True)
class Comparison:
    """The topic, the search behind it, and one block per organisation."""

    topic: str
    answer: SearchResults
    blocks: tuple[OrgBlock, ...]

    @property
    def total(self) -> int:
        """Recommendations on the topic, all organisations together."""
        return self.answer.total


def compare(
    index: SearchIndex, topic: str, per_org: int = PER_ORG, language: str = DEFAULT_LANGUAGE
) -> Comparison:
    """Search the topic and group the results by organisation (each organisation's best results
    in rank order; organisations ordered by their best result); `language` is the reader's."""
    answer = search(index, topic, limit=MAX_LIMIT, language=language)
    totals: Counter[str] = Counter()
    for source_id, count in answer.by_source.items():
        totals[org_code(source_id)] += count
    grouped: dict[str, list[SearchResult]] = {}
    names: dict[str, str] = {}
    for result in answer.results:
        code = org_code(result.record.source_id)
        names.setdefault(code, result.record.org_short)
        grouped.setdefault(code, []).append(result)
    blocks = tuple(
        OrgBlock(code, names[code], totals[code] or len(results), tuple(results[:per_org]))
        for code, results in grouped.items()
    )
    return Comparison(topic, answer, blocks)


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """`{topic, total, organisations: [{org, code, total, items: [{id, label, title, text,
    areas}]}], suggestions}`."""
    return {
        "topic": comparison.topic,
        "total": comparison.total,
        "organisations": [
            {
                "org": block.name,
                "code": block.code,
                "total": block.total,
                "items": [
                    {
                        "id": item.record.id,
                        "doc": item.record.source_id,
                        "label": item.record.label,
                        "title": item.record.title,
                        "text": item.record.text,
                        "areas": list(item.record.areas),
                    }
                    for item in block.items
                ],
            }
            for block in comparison.blocks
        ],
        "suggestions": comparison.answer.suggestions,
    }


def describe_comparison(comparison: Comparison, width: int = 120) -> str:
    """A readable side-by-side listing for the terminal, one block per organisation."""
    if not comparison.blocks:
        suggestions = comparison.answer.suggestions
        hint = f" (did you mean: {', '.join(suggestions)})" if suggestions else ""
        return f"no recommendations about {comparison.topic!r}{hint}"
    lines = [f"{comparison.topic}: {comparison.total} recommendations"]
    for block in comparison.blocks:
        lines += ["", f"== {block.name} ({block.total})"]
        for item in block.items:
            record = item.record
            text = mark(record.text, [h for h in item.highlights if h.field == "text"])
            lines.append(f"- [{record.id}] {record.label} {record.title}")
            lines.append("  " + clip(text, width, one_line=True))
    return "\n".join(lines)
