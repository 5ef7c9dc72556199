"""Digest delivery with a scripted Sender on a real store: once per chat and period, whatever
fails in between."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.digest.compose import compose
from bot.digest.deliver import DeliveryOptions, send_due
from bot.ingest.pipeline import ingest
from bot.messaging.sender import Blocked, ChatGone, Migrated, Outcome, RetryAfter, Sent, Transient
from bot.store.chats import touch_chat
from bot.store.db import SessionFactory
from bot.store.models import Chat, Delivery, DigestSchedule, Subscription
from bot.store.subscriptions import set_chat_reachable, set_schedule, subscribe
from bot.ui.render import Message

HK = ZoneInfo("Asia/Hong_Kong")
T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
OPTIONS = DeliveryOptions(zone=HK, bot_username="PolicyBot", backoff=0.0)


class Killed(BaseException):
    """The process dies (not an ordinary error: nothing after it runs)."""


class ScriptedSender:
    """Records every send; answers from a script per chat (default: delivered)."""

    def __init__(self, script: dict[int, list[Outcome]] | None = None, kill_after: int = 0) -> None:
        self.script = script or {}
        self.sent: list[int] = []
        self.calls: list[int] = []
        self.kill_after = kill_after

    async def send(self, chat_id: int, messages: Sequence[Message]) -> Outcome:
        self.calls.append(chat_id)
        planned = self.script.get(chat_id)
        outcome = planned.pop(0) if planned else Sent((len(self.sent) + 1,))
        if isinstance(outcome, Sent):
            self.sent.append(chat_id)
            if self.kill_after and len(self.sent) == self.kill_after:
                raise Killed  # the message went out; the process died before recording it
        return outcome


@pytest.fixture
def store(sessions: SessionFactory) -> SessionFactory:
    ingest(sessions, now=T0 - timedelta(days=30))
    return sessions


def _subscribe(sessions: SessionFactory, chat_ids: list[int], areas: list[str]) -> None:
    with sessions.begin() as session:
        for chat_id in chat_ids:
            subscribe(session, chat_id, "private", areas, HK, now=T0)
            set_schedule(session, chat_id, "daily", 9, 0, HK, now=T0)


def _due(sessions: SessionFactory) -> datetime:
    with sessions() as session:
        return max(session.scalars(select(DigestSchedule.next_due)))


async def test_each_chat_once_per_period(store: SessionFactory) -> None:
    _subscribe(store, [1, 2, 3], ["innotech"])
    sender = ScriptedSender()
    when = _due(store)
    report = await send_due(store, sender, OPTIONS, now=when)
    assert sorted(sender.sent) == [1, 2, 3]
    assert report.counts["sent"] == 3
    again = await send_due(store, sender, OPTIONS, now=when + timedelta(minutes=5))
    assert sorted(sender.sent) == [1, 2, 3]  # not due any more
    assert again.counts["sent"] == 0
    forced = await send_due(
        store, sender, replace(OPTIONS, force=True), now=when + timedelta(minutes=6)
    )
    assert sorted(sender.sent) == [1, 2, 3]  # --force never resends a recorded period
    assert forced.counts["already sent"] == 3


async def test_next_period_brings_unseen_recommendations(store: SessionFactory) -> None:
    _subscribe(store, [1], ["health"])
    with store() as session:
        first = compose(session, 1, "zh-Hant-HK", "p1", T0, None)
    assert first is not None
    sender = ScriptedSender()
    when = _due(store)
    await send_due(store, sender, OPTIONS, now=when)
    with store() as session:
        second = compose(session, 1, "zh-Hant-HK", "p2", when, None)
    assert second is not None
    assert set(first.record_ids).isdisjoint(second.record_ids)


async def test_crash_mid_run_then_rerun_sends_the_rest(store: SessionFactory) -> None:
    chats = list(range(1, 11))
    _subscribe(store, chats, ["talent"])
    when = _due(store)
    crashing = ScriptedSender(kill_after=4)
    with pytest.raises(Killed):
        await send_due(store, crashing, OPTIONS, now=when)
    rerun = ScriptedSender()
    await send_due(store, rerun, OPTIONS, now=when + timedelta(minutes=1))
    received = Counter(crashing.sent + rerun.sent)
    assert set(received) == set(chats)
    duplicated = [chat for chat, count in received.items() if count > 1]
    assert len(duplicated) <= 1  # at most the message in flight at the kill
    with store() as session:
        statuses = Counter(d.status for d in session.scalars(select(Delivery)))
    assert statuses == {"sent": 10}


async def test_blocked_and_gone_chats_are_deactivated(store: SessionFactory) -> None:
    _subscribe(store, [1, 2, 3], ["finance"])
    sender = ScriptedSender({2: [Blocked("blocked by the user")], 3: [ChatGone("chat not found")]})
    when = _due(store)
    report = await send_due(store, sender, OPTIONS, now=when)
    assert sender.sent == [1]
    assert report.counts["blocked"] == 2
    with store() as session:
        assert not session.get(Chat, 2).active
        assert not session.get(DigestSchedule, 3).active
    next_day = when + timedelta(days=1)
    await send_due(store, sender, OPTIONS, now=next_day)
    assert 2 not in sender.calls[3:] and 3 not in sender.calls[3:]
    with store.begin() as session:  # the user comes back (/start): digests resume
        touch_chat(session, 2, "private", None)
        set_chat_reachable(session, 2, True)
    with store() as session:
        assert session.get(DigestSchedule, 2).active


async def test_transient_errors_are_retried_and_flood_control_is_left_to_the_messenger(
    store: SessionFactory,
) -> None:
    _subscribe(store, [1, 2], ["land"])
    sender = ScriptedSender(
        {1: [RetryAfter(0.01)], 2: [Transient("timed out"), Transient("reset")]}
    )
    when = _due(store)
    report = await send_due(store, sender, OPTIONS, now=when)
    assert sender.sent == [2]
    assert sender.calls.count(2) == 3
    assert sender.calls.count(1) == 1  # the rate limiter already retried it: not again here
    assert report.counts["failed"] == 1
    await send_due(store, sender, OPTIONS, now=when + timedelta(minutes=1))
    assert sorted(sender.sent) == [1, 2]  # the next run sends it


async def test_persistent_network_failure_is_retried_next_run(store: SessionFactory) -> None:
    _subscribe(store, [1], ["land"])
    sender = ScriptedSender({1: [Transient("down")] * 5})
    when = _due(store)
    report = await send_due(store, sender, OPTIONS, now=when)
    assert report.counts["failed"] == 1
    await send_due(store, sender, OPTIONS, now=when + timedelta(minutes=1))
    assert sender.sent == [1]


async def test_migrated_group_moves_and_is_delivered_there(store: SessionFactory) -> None:
    with store.begin() as session:
        subscribe(session, -100, "group", ["tourism"], HK, now=T0)
        set_schedule(session, -100, "daily", 9, 0, HK, now=T0)
    sender = ScriptedSender({-100: [Migrated(-1001234)]})
    await send_due(store, sender, OPTIONS, now=_due(store))
    assert sender.sent == [-1001234]
    with store() as session:
        moved = session.scalars(select(Subscription.chat_id)).all()
        assert set(moved) == {-1001234}
        assert session.get(DigestSchedule, -1001234).active
        assert not session.get(DigestSchedule, -100).active


async def test_missed_digest_sent_once_within_grace(store: SessionFactory) -> None:
    _subscribe(store, [1], ["trade"])
    when = _due(store)
    sender = ScriptedSender()
    await send_due(store, sender, OPTIONS, now=when + timedelta(hours=20))  # down for 20 h
    assert sender.sent == [1]
    with store() as session:
        assert session.get(DigestSchedule, 1).next_due > when + timedelta(hours=20)
    late = ScriptedSender()
    _subscribe(store, [2], ["trade"])
    with store.begin() as session:
        session.get(DigestSchedule, 2).next_due = when
    await send_due(store, late, OPTIONS, now=when + timedelta(days=3))  # beyond the grace
    assert late.sent == []
    with store() as session:
        assert session.get(DigestSchedule, 2).next_due > when + timedelta(days=3)


async def test_nothing_to_say_sends_nothing(store: SessionFactory) -> None:
    with store.begin() as session:
        touch_chat(session, 5, "private", None)
        session.add(
            DigestSchedule(
                chat_id=5,
                frequency="daily",
                weekday=0,
                hour=9,
                active=True,
                next_due=T0,
                created_at=T0,
                updated_at=T0,
            )
        )
    sender = ScriptedSender()
    report = await send_due(store, sender, OPTIONS, now=T0 + timedelta(minutes=1))
    assert sender.calls == []
    assert report.counts["empty"] == 1
