"""Chats the bot talks to: remembered language and results layout, and whether the bot may still
write there.

Functions take a Session and never commit; the caller owns the unit of work."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.languages import LANGUAGES
from bot.store.models import Chat, utcnow

TOUCH_INTERVAL = timedelta(hours=1)  # how stale `updated_at` (last heard from) may get


def touch_chat(
    session: Session, chat_id: int, chat_type: str, title: str | None, now: datetime | None = None
) -> Chat:
    """Record a chat we heard from (creating it on first contact); hearing from it reactivates
    it, e.g. a user who blocked the bot and pressed /start again."""
    now = now or utcnow()
    chat = session.get(Chat, chat_id)
    if chat is None:
        chat = Chat(id=chat_id, type=chat_type, created_at=now, active=True)
        session.add(chat)
    elif (chat.type, chat.title, chat.active) == (chat_type, title, True) and (
        now - chat.updated_at < TOUCH_INTERVAL
    ):
        return chat  # nothing new: no write on every message
    chat.type, chat.title, chat.updated_at = chat_type, title, now
    chat.active = True
    return chat


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
    if chat is not None and chat.compact is not None:
        return chat.compact
    return chat_type != "private"


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
