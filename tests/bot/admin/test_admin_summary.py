"""/admin's counts, each from a store set up with known numbers."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.admin import broadcast
from bot.admin.summary import store_summary
from bot.ingest.pipeline import ingest
from bot.store.chats import touch_chat
from bot.store.corpus import corpus_version, list_recommendations, list_sources
from bot.store.db import SessionFactory
from bot.store.models import Delivery, Recommendation, utcnow
from bot.store.subscriptions import set_chat_reachable, set_schedule, subscribe

HK = ZoneInfo("Asia/Hong_Kong")


def test_summary_counts(sessions: SessionFactory) -> None:
    ingest(sessions)
    now = utcnow()
    with sessions.begin() as session:
        session.get(Recommendation, "bpa24-6").withdrawn = True  # type: ignore[union-attr]
        for chat_id in (1, 2, 3):
            touch_chat(session, chat_id, "private", None)
        touch_chat(session, -10, "group", "g")
        touch_chat(session, -100, "supergroup", "sg")
        touch_chat(session, 4, "private", None)
        set_chat_reachable(session, 4, False)
        subscribe(session, 1, "private", ["innotech", "land"], HK, now=now)
        set_schedule(session, 1, "daily", 9, 0, HK, now=now)
        subscribe(session, 2, "private", ["land"], HK, now=now)
        set_schedule(session, 2, "weekly", 9, 1, HK, now=now)
        subscribe(session, -100, "supergroup", ["innotech"], HK, now=now)
        set_schedule(session, -100, "monthly", 9, 0, HK, now=now)
        for chat_id, period, status, age in (
            (1, "a", "sent", 1),
            (2, "a", "sent", 23),
            (3, "a", "sent", 25),  # older than 24 h
            (-100, "a", "failed", 2),
            (-10, "a", "empty", 2),
        ):
            at = now - timedelta(hours=age)
            session.add(
                Delivery(
                    chat_id=chat_id,
                    period=period,
                    status=status,
                    attempts=1,
                    message_ids=[],
                    created_at=at,
                    updated_at=at,
                )
            )
        broadcast.create(session, 1, 1, "pending one", "en", now)
        cancelled = broadcast.create(session, 1, 1, "cancelled one", "en", now)
    broadcast.cancel(sessions, cancelled, 1)
    with sessions() as session:
        summary = store_summary(session, now)
        records = len(list_recommendations(session))
        sources = len(list_sources(session))
        version = corpus_version(session)
    assert (summary.sources, summary.records, summary.withdrawn) == (sources, records, 1)
    assert summary.chats == {"private": 3, "group": 1, "supergroup": 1}
    assert summary.inactive_chats == 1
    assert (summary.subscriptions, summary.subscribed_chats) == (4, 3)
    assert summary.schedules == {"daily": 1, "weekly": 1, "monthly": 1}
    assert (summary.digests_sent, summary.digests_failed) == (2, 1)
    assert summary.pending_actions == 1
    assert summary.corpus_version == version is not None
