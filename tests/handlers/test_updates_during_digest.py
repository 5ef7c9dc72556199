"""An update that arrives while the digest tick is sending is answered normally.

On SQLite the digest holds the write lock while a chat's digest is on its way to Telegram; a
handler that wrote to the store on the event loop then waited for that lock on the same loop
the send needed, so both stalled for the 5 s busy timeout and failed. The update's claim, its
first write, waits in a worker thread instead, so the send completes and the update follows."""

from __future__ import annotations

import asyncio
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.store.models import Delivery, DigestSchedule, utcnow
from bot.store.subscriptions import set_schedule, subscribe
from bot.ui.i18n import t
from handlers.jobs import digest_tick
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db
ZONE = ZoneInfo("Asia/Hong_Kong")


async def test_search_during_a_digest_send(running_bot: RunningBot) -> None:
    api = running_bot.api
    subscribers = (4001, 4002)
    with running_bot.sessions.begin() as session:
        for chat_id in subscribers:
            subscribe(session, chat_id, "private", ["innotech"], ZONE)
            set_schedule(session, chat_id, "daily", 9, 0, ZONE)
            api.register_chat(chat_id)
        session.execute(update(DigestSchedule).values(next_due=utcnow()))
    api.delay(1.5, "sendMessage", count=1)  # the first digest is slow to leave
    assert running_bot.app.job_queue is not None
    running_bot.app.job_queue.run_once(digest_tick, 0)
    await asyncio.sleep(0.4)  # the tick is now waiting for Telegram with its chat claimed
    started = time.perf_counter()
    reply = await running_bot.say("中試")
    assert time.perf_counter() - started < 4  # no busy-timeout stall
    assert reply.text != t("zh-Hant-HK", "errors.generic")
    assert "中試" in reply.text
    for chat_id in subscribers:
        await api.wait_for_messages(chat_id, 1, timeout=10)
    for _ in range(100):  # the delivery is recorded just after the message left
        with running_bot.sessions() as session:
            statuses = sorted(session.scalars(select(Delivery.status)).all())
        if statuses == ["sent", "sent"]:
            break
        await asyncio.sleep(0.05)
    assert statuses == ["sent", "sent"]
