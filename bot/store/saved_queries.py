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

from sqlalchemy import JSON, String, Text, cast, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.orm import Session

from bot.core.filters import Filters
from bot.store.column_arrays import column_values, unnested
from bot.store.models import SavedQuery, UTCDateTime, utcnow
from bot.store.upsert import dialect_insert

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
    if insert is postgresql_insert:  # the whole batch as one array per column
        values = [
            (key, stored.text, json.dumps(_filters_data(stored.filters)), at)
            for key, (stored, at) in searches.items()
        ]
        session.execute(_save_queries_arrays(), column_values(_SAVED_COLUMNS, values))
        return
    table = SavedQuery.__table__
    rows = [
        {
            "key": key,
            "text": stored.text,
            "filters": _filters_data(stored.filters),
            "created_at": at,
        }
        for key, (stored, at) in searches.items()
    ]
    session.execute(insert(table).on_conflict_do_nothing(index_elements=[table.c.key]), rows)


_SAVED_COLUMNS = ("key", "text", "filters", "created_at")


@cache
def _save_queries_arrays() -> Any:
    """PostgreSQL's `save_queries` statement: the searches as arrays (filters as JSON text)."""
    saved = unnested(
        {"key": String(), "text": Text(), "filters": Text(), "created_at": UTCDateTime()}
    )
    table = SavedQuery.__table__
    rows = select(saved.c.key, saved.c.text, cast(saved.c.filters, JSON), saved.c.created_at)
    statement = postgresql_insert(SavedQuery.metadata.tables[SavedQuery.__tablename__]).from_select(
        list(_SAVED_COLUMNS), rows
    )
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
