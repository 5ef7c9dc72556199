"""Followed topics: a chat's saved searches, which join its digest schedule.

The caller computes a topic's folded key (bot.search.topics.topic_key): the store only keeps it,
so that chats following the same search share one key and the search runs once for all of them.
What a chat has already been sent is recorded per chat (`sent_items`, shared with the areas), so
a proposal is never repeated unchanged, whichever section carried it.

Functions take a Session and never commit; the caller owns the unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.core.filters import Filters
from bot.store.chats import touch_chat
from bot.store.db import changed_rows
from bot.store.models import DigestSchedule, FollowedTopic, utcnow
from bot.store.subscriptions import ensure_schedule, stop_schedule_if_idle

MAX_TOPICS = 20  # per chat


class FollowResult(Enum):
    """What `follow` did."""

    ADDED = "added"
    ALREADY = "already"
    FULL = "full"  # the chat already follows MAX_TOPICS topics


@dataclass(frozen=True)
class Topic:
    """A followed topic, detached from the session."""

    id: int
    chat_id: int
    text: str
    folded: str
    filters: Filters
    notify_now: bool
    created_at: datetime


def filters_data(filters: Filters) -> dict[str, list[Any]]:
    """Filters as stored (JSON)."""
    return {
        "orgs": sorted(filters.orgs),
        "areas": sorted(filters.areas),
        "sources": sorted(filters.sources),
        "years": sorted(filters.years),
    }


def filters_of(data: dict[str, Any] | None) -> Filters:
    """Stored filters back as a value."""
    data = data or {}
    return Filters(
        orgs=frozenset(data.get("orgs", [])),
        areas=frozenset(data.get("areas", [])),
        sources=frozenset(data.get("sources", [])),
        years=frozenset(int(year) for year in data.get("years", [])),
    )


def _topic(row: FollowedTopic) -> Topic:
    return Topic(
        row.id,
        row.chat_id,
        row.text,
        row.folded,
        filters_of(row.filters),
        row.notify_now,
        row.created_at,
    )


def topics_of(session: Session, chat_id: int) -> list[Topic]:
    """The chat's topics, oldest first."""
    rows = session.scalars(
        select(FollowedTopic)
        .where(FollowedTopic.chat_id == chat_id)
        .order_by(FollowedTopic.created_at, FollowedTopic.id)
    )
    return [_topic(row) for row in rows]


def topics_for_chats(session: Session, chat_ids: list[int] | None = None) -> list[Topic]:
    """Every topic of these chats (all chats with None): what one tick searches, by folded key."""
    statement = select(FollowedTopic)
    if chat_ids is not None:
        statement = statement.where(FollowedTopic.chat_id.in_(chat_ids))
    return [_topic(row) for row in session.scalars(statement)]


def scheduled_topics(session: Session, due_by: datetime | None) -> list[Topic]:
    """The topics of every chat with an active schedule (due by `due_by`, unless None): what one
    digest run searches, once per folded key."""
    statement = (
        select(FollowedTopic)
        .join(DigestSchedule, DigestSchedule.chat_id == FollowedTopic.chat_id)
        .where(DigestSchedule.active.is_(True))
    )
    if due_by is not None:
        statement = statement.where(DigestSchedule.next_due <= due_by)
    return [_topic(row) for row in session.scalars(statement)]


def instant_topics(session: Session) -> list[Topic]:
    """Every topic whose chat asked to hear at once about new documents."""
    rows = session.scalars(select(FollowedTopic).where(FollowedTopic.notify_now.is_(True)))
    return [_topic(row) for row in rows]


def has_topics(session: Session) -> bool:
    """True if any chat follows a topic."""
    return session.scalar(select(FollowedTopic.id).limit(1)) is not None


def has_schedule(session: Session, chat_id: int) -> bool:
    """True if the chat already gets digests (an active schedule)."""
    schedule = session.get(DigestSchedule, chat_id)
    return schedule is not None and schedule.active


def follow(
    session: Session,
    chat_id: int,
    chat_type: str,
    text: str,
    folded: str,
    filters: Filters,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> tuple[FollowResult, Topic | None]:
    """Follow a topic (the existing one when the chat already follows the same folded search);
    the chat's digest schedule is created (default weekly) or switched back on."""
    now = now or utcnow()
    touch_chat(session, chat_id, chat_type, None, now)
    session.flush()
    existing = session.scalars(
        select(FollowedTopic).where(
            FollowedTopic.chat_id == chat_id, FollowedTopic.folded == folded
        )
    ).first()
    if existing is not None:
        return FollowResult.ALREADY, _topic(existing)
    count = session.scalar(
        select(func.count()).select_from(FollowedTopic).where(FollowedTopic.chat_id == chat_id)
    )
    if (count or 0) >= MAX_TOPICS:
        return FollowResult.FULL, None
    row = FollowedTopic(
        chat_id=chat_id,
        text=text,
        folded=folded,
        filters=filters_data(filters),
        notify_now=False,
        created_at=now,
    )
    session.add(row)
    schedule = ensure_schedule(session, chat_id, zone, now)
    schedule.active, schedule.updated_at = True, now
    session.flush()
    return FollowResult.ADDED, _topic(row)


def find_topic(session: Session, chat_id: int, topic_id: int) -> Topic | None:
    """One of the chat's topics by id (None if it is not the chat's)."""
    row = session.get(FollowedTopic, topic_id)
    return _topic(row) if row is not None and row.chat_id == chat_id else None


def find_by_key(session: Session, chat_id: int, folded: str) -> Topic | None:
    """The chat's topic with this folded key, if it follows it."""
    row = session.scalars(
        select(FollowedTopic).where(
            FollowedTopic.chat_id == chat_id, FollowedTopic.folded == folded
        )
    ).first()
    return _topic(row) if row is not None else None


def unfollow(session: Session, chat_id: int, topic_id: int | None = None) -> int:
    """Stop following one topic (or all, with None); returns how many were removed. With no
    topic and no area left, the digest schedule stops."""
    statement = delete(FollowedTopic).where(FollowedTopic.chat_id == chat_id)
    if topic_id is not None:
        statement = statement.where(FollowedTopic.id == topic_id)
    removed = changed_rows(session, statement)
    stop_schedule_if_idle(session, chat_id)
    return removed


def set_notify_now(session: Session, chat_id: int, topic_id: int, on: bool) -> bool:
    """Switch a topic's "notify at once"; False if the topic is not the chat's."""
    row = session.get(FollowedTopic, topic_id)
    if row is None or row.chat_id != chat_id:
        return False
    row.notify_now = on
    return True
