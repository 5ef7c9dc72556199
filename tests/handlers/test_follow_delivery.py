"""Followed topics delivered through the real PTB Bot to the fake Bot API, in both languages:
topic sections in digests (with blocked, rate-limited and migrated chats), and the "notify at
once" alert after an admin's upload, exactly once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from bot.core.filters import Filters
from bot.digest.alerts import alert_new_documents
from bot.digest.deliver import DeliveryOptions, send_due
from bot.ingest.pipeline import ingest
from bot.search.topics import topic_key
from bot.store.chats import set_language
from bot.store.db import SessionFactory
from bot.store.models import Chat, Delivery, DigestSchedule, TopicAlert
from bot.store.saved_queries import load_query
from bot.store.subscriptions import set_schedule
from bot.store.topics import follow, topics_of
from bot.ui.i18n import t
from handlers.app import RETRIES_ON_429
from handlers.telegram_sender import TelegramSender
from tests.bot_process import BotProcess, bot_environment, database_url
from tests.fake_bot_api import DEFAULT_USER_ID, FakeBotAPI
from tests.handlers.conftest import RunningBot
from tests.handlers.test_upload import ADMIN, CAPTION, _send, admin_bot, synthetic_pdf

pytestmark = pytest.mark.db
__all__ = ["admin_bot", "synthetic_pdf"]  # fixtures used here


def _options(bot: RunningBot) -> DeliveryOptions:
    settings = bot.app.bot_data["services"].settings
    return DeliveryOptions(zone=settings.timezone, bot_username="PolicyBot", backoff=0.0)


async def _follow(bot: RunningBot, user: int, language: str, topic: str, notify: bool) -> None:
    answer = await bot.say(f"/follow {topic}", user_id=user, language_code=language)
    assert "🔔" in answer.text
    with bot.sessions.begin() as session:
        set_schedule(session, user, "daily", 9, 0, _options(bot).zone)
        if language == "en":  # as chosen with /lang: digests and alerts follow the chat's choice
            set_language(session, user, "private", "en")
    if notify:
        listing = await bot.say("/following", user_id=user, language_code=language)
        toggle = next(d for d in listing.callback_data() if d.startswith("fw:n:"))
        await bot.press_and_edit(listing, toggle, user_id=user)


async def test_topic_digests_through_telegram_with_faults(running_bot: RunningBot) -> None:
    api = running_bot.api
    users = {4401: "zh", 4402: "en", 4403: "zh", 4404: "en"}
    for user, language in users.items():
        await _follow(running_bot, user, language, "北都", notify=False)
    old, new = -4405, -1004405
    api.set_chat_member(old, DEFAULT_USER_ID, "administrator")
    await running_bot.exchange(api.build.bot_added(old), old)
    await running_bot.exchange(api.build.group_command("follow", "北都", chat_id=old), old)
    with running_bot.sessions.begin() as session:
        set_schedule(session, old, "daily", 9, 0, _options(running_bot).zone)
    api.register_chat(new, "supergroup", title="Policy")
    api.migrate_chat(old, new)
    with running_bot.sessions() as session:
        when = max(session.scalars(select(DigestSchedule.next_due)))
    api.block_user(4403)
    api.fail_next(
        "sendMessage",
        RETRIES_ON_429 + 1,  # the limiter's own tries, all answered 429: left for the next run
        error_code=429,
        description="Too Many Requests: retry after 1",
        parameters={"retry_after": 1},
    )
    sender = TelegramSender(running_bot.app.bot)
    index = running_bot.app.bot_data["services"].index.get()
    first = await send_due(
        running_bot.sessions, sender, _options(running_bot), now=when, index=index
    )
    assert first.counts["blocked"] == 1 and first.counts["failed"] == 1
    later = when.replace(minute=when.minute + 1)
    await send_due(running_bot.sessions, sender, _options(running_bot), now=later, index=index)
    forced = replace(_options(running_bot), force=True)
    again = await send_due(running_bot.sessions, sender, forced, now=later, index=index)
    assert again.counts["sent"] == 0  # nothing twice
    for chat_id, heading in ((4401, "📬 政策建議摘要"), (4402, "📬 Policy proposals digest")):
        [digest] = [m for m in api.sent_messages(chat_id) if "📬" in m.text]
        assert digest.text.startswith(heading)
        assert "━ 🔎 北都" in digest.text
    assert [m for m in api.sent_messages(4404) if "📬" in m.text]  # after the 429s
    assert any("━ 🔎 北都" in m.text for m in api.sent_messages(new))
    with running_bot.sessions() as session:
        assert not session.get(Chat, 4403).active
        assert [t.text for t in topics_of(session, new)] == ["北都"]
        statuses = {d.chat_id: d.status for d in session.scalars(select(Delivery))}
    assert statuses[new] == "sent" and statuses[4401] == statuses[4404] == "sent"


async def test_alert_at_once_after_an_upload(admin_bot: RunningBot, synthetic_pdf: bytes) -> None:
    api = admin_bot.api
    members = {4501: "zh", 4502: "en"}
    for user, language in members.items():
        await _follow(admin_bot, user, language, "國債期貨", notify=True)
    await _follow(admin_bot, 4503, "zh", "國債期貨", notify=False)  # digest only
    before = {user: len(api.sent_messages(user)) for user in (*members, 4503)}
    [preview] = await _send(admin_bot, synthetic_pdf, "未來產業.pdf", CAPTION)
    confirm = preview.callback_data()[0]
    await admin_bot.press(preview, confirm, user_id=ADMIN)

    def recorded() -> bool | None:  # each alert is committed just after its sendMessage
        with admin_bot.sessions() as session:
            statuses = session.scalars(select(TopicAlert.status)).all()
        return (len(statuses) == len(members) and set(statuses) == {"sent"}) or None

    await api.wait_for(recorded, timeout=30)
    for user, language in members.items():
        messages = await api.wait_for_messages(user, before[user] + 1, timeout=30)
        [alert] = messages[before[user] :]
        org = "HKFIA" if language == "en" else "未來產業協會"
        assert alert.text.startswith("🔔") and org in alert.text and "國債期貨" in alert.text
        [[button]] = alert.reply_markup["inline_keyboard"]
        assert button["text"] == t("en" if language == "en" else "zh-Hant-HK", "follow.see")
        key = parse_qs(urlparse(button["url"]).query)["start"][0].removeprefix("q_")
        with admin_bot.sessions() as session:
            stored = load_query(session, key)
        assert stored is not None
        assert stored.filters.sources == {"hkfia25"}
    services = admin_bot.app.bot_data["services"]
    sender = TelegramSender(admin_bot.app.bot)
    rerun = await alert_new_documents(
        admin_bot.sessions, sender, _options(admin_bot), services.index.get()
    )
    assert rerun.counts["sent"] == 0
    assert len(api.sent_messages(4503)) == before[4503]  # "digest only": no alert
    for user in members:
        assert len(api.sent_messages(user)) == before[user] + 1  # one alert, nothing twice
    with admin_bot.sessions() as session:
        alerts = session.scalars(select(TopicAlert)).all()
    assert sorted(a.chat_id for a in alerts) == sorted(members)
    assert all(a.status == "sent" and a.source_id == "hkfia25" for a in alerts)


async def test_preview_shows_topic_sections_as_sent(
    fake_bot_api: FakeBotAPI, engine: Engine, sessions: SessionFactory, tmp_path: Path
) -> None:
    """`digest preview` prints the topic sections the next `send-due` delivers, in both
    languages; `send-due --force` twice sends each chat's digest once."""
    ingest(sessions)
    zone = ZoneInfo("Asia/Hong_Kong")
    chats = {8201: "zh-Hant-HK", 8202: "en"}
    with sessions.begin() as session:
        for chat_id, language in chats.items():
            text = "北都" if language != "en" else "Northern Metropolis"
            follow(session, chat_id, "private", text, topic_key(text), Filters(), zone)
            set_schedule(session, chat_id, "daily", 9, 0, zone)
            set_language(session, chat_id, "private", language)
            fake_bot_api.register_chat(chat_id)
    env = bot_environment(fake_bot_api.token, fake_bot_api.base_url, database_url(engine))
    previews = {}
    for chat_id in chats:
        preview = await BotProcess.start(
            ["digest", "preview", "--chat", str(chat_id), "--force"], env, tmp_path, f"p{chat_id}"
        )
        assert await preview.wait(120) == 0, preview.stderr[-3000:]
        previews[chat_id] = preview.stdout
    for run in ("first", "second"):
        send = await BotProcess.start(["digest", "send-due", "--force"], env, tmp_path, run)
        assert await send.wait(120) == 0, send.stderr[-3000:]
    for chat_id, language in chats.items():
        sent = [m.text for m in fake_bot_api.sent_messages(chat_id)]
        assert previews[chat_id].strip() == "\n".join(sent).strip()  # once, as previewed
        topic = "北都" if language != "en" else "Northern Metropolis"
        assert f"━ 🔎 {topic}" in sent[0]
