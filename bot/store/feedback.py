"""Anonymous answer feedback: members' 👍/👎 on a recommendation opened from a search, and which
recommendation was opened after which query. Rows hold the folded query, the recommendation, the
vote (for votes) and the time, never who or in which chat; they follow the query log's retention
(QUERY_LOG_RETENTION_DAYS, 0: nothing is stored).

A vote is changeable without knowing who voted: the message's buttons carry the vote they show
and the second it was stored, and a change sends that back. `change_vote` then deletes one row
with that query, recommendation, vote and second (any such row: rows are indistinguishable) and
adds the new one. A row already purged is simply not found, so counts never go below zero.

Functions take a Session and never commit; the caller owns the unit of work."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.db import changed_rows
from bot.store.models import AnswerVote, QueryOpen, VoteKind, utcnow

MAX_QUERY_CHARS = 500  # as the query log: enough to spot a topic
VOTES: tuple[VoteKind, ...] = ("up", "down")
_SECOND = timedelta(seconds=1)


def whole_second(moment: datetime) -> datetime:
    """`moment` without its fraction of a second (what a vote row and its buttons hold)."""
    return moment.replace(microsecond=0)


def change_vote(
    session: Session,
    query: str,
    record_id: str,
    *,
    old: VoteKind | None,
    old_at: datetime | None,
    new: VoteKind | None,
    retention_days: int,
    now: datetime | None = None,
) -> datetime | None:
    """Replace a vote: remove the `old` one stored at `old_at` (when given and still kept), then
    store `new` (None: withdrawn). Returns the new vote's time (None when nothing was stored:
    withdrawn, or feedback is off)."""
    if retention_days <= 0:
        return None
    for vote in (old, new):
        if vote is not None and vote not in VOTES:
            raise ValueError(f"unknown vote {vote!r}")
    query = query[:MAX_QUERY_CHARS]
    if old is not None and old_at is not None:
        start = whole_second(old_at)
        row_id = session.scalar(
            select(AnswerVote.id)
            .where(
                AnswerVote.query == query,
                AnswerVote.record_id == record_id,
                AnswerVote.vote == old,
                AnswerVote.at >= start,
                AnswerVote.at < start + _SECOND,
            )
            .limit(1)
        )
        if row_id is not None:
            session.execute(delete(AnswerVote).where(AnswerVote.id == row_id))
    if new is None:
        return None
    at = whole_second(now or utcnow())
    session.add(AnswerVote(at=at, query=query, record_id=record_id, vote=new))
    return at


def log_open(
    session: Session,
    query: str,
    record_id: str,
    *,
    retention_days: int,
    now: datetime | None = None,
) -> QueryOpen | None:
    """Record that a recommendation was opened from the results of `query` (folded); nothing
    when the log is off or the query is empty."""
    if retention_days <= 0 or not query.strip():
        return None
    entry = QueryOpen(
        at=whole_second(now or utcnow()), query=query[:MAX_QUERY_CHARS], record_id=record_id
    )
    session.add(entry)
    return entry


def purge_feedback(session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Delete votes and opens older than the retention period (all of them when it is 0);
    returns how many rows went."""
    cutoff = (now or utcnow()) - timedelta(days=max(retention_days, 0))
    votes = changed_rows(session, delete(AnswerVote).where(AnswerVote.at < cutoff))
    opens = changed_rows(session, delete(QueryOpen).where(QueryOpen.at < cutoff))
    return votes + opens
