"""Subscriptions to policy areas and the chat's digest schedule.

Functions take a Session and never commit; the caller owns the unit of work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.core.schedule import Frequency, is_frequency, next_due
from bot.store.areas import load_areas
from bot.store.chats import touch_chat
from bot.store.db import changed_rows
from bot.store.models import Chat, DigestSchedule, FollowedTopic, Subscription, utcnow

DEFAULT_FREQUENCY: Frequency = "weekly"
DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_HOUR = 9


@dataclass(frozen=True)
class ChatSubscriptions:
    """What a chat follows and when it hears about it."""

    areas: tuple[str, ...]
    frequency: Frequency
    weekday: int
    hour: int
    active: bool
    next_due: datetime | None
    topics: int = 0  # how many topics the chat follows (they share the schedule)


def areas_of(session: Session, chat_id: int) -> list[str]:
    """The chat's subscribed areas, in taxonomy order."""
    subscribed = set(
        session.scalars(select(Subscription.area).where(Subscription.chat_id == chat_id))
    )
    return [area.id for area in load_areas() if area.id in subscribed]


def describe(session: Session, chat_id: int) -> ChatSubscriptions:
    """The chat's subscriptions and schedule (defaults if it has none yet)."""
    schedule = session.get(DigestSchedule, chat_id)
    areas = tuple(areas_of(session, chat_id))
    topics = session.scalar(
        select(func.count()).select_from(FollowedTopic).where(FollowedTopic.chat_id == chat_id)
    )
    if schedule is None:
        return ChatSubscriptions(
            areas, DEFAULT_FREQUENCY, DEFAULT_WEEKDAY, DEFAULT_HOUR, False, None, topics or 0
        )
    return ChatSubscriptions(
        areas,
        schedule.frequency,
        schedule.weekday,
        schedule.hour,
        schedule.active,
        schedule.next_due,
        topics or 0,
    )


def ensure_schedule(
    session: Session, chat_id: int, zone: ZoneInfo, now: datetime
) -> DigestSchedule:
    """The chat's schedule, created with the defaults (weekly, Monday 9:00) if it has none."""
    schedule = session.get(DigestSchedule, chat_id)
    if schedule is None:
        schedule = DigestSchedule(
            chat_id=chat_id,
            frequency=DEFAULT_FREQUENCY,
            weekday=DEFAULT_WEEKDAY,
            hour=DEFAULT_HOUR,
            active=True,
            next_due=next_due(DEFAULT_FREQUENCY, DEFAULT_HOUR, DEFAULT_WEEKDAY, now, zone),
            created_at=now,
            updated_at=now,
        )
        session.add(schedule)
    return schedule


def subscribe(
    session: Session,
    chat_id: int,
    chat_type: str,
    areas: Iterable[str],
    zone: ZoneInfo,
    now: datetime | None = None,
) -> list[str]:
    """Follow areas (unknown ids are refused); returns the areas newly added."""
    now = now or utcnow()
    known = {area.id for area in load_areas()}
    wanted = [area for area in areas if area in known]
    touch_chat(session, chat_id, chat_type, None, now)
    session.flush()
    existing = set(areas_of(session, chat_id))
    added = [area for area in dict.fromkeys(wanted) if area not in existing]
    for area in added:
        session.add(Subscription(chat_id=chat_id, area=area, created_at=now))
    schedule = ensure_schedule(session, chat_id, zone, now)
    schedule.active, schedule.updated_at = True, now
    return added


def unsubscribe(session: Session, chat_id: int, area: str | None = None) -> int:
    """Stop following one area (or all, with None); returns how many were removed. With no
    area and no followed topic left, the schedule stops."""
    statement = delete(Subscription).where(Subscription.chat_id == chat_id)
    if area is not None:
        statement = statement.where(Subscription.area == area)
    removed = changed_rows(session, statement)
    stop_schedule_if_idle(session, chat_id)
    return removed


def set_schedule(
    session: Session,
    chat_id: int,
    frequency: str,
    hour: int,
    weekday: int,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> DigestSchedule:
    """Change when the chat's digest comes; the next due time follows the new rule."""
    if not is_frequency(frequency) or not 0 <= hour <= 23 or not 0 <= weekday <= 6:
        raise ValueError("invalid schedule")
    now = now or utcnow()
    schedule = ensure_schedule(session, chat_id, zone, now)
    schedule.frequency, schedule.hour, schedule.weekday = frequency, hour, weekday
    schedule.next_due = next_due(frequency, hour, weekday, now, zone)
    schedule.updated_at = now
    return schedule


def set_chat_reachable(session: Session, chat_id: int, reachable: bool) -> None:
    """Blocked or removed: stop digests; back (e.g. /start again): resume them."""
    chat = session.get(Chat, chat_id)
    if chat is not None:
        chat.active = reachable
    schedule = session.get(DigestSchedule, chat_id)
    if schedule is not None:
        schedule.active = reachable and follows_anything(session, chat_id)


def follows_anything(session: Session, chat_id: int) -> bool:
    """True while the chat follows an area or a topic (its schedule has something to send)."""
    for model in (Subscription, FollowedTopic):
        found = session.scalar(select(model.id).where(model.chat_id == chat_id).limit(1))
        if found is not None:
            return True
    return False


def stop_schedule_if_idle(session: Session, chat_id: int) -> None:
    """With no area and no topic left to follow, the chat's digest schedule stops."""
    if not follows_anything(session, chat_id):
        schedule = session.get(DigestSchedule, chat_id)
        if schedule is not None:
            schedule.active = False


def move_subscriptions(
    session: Session, old_id: int, new_id: int, now: datetime | None = None
) -> None:
    """A group became a supergroup: its subscriptions, followed topics and schedule move to the
    new id."""
    now = now or utcnow()
    touch_chat(session, new_id, "supergroup", None, now)
    session.flush()
    for subscription in session.scalars(select(Subscription).where(Subscription.chat_id == old_id)):
        exists = session.scalars(
            select(Subscription).where(
                Subscription.chat_id == new_id, Subscription.area == subscription.area
            )
        ).first()
        if exists is None:
            session.add(Subscription(chat_id=new_id, area=subscription.area, created_at=now))
        session.delete(subscription)
    taken = set(
        session.scalars(select(FollowedTopic.folded).where(FollowedTopic.chat_id == new_id))
    )
    for topic in session.scalars(select(FollowedTopic).where(FollowedTopic.chat_id == old_id)):
        if topic.folded in taken:
            session.delete(topic)
        else:
            topic.chat_id = new_id
    old = session.get(DigestSchedule, old_id)
    if old is not None and session.get(DigestSchedule, new_id) is None:
        session.add(
            DigestSchedule(
                chat_id=new_id,
                frequency=old.frequency,
                weekday=old.weekday,
                hour=old.hour,
                active=old.active,
                next_due=old.next_due,
                last_sent_at=old.last_sent_at,
                created_at=now,
                updated_at=now,
            )
        )
    if old is not None:
        old.active = False
    chat = session.get(Chat, old_id)
    if chat is not None:
        chat.active = False
