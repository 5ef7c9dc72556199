"""Two `send_due` processes racing on PostgreSQL: each subscriber gets exactly one digest."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from bot.digest.deliver import send_due
from bot.ingest.pipeline import ingest
from bot.messaging.sender import Outcome, Sent
from bot.store.areas import load_areas
from bot.store.chats import set_language
from bot.store.db import make_engine, make_sessions
from bot.store.models import Delivery, DigestSchedule
from bot.store.subscriptions import set_schedule, subscribe
from bot.ui.render import Message
from tests.bot.digest.test_deliver import HK, OPTIONS, T0

SUBSCRIBERS = 1000


class CountingSender:
    """Thread-safe record of every delivered chat."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self._lock = threading.Lock()

    async def send(self, chat_id: int, messages: Sequence[Message]) -> Outcome:
        await asyncio.sleep(0)
        with self._lock:
            self.sent.append(chat_id)
        return Sent((1,))


def test_two_processes_each_subscriber_once(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row claims need PostgreSQL; on SQLite one sending process is assumed")
    sessions = make_sessions(engine)
    ingest(sessions, now=T0 - timedelta(days=30))
    areas = ["innotech", "talent", "finance", "land", "health"]
    with sessions.begin() as session:
        for chat_id in range(1, SUBSCRIBERS + 1):
            subscribe(session, chat_id, "private", [areas[chat_id % len(areas)]], HK, now=T0)
            set_schedule(session, chat_id, "daily", 9, 0, HK, now=T0)
    with sessions() as session:
        when = max(session.scalars(select(DigestSchedule.next_due)))
    sender = CountingSender()
    reports = []

    def worker() -> None:
        own = make_engine(engine.url.render_as_string(hide_password=False))
        try:
            reports.append(asyncio.run(send_due(make_sessions(own), sender, OPTIONS, now=when)))
        finally:
            own.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = Counter(sender.sent)
    assert len(received) == SUBSCRIBERS
    assert set(received.values()) == {1}
    assert sum(report.counts["sent"] for report in reports) == SUBSCRIBERS
    assert all(report.counts["sent"] > 0 for report in reports)  # both really took part


class PartRecorder:
    """Thread-safe record of every delivered part, per chat."""

    def __init__(self) -> None:
        self.parts: list[tuple[int, str]] = []
        self._lock = threading.Lock()

    async def send(self, chat_id: int, messages: Sequence[Message]) -> Outcome:
        await asyncio.sleep(0.001)
        with self._lock:
            self.parts.extend((chat_id, message.html) for message in messages)
            return Sent(tuple(range(len(self.parts) - len(messages), len(self.parts))))


def test_two_processes_each_part_of_long_digests_once(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row claims need PostgreSQL; on SQLite one sending process is assumed")
    sessions = make_sessions(engine)
    ingest(sessions, now=T0 - timedelta(days=30))
    chats = range(1, 41)
    with sessions.begin() as session:
        for chat_id in chats:
            subscribe(session, chat_id, "private", [a.id for a in load_areas()], HK, now=T0)
            set_schedule(session, chat_id, "daily", 9, 0, HK, now=T0)
            set_language(session, chat_id, "private", "en")
    with sessions() as session:
        when = max(session.scalars(select(DigestSchedule.next_due)))
    sender = PartRecorder()

    def worker() -> None:
        own = make_engine(engine.url.render_as_string(hide_password=False))
        try:
            asyncio.run(send_due(make_sessions(own), sender, OPTIONS, now=when))
        finally:
            own.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    per_part = Counter(sender.parts)
    assert set(per_part.values()) == {1}  # no part twice
    per_chat = Counter(chat_id for chat_id, _ in sender.parts)
    assert set(per_chat) == set(chats) and min(per_chat.values()) >= 2  # long digests, whole
    with sessions() as session:
        deliveries = session.scalars(select(Delivery)).all()
        assert {d.status for d in deliveries} == {"sent"}
        assert all(d.parts_sent == per_chat[d.chat_id] for d in deliveries)
