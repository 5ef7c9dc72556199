"""Search results as plain data (JSON) and as plain text for the terminal."""

from __future__ import annotations

from typing import Any

from bot.core.text import clip
from bot.search.engine import SearchResult, SearchResults
from bot.search.passage import Highlight

QUERY_SHOWN = 100  # characters of the query echoed back, as the bot shows it


def result_json(result: SearchResult) -> dict[str, Any]:
    """One result in the CLI's JSON shape."""
    record = result.record
    fields = {"title": record.title, "text": record.text, "refs": record.refs_text}
    return {
        "id": record.id,
        "doc": record.source_id,
        "org": record.org_short,
        "title": record.title,
        "text": record.text,
        "areas": list(record.areas),
        "score": round(result.score, 3),
        "why": result.why,  # "lexical" | "semantic" | "both": which stage found it
        "highlights": [
            {
                "field": h.field,
                "start": h.start,
                "end": h.end,
                "text": fields[h.field][h.start : h.end],
            }
            for h in result.highlights
        ],
    }


def results_json(answer: SearchResults) -> dict[str, Any]:
    """`{"query", "normalized", "elapsed_ms", "total", "results", "closest", "suggestions"}`;
    "closest" holds the closest real proposals when nothing answers the query (then "results" is
    empty): nobody proposed exactly this."""
    return {
        "query": answer.query,
        "normalized": answer.normalized,
        "elapsed_ms": round(answer.elapsed_ms, 3),
        "total": answer.total,
        "results": [result_json(result) for result in answer.results],
        "closest": [result_json(result) for result in answer.closest],
        "suggestions": answer.suggestions,
    }


def mark(text: str, spans: list[Highlight], left: str = "【", right: str = "】") -> str:
    """The text with each highlighted span wrapped in markers."""
    pieces, cursor = [], 0
    for span in sorted(spans, key=lambda h: h.start):
        pieces += [text[cursor : span.start], left, text[span.start : span.end], right]
        cursor = span.end
    return "".join([*pieces, text[cursor:]])


def describe_results(answer: SearchResults) -> str:
    """A readable listing for the terminal; the query is echoed as it was typed (clipped as the
    bot clips it), not as it was normalised for matching."""
    typed = clip(answer.query.strip(), QUERY_SHOWN, one_line=True)
    if not answer.results:
        hint = f" (did you mean: {', '.join(answer.suggestions)})" if answer.suggestions else ""
        lines = [f"no results for {typed!r}{hint}"]
        if answer.closest:
            lines.append("nobody proposed exactly this; closest proposals:")
            lines += [
                f"  [{result.record.id}] {result.record.org_short} · {result.record.title}"
                for result in answer.closest
            ]
        return "\n".join(lines)
    lines = [f"{answer.total} results for {typed!r} ({answer.elapsed_ms:.1f} ms)"]
    for rank, result in enumerate(answer.results, 1):
        record = result.record
        title = mark(record.title, [h for h in result.highlights if h.field == "title"])
        text = mark(record.text, [h for h in result.highlights if h.field == "text"])
        found = f"({result.score:.2f}, {result.why})"
        lines.append(f"{rank}. [{record.id}] {record.org_short} · {title}  {found}")
        lines.append("   " + clip(text, 160, one_line=True))
    return "\n".join(lines)
