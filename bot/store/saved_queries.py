"""Searches saved behind short keys, so that paging and narrowing buttons and deep links carry a
key instead of the query (callback_data and /start payloads are limited to 64 bytes)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, String, Text, cast, select, true
from sqlalchemy.orm import Session

from bot.core.filters import Filters
from bot.store.models import SavedQuery, UTCDateTime, utcnow
from bot.store.row_batches import RowBatch
from bot.store.upsert import dialect_insert, insert_for

KEY_LENGTH = 10
KEY_BYTES = 5 * -(-KEY_LENGTH // 8)  # whole base32 groups covering KEY_LENGTH characters


@dataclass(frozen=True)
class StoredSearch:
    """A query text with its explicit filters."""

    text: str
    filters: Filters


def _filters_data(filters: Filters) -> dict[str, list[str | int]]:
    return {
        "orgs": sorted(filters.orgs),
        "areas": sorted(filters.areas),
        "sources": sorted(filters.sources),
        "years": sorted(filters.years),
    }


def query_key(text: str, filters: Filters) -> str:
    """A short, stable, ASCII key for a query (same query, same key, on every replica)."""
    payload = json.dumps([text, _filters_data(filters)], ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    # Base32 turns each 5 bytes into 8 characters, so the key's characters come from the digest's
    # first bytes only: encoding just those (Python's encoder is pure Python) gives the same key.
    return base64.b32encode(digest[:KEY_BYTES]).decode("ascii").lower()[:KEY_LENGTH]


def save_query(session: Session, text: str, filters: Filters, now: datetime | None = None) -> str:
    """Store a query (idempotent) and return its key. On SQLite and PostgreSQL the row is
    inserted only if still absent: the background writer (`save_queries`) may store the same
    search between this session's read and its write."""
    key = query_key(text, filters)
    if session.get(SavedQuery, key) is not None:
        return key
    row = {"key": key, "text": text, "filters": _filters_data(filters)}
    insert = dialect_insert(session)
    if insert is None:
        session.add(SavedQuery(**row, created_at=now or utcnow()))
        return key
    table = SavedQuery.__table__
    statement = insert(table).values(**row, created_at=now or utcnow())
    session.execute(statement.on_conflict_do_nothing(index_elements=[table.c.key]))
    return key


def save_queries(session: Session, searches: Mapping[str, tuple[StoredSearch, datetime]]) -> None:
    """`save_query` for many searches, {key: (search, when)} (each key `query_key` of its
    search): on SQLite and PostgreSQL one INSERT … ON CONFLICT DO NOTHING for all, elsewhere
    one by one."""
    if not searches:
        return
    insert = dialect_insert(session)
    if insert is None:
        for stored, at in searches.values():
            save_query(session, stored.text, stored.filters, at)
        return
    dialect = session.get_bind().dialect
    rows = [
        (key, stored.text, json.dumps(_filters_data(stored.filters)), at)
        for key, (stored, at) in searches.items()
    ]
    session.execute(_save_queries_statement(dialect.name), SAVED.parameters(dialect, rows))


# The searches saved, as `save_queries` stores them in one statement (filters as JSON text).
SAVED = RowBatch({"key": String(), "text": Text(), "filters": Text(), "created_at": UTCDateTime()})


@cache
def _save_queries_statement(dialect_name: str) -> Any:
    """`save_queries`'s one statement for the dialect: searches not stored yet inserted."""
    saved = SAVED.source(dialect_name).c
    table = SavedQuery.metadata.tables[SavedQuery.__tablename__]
    # PostgreSQL's column is `json`; SQLite keeps JSON as the text itself (a CAST there would
    # read it as a number)
    filters = cast(saved.filters, JSON) if dialect_name == "postgresql" else saved.filters
    rows = select(saved.key, saved.text, filters, saved.created_at).where(true())
    statement = insert_for(dialect_name)(table).from_select(list(SAVED.columns), rows)
    return statement.on_conflict_do_nothing(index_elements=[table.c.key])


def load_query(session: Session, key: str) -> StoredSearch | None:
    """The query behind a key, or None if unknown."""
    row = session.get(SavedQuery, key)
    if row is None:
        return None
    data = row.filters or {}
    filters = Filters(
        orgs=frozenset(data.get("orgs", [])),
        areas=frozenset(data.get("areas", [])),
        sources=frozenset(data.get("sources", [])),
        years=frozenset(int(year) for year in data.get("years", [])),
    )
    return StoredSearch(row.text, filters)
