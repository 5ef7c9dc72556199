"""The anonymous query log: what members searched for, when, and in which kind of chat (never who
asked), kept QUERY_LOG_RETENTION_DAYS days so that admins can see what is sought and what finds
nothing (to improve the aliases).

Functions take a Session and never commit; the caller owns the unit of work."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Integer, String, Text, delete, insert, select
from sqlalchemy.orm import Session

from bot.store.db import changed_rows
from bot.store.models import QueryChatType, QueryLogEntry, UTCDateTime, utcnow
from bot.store.row_batches import SUPPORTED, RowBatch

log = logging.getLogger(__name__)

MAX_LOGGED_CHARS = 500  # a pasted essay is cut: the log is for spotting topics, not archiving
CHAT_TYPES: tuple[QueryChatType, ...] = (
    "private",
    "group",
    "supergroup",
    "channel",
    "inline",
    "cli",
)


def log_query(
    session: Session,
    text: str,
    chat_type: str,
    results: int,
    *,
    retention_days: int,
    at: datetime | None = None,
) -> QueryLogEntry | None:
    """Record one search as typed (whitespace trimmed); nothing when the log is off (retention
    0) or the text is empty."""
    text = " ".join(text.split())
    if retention_days <= 0 or not text:
        return None
    if chat_type not in CHAT_TYPES:
        raise ValueError(f"unknown chat type {chat_type!r}")
    entry = QueryLogEntry(
        at=at or utcnow(), chat_type=chat_type, text=text[:MAX_LOGGED_CHARS], results=results
    )
    session.add(entry)
    return entry


def log_queries(
    session: Session,
    entries: Sequence[tuple[str, str, int, datetime]],
    *,
    retention_days: int,
) -> None:
    """`log_query` for many searches, (text, chat type, results, when), in one INSERT; an entry
    that `log_query` would refuse (an unknown chat type) is logged as an error and left out,
    an empty text is skipped, as there."""
    if retention_days <= 0:
        return
    rows = []
    for text, chat_type, results, at in entries:
        text = " ".join(text.split())
        if not text:
            continue
        if chat_type not in CHAT_TYPES:
            log.error("query log: unknown chat type %r, entry left out", chat_type)
            continue
        rows.append(
            {"at": at, "chat_type": chat_type, "text": text[:MAX_LOGGED_CHARS], "results": results}
        )
    if not rows:
        return
    dialect = session.get_bind().dialect
    if dialect.name not in SUPPORTED:
        session.execute(insert(QueryLogEntry), rows)  # one bulk INSERT
        return
    values = [tuple(row[name] for name in LOGGED.columns) for row in rows]
    session.execute(_log_queries_statement(dialect.name), LOGGED.parameters(dialect, values))


# The searches logged, as `log_queries` stores them in one statement.
LOGGED = RowBatch(
    {"at": UTCDateTime(), "chat_type": String(), "text": Text(), "results": Integer()}
)


@cache
def _log_queries_statement(dialect_name: str) -> Any:
    """`log_queries`'s one statement for the dialect."""
    logged = LOGGED.source(dialect_name).c
    rows = select(logged.at, logged.chat_type, logged.text, logged.results)
    table = QueryLogEntry.metadata.tables[QueryLogEntry.__tablename__]
    return insert(table).from_select(list(LOGGED.columns), rows)


def purge_query_log(session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Delete entries older than the retention period (every entry when it is 0); returns how
    many went."""
    cutoff = (now or utcnow()) - timedelta(days=max(retention_days, 0))
    return changed_rows(session, delete(QueryLogEntry).where(QueryLogEntry.at < cutoff))
