"""Exactly-once handling of Telegram updates across replicas.

An update is claimed by inserting its `update_id` into `processed_updates` before any handler
runs; whoever inserts the row handles the update, everyone else (a second replica behind the same
webhook URL, a Telegram retry of a call we already took) skips it as a duplicate.

The trade-off: the claim is committed before the update is handled, so a replica that dies
between claiming and answering loses that update (at most once, never twice). Telegram only
retries a webhook call that got no 2xx answer, and the webhook answers 200 as soon as the update
is queued, so handling inside the request would not win it back either.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import BigInteger, Dialect, Engine, Select, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from bot.store.chats import CHAT_STATE, ChatState, chat_state
from bot.store.db import SessionFactory, changed_rows
from bot.store.dbapi_statements import DbapiStatement
from bot.store.models import Chat, ProcessedUpdate

# Telegram keeps an undelivered update for at most 24 hours; three days covers every retry.
RETENTION = timedelta(days=3)


def claim_update(session: Session, update_id: int, now: datetime) -> bool:
    """Record `update_id` as taken; True if this call took it, False if it was already taken."""
    values = {"update_id": update_id, "received_at": now}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        return session.execute(_claim_statement(dialect), values).first() is not None
    try:  # any other backend: the primary key decides
        with session.begin_nested():
            session.add(ProcessedUpdate(**values))
        return True
    except IntegrityError:
        return False


@cache
def _claim_statement(dialect: str) -> ReturningInsert[tuple[int]]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING update_id, built once per dialect (it runs for
    every update) with the values as parameters."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(ProcessedUpdate)
        .values(
            update_id=bindparam("update_id", type_=ProcessedUpdate.update_id.type),
            received_at=bindparam("received_at", type_=ProcessedUpdate.received_at.type),
        )
        .on_conflict_do_nothing()
        .returning(ProcessedUpdate.update_id)
    )


@cache
def claim_and_read_statement() -> Select[tuple[Any, ...]]:
    """PostgreSQL: the claim and the chat's state in one statement (a data-modifying CTE), so
    that on a connection in autocommit mode a claim is one round trip, where a transaction of
    its own costs four (BEGIN, INSERT, SELECT, COMMIT). No row: the update was taken already;
    one row, the chat's columns NULL: taken, and the chat is new."""
    claimed = _claim_statement("postgresql").cte("claimed")
    return select(
        claimed.c.update_id,
        Chat.type,
        Chat.title,
        Chat.language,
        Chat.compact,
        Chat.active,
        Chat.updated_at,
    ).select_from(claimed.outerjoin(Chat, Chat.id == bindparam("chat_id", type_=BigInteger)))


def claim_with_chat(
    sessions: SessionFactory, update_id: int, chat_id: int | None, now: datetime
) -> tuple[bool, ChatState | None]:
    """`claim_update` and, when this call took the update, the chat's state (`chat_state`), in
    one transaction. It runs for every update, so without an ORM session's bookkeeping: on
    SQLite on the driver's own connection (`_sqlite_claim`); on PostgreSQL as one statement in
    autocommit mode."""
    engine = sessions.kw.get("bind")
    if isinstance(engine, Engine) and engine.dialect.name == "postgresql":
        values = {"update_id": update_id, "received_at": now, "chat_id": chat_id}
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            row = connection.execute(claim_and_read_statement(), values).first()
        if row is None:
            return False, None
        return True, ChatState(*row[1:]) if row[1] is not None else None
    if isinstance(engine, Engine) and engine.dialect.name == "sqlite":
        return _sqlite_claim(engine, update_id, chat_id, now)
    with sessions.begin() as session:
        claimed = claim_update(session, update_id, now)
        if not claimed or chat_id is None:
            return claimed, None
        return claimed, chat_state(session, chat_id)


def _sqlite_claim(
    engine: Engine, update_id: int, chat_id: int | None, now: datetime
) -> tuple[bool, ChatState | None]:
    """`claim_with_chat` on SQLite, on the driver's connection (`DbapiStatement`): the same
    statements in the same transaction (the driver opens it at the INSERT), a driver error
    raised as SQLAlchemy raises it (a held lock as `OperationalError`)."""
    claim, read = _sqlite_statements(engine.dialect)
    statement, values = claim, {"update_id": update_id, "received_at": now}
    connection = engine.raw_connection()  # pooled; closing it returns it (rolled back)
    try:
        cursor = connection.cursor()
        try:
            claimed = cursor.execute(claim.sql, claim.parameters(values)).fetchone() is not None
            state = None
            if claimed and chat_id is not None:
                statement, values = read, {"chat_id": chat_id}
                row = cursor.execute(read.sql, read.parameters(values)).fetchone()
                state = ChatState(*read.row(row)) if row is not None else None
            connection.commit()
        finally:
            cursor.close()
    except engine.dialect.loaded_dbapi.Error as error:
        raise statement.error(values, error) from error
    finally:
        connection.close()
    return claimed, state


@lru_cache(maxsize=16)
def _sqlite_statements(dialect: Dialect) -> tuple[DbapiStatement, DbapiStatement]:
    """The claim and the chat's read, compiled once per engine's dialect (a process has two or
    three engines; tests make many, hence the bound)."""
    return (
        DbapiStatement.compile(_claim_statement("sqlite"), dialect),
        DbapiStatement.compile(CHAT_STATE, dialect),
    )


def purge_processed_updates(session: Session, now: datetime) -> int:
    """Forget claims older than RETENTION; returns how many rows went."""
    return changed_rows(
        session, delete(ProcessedUpdate).where(ProcessedUpdate.received_at < now - RETENTION)
    )
