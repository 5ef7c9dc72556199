"""What an admin sees with /admin: the store's counts in one read-only unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.corpus import corpus_version
from bot.store.models import (
    Chat,
    Delivery,
    DigestSchedule,
    PendingAction,
    Recommendation,
    Source,
    Subscription,
)

RECENT = timedelta(hours=24)


@dataclass(frozen=True)
class StoreSummary:
    """Counts from the store (everything but this process's own facts)."""

    sources: int
    records: int  # current, not withdrawn
    withdrawn: int
    chats: dict[str, int]  # active chats by type (private, group, supergroup, channel)
    inactive_chats: int  # blocked the bot or removed it
    subscriptions: int
    subscribed_chats: int
    schedules: dict[str, int]  # active digest schedules by frequency
    digests_sent: int  # in the last 24 h
    digests_failed: int  # in the last 24 h
    pending_actions: int  # awaiting confirmation or still running
    corpus_version: str | None


def _count(session: Session, statement: Any) -> int:
    return int(session.scalar(statement) or 0)


def _grouped(session: Session, column: Any, *conditions: Any) -> dict[Any, int]:
    rows = session.execute(select(column, func.count()).where(*conditions).group_by(column)).all()
    return {key: int(count) for key, count in rows}


def store_summary(session: Session, now: datetime) -> StoreSummary:
    """Count sources, records, chats, subscriptions, recent digests and pending actions."""
    since = now - RECENT
    records = _grouped(session, Recommendation.withdrawn)
    recent = _grouped(session, Delivery.status, Delivery.updated_at >= since)
    return StoreSummary(
        sources=_count(session, select(func.count()).select_from(Source)),
        records=records.get(False, 0),
        withdrawn=records.get(True, 0),
        chats=_grouped(session, Chat.type, Chat.active.is_(True)),
        inactive_chats=_count(
            session, select(func.count()).select_from(Chat).where(Chat.active.is_(False))
        ),
        subscriptions=_count(session, select(func.count()).select_from(Subscription)),
        subscribed_chats=_count(session, select(func.count(func.distinct(Subscription.chat_id)))),
        schedules=_grouped(session, DigestSchedule.frequency, DigestSchedule.active.is_(True)),
        digests_sent=recent.get("sent", 0),
        digests_failed=recent.get("failed", 0),
        pending_actions=_count(
            session,
            select(func.count())
            .select_from(PendingAction)
            .where(PendingAction.status.in_(("pending", "sending"))),
        ),
        corpus_version=corpus_version(session),
    )
