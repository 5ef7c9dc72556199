"""INSERT … ON CONFLICT for the store's dialects: the writes that arrive in batches (chats heard
from, saved searches) are one statement each on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def dialect_insert(session: Session) -> Any:
    """The session's dialect's `insert` with `on_conflict_do_*` (SQLite's or PostgreSQL's), or
    None for another backend (callers then write row by row)."""
    return insert_for(session.get_bind().dialect.name)


def insert_for(name: str) -> Any:
    """`dialect_insert` by the dialect's name."""
    if name == "postgresql":
        return postgresql_insert
    if name == "sqlite":
        return sqlite_insert
    return None
