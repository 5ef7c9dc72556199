"""What members' 👍/👎 and opened answers say, for /stats and `python -m bot stats`: the answers
voted down most, the queries with the most 👎 and no 👍, and alias suggestions (the words of
no-result and voted-down queries that the corpus lacks, next to what members opened after
queries with that word). Suggestions only: nothing is written to data/synonyms.yaml."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.search import SearchIndex
from bot.search.normalize import fold_query
from bot.search.segment import is_cjk
from bot.search.vocabulary import (
    absent_terms,
    characteristic_terms,
    display_query,
    display_term,
)
from bot.store.models import AnswerVote, QueryLogEntry, QueryOpen, Recommendation

TOP_ROWS = 10  # rows per table
OPENED_SHOWN = 3  # recommendations listed next to a suggested word


@dataclass(frozen=True)
class VotedAnswer:
    """A recommendation and its votes."""

    record_id: str
    title: str
    down: int
    up: int


@dataclass(frozen=True)
class DislikedQuery:
    """A query (folded, shown in Traditional characters) whose answers got 👎 and never 👍."""

    query: str
    down: int


@dataclass(frozen=True)
class AliasSuggestion:
    """A word the corpus lacks, how many no-result or voted-down queries used it, what members
    opened after queries with it, and the corpus words characterising those recommendations
    (candidates to group with the word in data/synonyms.yaml)."""

    word: str
    queries: int
    opened: tuple[str, ...]
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class FeedbackInsight:
    """The three feedback tables."""

    voted_down: list[VotedAnswer] = field(default_factory=list)
    disliked_queries: list[DislikedQuery] = field(default_factory=list)
    aliases: list[AliasSuggestion] = field(default_factory=list)


def collect_feedback(session: Session, since: datetime, index: SearchIndex) -> FeedbackInsight:
    """Read votes, opened answers and no-result queries since `since`; compute the tables."""
    per_record: dict[str, Counter[str]] = defaultdict(Counter)
    per_query: dict[str, Counter[str]] = defaultdict(Counter)
    rows = session.execute(
        select(AnswerVote.query, AnswerVote.record_id, AnswerVote.vote, func.count())
        .where(AnswerVote.at >= since)
        .group_by(AnswerVote.query, AnswerVote.record_id, AnswerVote.vote)
    )
    for query, record_id, vote, count in rows:
        per_record[record_id][vote] += int(count)
        per_query[query][vote] += int(count)
    voted_down = _voted_down(session, per_record)
    disliked = sorted(
        (
            DislikedQuery(display_query(index, query), votes["down"])
            for query, votes in per_query.items()
            if votes["down"] and not votes["up"]
        ),
        key=lambda item: (-item.down, item.query),
    )[:TOP_ROWS]
    empty = Counter(
        fold_query(text)
        for (text,) in session.execute(
            select(QueryLogEntry.text).where(QueryLogEntry.at >= since, QueryLogEntry.results == 0)
        )
    )
    voted_against = Counter({query: votes["down"] for query, votes in per_query.items()})
    opens = [
        (query, record_id, int(count))
        for query, record_id, count in session.execute(
            select(QueryOpen.query, QueryOpen.record_id, func.count())
            .where(QueryOpen.at >= since)
            .group_by(QueryOpen.query, QueryOpen.record_id)
        )
    ]
    aliases = alias_suggestions(index, empty + voted_against, opens)
    return FeedbackInsight(voted_down, disliked, aliases)


def _voted_down(session: Session, per_record: dict[str, Counter[str]]) -> list[VotedAnswer]:
    ranked = sorted(
        ((record_id, votes) for record_id, votes in per_record.items() if votes["down"]),
        key=lambda item: (-item[1]["down"], item[1]["up"], item[0]),
    )[:TOP_ROWS]
    ids = [record_id for record_id, _ in ranked]
    titles = dict(
        session.execute(
            select(Recommendation.id, Recommendation.title).where(Recommendation.id.in_(ids))
        ).all()
    )
    return [
        VotedAnswer(record_id, titles.get(record_id, ""), votes["down"], votes["up"])
        for record_id, votes in ranked
    ]


def alias_suggestions(
    index: SearchIndex,
    queries: Counter[str],
    opens: Iterable[tuple[str, str, int]],
) -> list[AliasSuggestion]:
    """For every word the corpus lacks in `queries` (folded query → weight: times it found
    nothing plus 👎 it got), the recommendations opened after queries using that word (`opens`:
    folded query, record id, count), most used words first."""
    weight: Counter[str] = Counter()
    for query, count in queries.items():
        for word in absent_terms(index, query):
            weight[word] += count
    ranked = sorted(weight.items(), key=lambda item: (-item[1], item[0]))[:TOP_ROWS]
    opens = list(opens)
    words_of = {query: set(index.segmenter.words(query)) for query, _, _ in opens}
    opened_after: dict[str, Counter[str]] = defaultdict(Counter)
    for word, _ in ranked:
        for query, record_id, count in opens:
            if (word in query) if is_cjk(word) else (word in words_of[query]):
                opened_after[word][record_id] += count
    suggestions = []
    for word, count in ranked:
        opened = dict(opened_after[word].most_common(OPENED_SHOWN))
        suggestions.append(
            AliasSuggestion(
                display_term(index, word),
                count,
                tuple(opened),
                tuple(characteristic_terms(index, opened)) if opened else (),
            )
        )
    return suggestions
