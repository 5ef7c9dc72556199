"""Chats the bot talks to: remembered language and results layout, and whether the bot may still
write there.

Functions take a Session and never commit; the caller owns the unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Connection, String, bindparam, null, select, true
from sqlalchemy.orm import Session

from bot.core.languages import LANGUAGES
from bot.store.models import Chat, UTCDateTime, utcnow
from bot.store.row_batches import RowBatch
from bot.store.upsert import dialect_insert, insert_for

TOUCH_INTERVAL = timedelta(hours=1)  # how stale `updated_at` (last heard from) may get


@dataclass(frozen=True)
class ChatState:
    """What a handler needs to know of a chat it hears from, read in one query."""

    type: str
    title: str | None
    language: str | None
    compact: bool | None
    active: bool
    updated_at: datetime

    def needs_touch(self, chat_type: str, title: str | None, now: datetime) -> bool:
        """Whether touch_chat would write anything (see there)."""
        fresh = now - self.updated_at < TOUCH_INTERVAL
        return (self.type, self.title, self.active) != (chat_type, title, True) or not fresh


# Read for every update (with its claim): built once, the chat id a parameter.
CHAT_STATE = select(
    Chat.type, Chat.title, Chat.language, Chat.compact, Chat.active, Chat.updated_at
).where(Chat.id == bindparam("chat_id"))


def chat_state(session: Session | Connection, chat_id: int) -> ChatState | None:
    """The chat's stored state (None for a chat never heard from); a read, no unit of work."""
    row = session.execute(CHAT_STATE, {"chat_id": chat_id}).first()
    return ChatState(*row) if row is not None else None


def touch_chat(
    session: Session, chat_id: int, chat_type: str, title: str | None, now: datetime | None = None
) -> Chat:
    """Record a chat we heard from (creating it on first contact); hearing from it reactivates
    it, e.g. a user who blocked the bot and pressed /start again."""
    now = now or utcnow()
    chat = session.get(Chat, chat_id)
    if chat is None:
        chat = _first_contact(session, chat_id, chat_type, title, now)
    elif not ChatState(
        chat.type, chat.title, chat.language, chat.compact, chat.active, chat.updated_at
    ).needs_touch(chat_type, title, now):
        return chat  # nothing new: no write on every message
    chat.type, chat.title, chat.updated_at = chat_type, title, now
    chat.active = True
    return chat


def _first_contact(
    session: Session, chat_id: int, chat_type: str, title: str | None, now: datetime
) -> Chat:
    """A new chat's row. On SQLite and PostgreSQL it is inserted only if still absent: the
    background writer (`touch_chats`, from an earlier update of the same chat) may store it
    between this session's read and its write, and the handler then goes on with that row
    instead of failing on a duplicate key."""
    insert = dialect_insert(session)
    if insert is None:
        chat = Chat(id=chat_id, type=chat_type, created_at=now, active=True)
        session.add(chat)
        return chat
    table = Chat.__table__
    row = {"id": chat_id, "type": chat_type, "title": title, "active": True}
    statement = insert(table).values(**row, created_at=now, updated_at=now)
    session.execute(statement.on_conflict_do_nothing(index_elements=[table.c.id]))
    return session.get_one(Chat, chat_id)


def touch_chats(session: Session, seen: Mapping[int, tuple[str, str | None, datetime]]) -> None:
    """`touch_chat` for many chats heard from, {chat id: (type, title, when)}, without reading
    them: on SQLite and PostgreSQL one INSERT … ON CONFLICT DO UPDATE for all (new chats
    created, known ones updated and reactivated; language and layout kept), elsewhere one by
    one. For chats whose state was read as needing a touch (ChatState.needs_touch)."""
    if not seen:
        return
    insert = dialect_insert(session)
    if insert is None:
        for chat_id, (chat_type, title, at) in seen.items():
            touch_chat(session, chat_id, chat_type, title, at)
        return
    dialect = session.get_bind().dialect
    rows = [(chat_id, *heard) for chat_id, heard in seen.items()]
    statement = _touch_chats_statement(dialect.name)
    session.execute(statement, SEEN.parameters(dialect, rows))


# The chats heard from, as `touch_chats` stores them in one statement.
SEEN = RowBatch({"id": BigInteger(), "type": String(), "title": String(), "at": UTCDateTime()})


@cache
def _touch_chats_statement(dialect_name: str) -> Any:
    """`touch_chats`'s one statement for the dialect: new chats inserted (no language or layout
    chosen yet), known ones updated and reactivated."""
    seen = SEEN.source(dialect_name).c
    table = Chat.metadata.tables[Chat.__tablename__]
    new_rows = select(seen.id, seen.type, seen.title, null(), null(), true(), seen.at, seen.at)
    columns = ["id", "type", "title", "language", "compact", "active", "created_at", "updated_at"]
    # WHERE: SQLite reads `INSERT … SELECT … ON CONFLICT` as a join's ON without it
    statement = insert_for(dialect_name)(table).from_select(columns, new_rows.where(true()))
    return statement.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={
            "type": statement.excluded.type,
            "title": statement.excluded.title,
            "updated_at": statement.excluded.updated_at,
            "active": True,
        },
    )


def chat_language(session: Session, chat_id: int) -> str | None:
    """The language chosen with /lang, or None (then the user's Telegram language decides)."""
    chat = session.get(Chat, chat_id)
    return chat.language if chat else None


def set_language(session: Session, chat_id: int, chat_type: str, language: str) -> None:
    """Remember a chat's language choice."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    touch_chat(session, chat_id, chat_type, None).language = language


def compact_results(session: Session, chat_id: int, chat_type: str) -> bool:
    """Whether the chat reads results one line each: its choice, else the default of its type
    (groups compact, private chats in full)."""
    chat = session.get(Chat, chat_id)
    return compact_layout(chat.compact if chat is not None else None, chat_type)


def compact_layout(chosen: bool | None, chat_type: str) -> bool:
    """The chat's chosen layout, else its type's default (groups compact, private in full)."""
    return chosen if chosen is not None else chat_type != "private"


def set_compact(session: Session, chat_id: int, chat_type: str, compact: bool) -> None:
    """Remember a chat's results layout."""
    touch_chat(session, chat_id, chat_type, None).compact = compact


def move_chat(session: Session, old_id: int, new_id: int, now: datetime | None = None) -> None:
    """A group upgraded to a supergroup: carry its settings to the new id, retire the old one."""
    now = now or utcnow()
    old = session.get(Chat, old_id)
    new = touch_chat(session, new_id, "supergroup", old.title if old else None, now)
    if old is not None:
        new.language = new.language or old.language
        new.compact = old.compact if new.compact is None else new.compact
        old.active, old.updated_at = False, now
