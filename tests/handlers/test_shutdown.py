"""Graceful shutdown with real processes and SIGTERM: the webhook answers every update it
accepted before exiting; a digest run finishes the chat in flight, records it, starts no other,
and a rerun sends only the rest, so every chat ends with exactly one digest."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, select, update

from bot.core.config import load_settings
from bot.ingest.pipeline import ingest
from bot.search import SearchIndex
from bot.search.live import LiveIndex
from bot.store.areas import load_areas
from bot.store.db import SessionFactory
from bot.store.models import Delivery, DigestSchedule, utcnow
from bot.store.subscriptions import set_schedule, subscribe
from handlers.app import build_application
from handlers.jobs import digest_tick
from handlers.webhook import SECRET_HEADER, WEBHOOK_PATH
from tests.bot_process import BotProcess, bot_environment, database_url
from tests.fake_bot_api import FakeBotAPI
from tests.fake_bot_api.absorb import absorb

pytestmark = pytest.mark.db
SECRET = "shutdown-test-secret-123"
ZONE = ZoneInfo("Asia/Hong_Kong")


async def test_webhook_answers_everything_accepted_before_sigterm(
    fake_bot_api: FakeBotAPI, engine: Engine, sessions: SessionFactory, tmp_path: Path
) -> None:
    ingest(sessions)
    bot = await BotProcess.start_webhook(
        fake_bot_api.token, fake_bot_api.base_url, engine, SECRET, tmp_path
    )
    port = bot.port
    try:
        await bot.wait_healthy()
        # Three chats, four messages each: one chat's updates are answered in order, so with
        # every reply held 0.3 s by "Telegram" the last ones are still queued at SIGTERM.
        fake_bot_api.delay(0.3, "sendMessage", count=None)
        bodies = []
        for round_ in range(4):
            for chat in range(3):
                body = fake_bot_api.build.private_message(f"中試 {round_}", user_id=2001 + chat)
                absorb(fake_bot_api.state, fake_bot_api.faults, body)  # the fake knows the chat
                bodies.append({"update_id": 100 + len(bodies), **body})
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            answers = await asyncio.gather(
                *(http.post(WEBHOOK_PATH, json=b, headers={SECRET_HEADER: SECRET}) for b in bodies)
            )
        assert [answer.status_code for answer in answers] == [200] * len(bodies)
        assert len(fake_bot_api.sent_messages()) < len(bodies)  # most are still in flight
        bot.terminate()
        assert await bot.wait(60) == 0, bot.stderr[-3000:]
    finally:
        await bot.stop()
    per_chat = Counter(message.chat_id for message in fake_bot_api.sent_messages())
    assert per_chat == {2001: 4, 2002: 4, 2003: 4}
    log = bot.stderr
    assert log.count("outcome=handled") == len(bodies)
    assert "no longer accepting updates" in log
    assert "Traceback" not in log


def _subscribe_chats(sessions: SessionFactory, api: FakeBotAPI, count: int) -> list[int]:
    areas = [area.id for area in load_areas()]
    chats = [3001 + offset for offset in range(count)]
    with sessions.begin() as session:
        for offset, chat_id in enumerate(chats):
            subscribe(session, chat_id, "private", [areas[offset % len(areas)]], ZONE)
            set_schedule(session, chat_id, "daily", 9, 0, ZONE)
            api.register_chat(chat_id)
    return chats


def _digests(sessions: SessionFactory, api: FakeBotAPI, chats: list[int]) -> dict[int, Any]:
    """Per chat: (messages the fake received, message ids recorded as sent) — equal means the
    digest went out exactly as recorded."""
    with sessions() as session:
        recorded = {
            delivery.chat_id: list(delivery.message_ids)
            for delivery in session.scalars(select(Delivery).where(Delivery.status == "sent"))
        }
    return {
        chat_id: (
            [message.message_id for message in api.sent_messages(chat_id)],
            recorded.get(chat_id, []),
        )
        for chat_id in chats
    }


async def test_sigterm_during_send_due_loses_nothing_and_sends_nothing_twice(
    fake_bot_api: FakeBotAPI, engine: Engine, sessions: SessionFactory, tmp_path: Path
) -> None:
    ingest(sessions)
    chats = _subscribe_chats(sessions, fake_bot_api, 16)
    env = bot_environment(fake_bot_api.token, fake_bot_api.base_url, database_url(engine))
    fake_bot_api.delay(0.25, "sendMessage", count=None)
    run = await BotProcess.start(["digest", "send-due", "--force"], env, tmp_path, "first")
    try:
        await fake_bot_api.wait_for(lambda: len(fake_bot_api.calls("sendMessage")) >= 2, 60)
        run.terminate()
        assert await run.wait(60) == 0, run.stderr[-3000:]
    finally:
        await run.stop()
    first = _digests(sessions, fake_bot_api, chats)
    done = [chat for chat, (sent, recorded) in first.items() if sent]
    assert all(sent == recorded for sent, recorded in first.values())  # none unrecorded
    assert 2 <= len(done) < len(chats)  # the one in flight was finished; the rest were left
    assert "left for the next run=" in run.stdout

    fake_bot_api.faults.clear()
    rerun = await BotProcess.start(["digest", "send-due", "--force"], env, tmp_path, "rerun")
    assert await rerun.wait(120) == 0, rerun.stderr[-3000:]
    final = _digests(sessions, fake_bot_api, chats)
    assert all(sent and sent == recorded for sent, recorded in final.values())
    assert all(final[chat] == first[chat] for chat in done)  # nothing sent twice


async def test_stopping_the_application_during_a_digest_tick_finishes_only_the_chat_in_flight(
    fake_bot_api: FakeBotAPI, sessions: SessionFactory, search_index: SearchIndex
) -> None:
    """`run` and `webhook` on SIGTERM stop the Application; the JobQueue's digest tick then
    finishes its current chat and starts no other (the rest stay due)."""
    ingest(sessions)
    chats = _subscribe_chats(sessions, fake_bot_api, 12)
    with sessions.begin() as session:
        session.execute(update(DigestSchedule).values(next_due=utcnow()))
    settings = load_settings(
        {"BOT_TOKEN": fake_bot_api.token, "TELEGRAM_BASE_URL": fake_bot_api.base_url}
    )
    app = build_application(
        settings, sessions, LiveIndex(sessions, 3600, search_index), polling=False
    )
    fake_bot_api.delay(0.25, "sendMessage", count=None)
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        assert app.job_queue is not None
        app.job_queue.run_once(digest_tick, 0)
        await fake_bot_api.wait_for(lambda: len(fake_bot_api.calls("sendMessage")) >= 2, 30)
        await app.stop()
    first = _digests(sessions, fake_bot_api, chats)
    done = [chat for chat, (sent, _) in first.items() if sent]
    assert all(sent == recorded for sent, recorded in first.values())
    assert 2 <= len(done) < len(chats)
    with sessions() as session:
        still_due = session.scalars(
            select(DigestSchedule.chat_id).where(DigestSchedule.next_due <= utcnow())
        ).all()
    assert sorted(still_due) == sorted(set(chats) - set(done))
