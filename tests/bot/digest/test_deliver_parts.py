"""A digest longer than one message: each part is retried on its own and recorded once sent, so a
rerun after a failure sends only the parts not yet sent. And `--force`: every active schedule gets
its current period's digest at most once, and its next regular due time never moves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.digest.deliver import digest_for, send_due
from bot.messaging.retry import MAX_ATTEMPTS
from bot.messaging.sender import Outcome, Sent, Transient
from bot.store.areas import load_areas
from bot.store.chats import set_language
from bot.store.db import SessionFactory
from bot.store.models import Delivery, DigestSchedule
from bot.store.subscriptions import set_schedule, subscribe
from bot.ui.render import Message
from tests.bot.digest.test_deliver import OPTIONS, T0, store  # noqa: F401 (the store fixture)

HK = ZoneInfo("Asia/Hong_Kong")


class PartSender:
    """Delivers message by message; the part whose text is `failing` fails (Transient)."""

    def __init__(self, failing: str | None = None) -> None:
        self.failing = failing
        self.delivered: list[str] = []
        self.calls = 0

    async def send(self, chat_id: int, messages: Sequence[Message]) -> Outcome:
        self.calls += 1
        ids: list[int] = []
        for message in messages:
            if self.failing is not None and message.html == self.failing:
                return Transient("connection reset")
            self.delivered.append(message.html)
            ids.append(len(self.delivered))
        return Sent(tuple(ids))


async def test_part_two_fails_then_the_rerun_sends_only_parts_two_and_three(
    store: SessionFactory,  # noqa: F811
) -> None:
    with store.begin() as session:
        subscribe(session, 1, "private", [area.id for area in load_areas()], HK, now=T0)
        set_schedule(session, 1, "daily", 9, 0, HK, now=T0)
        set_language(session, 1, "private", "en")
    with store() as session:
        schedule = session.get(DigestSchedule, 1)
        when = schedule.next_due
        options = replace(OPTIONS, bot_username=None)  # links without the bot
        digest = digest_for(session, schedule, when, options)  # what the run will send
    assert digest is not None
    parts = [message.html for message in digest.messages]
    assert len(parts) == 3  # an English digest of every area is three messages long

    failing = PartSender(failing=parts[1])
    report = await send_due(store, failing, options, now=when)
    assert report.counts["failed"] == 1
    assert failing.delivered == parts[:1]
    assert failing.calls == 1 + MAX_ATTEMPTS  # part 1 once, then part 2 alone, retried
    with store() as session:
        [delivery] = session.scalars(select(Delivery))
        assert (delivery.status, delivery.parts_sent, len(delivery.message_ids)) == ("failed", 1, 1)

    rerun = PartSender()
    report = await send_due(store, rerun, options, now=when + timedelta(minutes=1))
    assert report.counts["sent"] == 1
    assert rerun.delivered == parts[1:]  # parts 2 and 3 only
    with store() as session:
        delivery = session.scalars(select(Delivery).where(Delivery.id == delivery.id)).one()
        assert (delivery.status, delivery.parts_sent, len(delivery.message_ids)) == ("sent", 3, 3)


# (frequency, weekday, the next regular due time after the subscription, Saturday 2026-12-05)
FORCED = [
    ("daily", 0, datetime(2026, 12, 6, 1, 0, tzinfo=UTC)),
    ("weekly", 2, datetime(2026, 12, 9, 1, 0, tzinfo=UTC)),  # Wednesday 09:00 HK
    ("monthly", 0, datetime(2027, 1, 1, 1, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("frequency", "weekday", "regular"), FORCED)
async def test_force_sends_the_current_period_once_and_keeps_the_regular_due_time(
    store: SessionFactory,  # noqa: F811
    frequency: str,
    weekday: int,
    regular: datetime,
) -> None:
    subscribed = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # Saturday 11:00 HK
    with store.begin() as session:
        subscribe(session, 1, "private", ["innotech"], HK, now=subscribed)
        set_schedule(session, 1, frequency, 9, weekday, HK, now=subscribed)
    with store() as session:
        assert session.get(DigestSchedule, 1).next_due == regular

    saturday = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)  # 15:00 HK
    sender = PartSender()
    first = await send_due(store, sender, replace(OPTIONS, force=True), now=saturday)
    assert first.counts["sent"] == 1
    sent_parts = len(sender.delivered)
    second = await send_due(
        store, sender, replace(OPTIONS, force=True), now=saturday.replace(hour=8)
    )
    assert second.counts["already sent"] == 1
    assert len(sender.delivered) == sent_parts  # never twice for one period
    with store() as session:
        assert session.get(DigestSchedule, 1).next_due == regular  # not moved past it

    on_time = await send_due(store, sender, OPTIONS, now=regular)
    assert on_time.counts["sent"] + on_time.counts["empty"] == 1  # the regular digest happens
    with store() as session:
        periods = sorted(session.scalars(select(Delivery.period)))
        assert len(periods) == 2
        assert session.get(DigestSchedule, 1).next_due > regular
