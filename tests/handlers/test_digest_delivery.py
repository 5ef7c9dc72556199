"""Digest delivery through the real PTB Bot and the real CLI against the fake Bot API: a 429 is
retried by one layer only (PTB's rate limiter), and `digest send-due --force` run twice sends each
chat its current period's digest once without moving its next regular due time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from bot.digest.deliver import DeliveryOptions, send_due
from bot.ingest.pipeline import ingest
from bot.store.chats import set_language
from bot.store.db import SessionFactory
from bot.store.models import Delivery, DigestSchedule, utcnow
from bot.store.subscriptions import set_schedule, subscribe
from handlers.app import RETRIES_ON_429
from handlers.telegram_sender import TelegramSender
from tests.bot_process import BotProcess, bot_environment, database_url
from tests.fake_bot_api import FakeBotAPI
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db
ZONE = ZoneInfo("Asia/Hong_Kong")


def _options(running_bot: RunningBot) -> DeliveryOptions:
    settings = running_bot.app.bot_data["services"].settings
    return DeliveryOptions(zone=settings.timezone, bot_username="PolicyBot", backoff=0.0)


async def test_a_429_is_retried_by_exactly_one_layer(running_bot: RunningBot) -> None:
    api = running_bot.api
    await running_bot.say("/start", user_id=7001)
    with running_bot.sessions.begin() as session:
        subscribe(session, 7001, "private", ["land"], ZONE)
        set_schedule(session, 7001, "daily", 9, 0, ZONE)
    with running_bot.sessions() as session:
        when = session.get(DigestSchedule, 7001).next_due
    attempts = RETRIES_ON_429 + 1  # the limiter's own tries, all answered 429
    api.fail_next(
        "sendMessage",
        attempts,
        error_code=429,
        description="Too Many Requests: retry after 1",
        parameters={"retry_after": 1},
    )
    before = len(api.calls("sendMessage"))
    sender = TelegramSender(running_bot.app.bot)
    report = await send_due(running_bot.sessions, sender, _options(running_bot), now=when)
    assert len(api.calls("sendMessage")) - before == attempts  # no second layer on top
    assert report.counts["failed"] == 1  # left for the next run
    later = await send_due(
        running_bot.sessions, sender, _options(running_bot), now=when + timedelta(minutes=1)
    )
    assert later.counts["sent"] == 1
    assert len([m for m in api.sent_messages(7001) if "📬" in m.text]) == 1


async def test_send_due_force_twice_from_the_cli(
    fake_bot_api: FakeBotAPI, engine: Engine, sessions: SessionFactory, tmp_path: Path
) -> None:
    ingest(sessions)
    today = utcnow().astimezone(ZONE).weekday()
    chats = {8001: ("weekly", (today + 3) % 7), 8002: ("monthly", 0), 8003: ("daily", 0)}
    with sessions.begin() as session:
        for chat_id, (frequency, weekday) in chats.items():
            subscribe(session, chat_id, "private", ["talent"], ZONE)
            set_schedule(session, chat_id, frequency, 9, weekday, ZONE)
            fake_bot_api.register_chat(chat_id)
    with sessions() as session:
        regular = {s.chat_id: s.next_due for s in session.scalars(select(DigestSchedule))}
    env = bot_environment(fake_bot_api.token, fake_bot_api.base_url, database_url(engine))
    for run in ("first", "second"):
        process = await BotProcess.start(["digest", "send-due", "--force"], env, tmp_path, run)
        assert await process.wait(120) == 0, process.stderr[-3000:]
    for chat_id in chats:
        assert len(fake_bot_api.sent_messages(chat_id)) >= 1
    with sessions() as session:
        deliveries = session.scalars(select(Delivery)).all()
        assert sorted(d.chat_id for d in deliveries) == sorted(chats)  # one period each
        assert all(d.status == "sent" for d in deliveries)
        after = {s.chat_id: s.next_due for s in session.scalars(select(DigestSchedule))}
    assert after == regular  # the next regular digests still come when they are due
    sent_once = {
        chat_id: [m.message_id for m in fake_bot_api.sent_messages(chat_id)] for chat_id in chats
    }
    assert all(
        sent == list(d.message_ids)
        for d in deliveries
        for chat_id, sent in sent_once.items()
        if d.chat_id == chat_id
    )  # every message the fake got is the one recorded: nothing twice


async def test_preview_is_exactly_what_the_next_send_delivers(
    fake_bot_api: FakeBotAPI, engine: Engine, sessions: SessionFactory, tmp_path: Path
) -> None:
    """In both languages: `digest preview` prints the text the next `send-due` delivers, under a
    heading that names the days of the period, not an ISO week."""
    ingest(sessions)
    today = utcnow().astimezone(ZONE)
    chats = {8101: "zh-Hant-HK", 8102: "en"}
    with sessions.begin() as session:
        for chat_id, language in chats.items():
            subscribe(session, chat_id, "private", ["talent"], ZONE)
            set_schedule(session, chat_id, "weekly", 0, today.weekday(), ZONE)
            set_language(session, chat_id, "private", language)
            schedule = session.get(DigestSchedule, chat_id)
            schedule.next_due = schedule.next_due - timedelta(days=7)  # today 00:00: due now
            fake_bot_api.register_chat(chat_id)
    env = bot_environment(fake_bot_api.token, fake_bot_api.base_url, database_url(engine))
    previews = {}
    for chat_id in chats:
        preview = await BotProcess.start(
            ["digest", "preview", "--chat", str(chat_id)], env, tmp_path, f"preview{chat_id}"
        )
        assert await preview.wait(120) == 0, preview.stderr[-3000:]
        previews[chat_id] = preview.stdout
    send = await BotProcess.start(["digest", "send-due"], env, tmp_path, "send")
    assert await send.wait(120) == 0, send.stderr[-3000:]
    first = today.date() - timedelta(days=6)
    for chat_id, language in chats.items():
        sent = [m.text for m in fake_bot_api.sent_messages(chat_id)]
        assert sent, f"nothing sent to {chat_id}"
        assert previews[chat_id].strip() == "\n".join(sent).strip()
        heading = sent[0].splitlines()[0]
        assert "-W" not in heading
        if language == "en":
            assert heading.startswith("📬 Policy proposals digest (")
            assert f"{today.day} {today:%b}" in heading and f"{first.day}" in heading
        else:
            assert heading.startswith("📬 政策建議摘要（")
            assert f"{first.month}月{first.day}日至" in heading and f"{today.day}日）" in heading
