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
from bot.store.db import make_engine, make_sessions
from bot.store.models import DigestSchedule
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
