"""Followed topics: the key that groups chats following the same search, and the search run once
per key for all of them (the same engine as a member's search: aliases, Simplified, English,
typos and `org:` filters all work)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.embedding import default_embedder
from bot.core.filters import Filters
from bot.search.engine import matching_ids
from bot.search.index import SearchIndex
from bot.search.normalize import fold_text, to_traditional
from bot.search.query import clean_input, parse_query

MAX_TOPIC_CHARS = 200  # a topic is a search, not a paragraph
KEY_CHARS = 255  # the store's column


@dataclass(frozen=True)
class TopicQuery:
    """What to search for one folded key."""

    key: str
    text: str
    filters: Filters


def topic_key(text: str, filters: Filters | None = None) -> str:
    """The folded search (case, width, Simplified/Traditional and spacing do not matter) and its
    explicit filters: chats whose topics share this key get the same matches."""
    filters = filters or Filters()
    folded = " ".join(to_traditional(fold_text(clean_input(text))).split())
    parts = [folded]
    for name, values in (
        ("o", filters.orgs),
        ("a", filters.areas),
        ("d", filters.sources),
        ("y", {str(year) for year in filters.years}),
    ):
        if values:
            parts.append(f"{name}:{','.join(sorted(values))}")
    return "|".join(parts)[:KEY_CHARS]


def match_topics(index: SearchIndex, topics: Iterable[TopicQuery]) -> dict[str, tuple[str, ...]]:
    """Per distinct key, the ids of every record its search answers with, best first. Each key
    is searched once; the query vectors come from memory or the disk cache (a topic's vector is
    computed once, when it is first searched, e.g. by /follow), else are computed first."""
    distinct: dict[str, TopicQuery] = {}
    for topic in topics:
        distinct.setdefault(topic.key, topic)
    if index.vectors is not None and distinct:
        plain = [
            to_traditional(parse_query(topic.text, index.lexicon).plain)
            for topic in distinct.values()
        ]
        default_embedder().remember_queries([text for text in plain if text.strip()])
    return {
        key: tuple(matching_ids(index, topic.text, topic.filters or None))
        for key, topic in distinct.items()
    }


def count_matches(index: SearchIndex, text: str, filters: Filters) -> int:
    """How many records a topic matches now."""
    return len(matching_ids(index, text, filters or None))


TopicMatches = Mapping[str, tuple[str, ...]]
