"""Admin commands end to end: invisible to everyone else, menus per admin chat, /admin, /reload,
and /broadcast from preview to report."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.store.chats import set_language
from bot.store.corpus import corpus_version, list_recommendations
from bot.store.models import Chat, PendingAction, Recommendation, Source
from handlers.admin import ADMIN_COMMANDS
from handlers.app import COMMANDS
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, FakeBotAPI, StoredMessage
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db

ADMIN = 4242
HONG_KONG = ZoneInfo("Asia/Hong_Kong")  # BOT_TIMEZONE's default
ABSENT_ADMIN = 4343  # never started the bot: Telegram answers "chat not found" for its menu
MEMBERS = [2001, 2002, 2003]


@pytest.fixture
def bot_env(fake_bot_api: FakeBotAPI) -> dict[str, str]:
    fake_bot_api.register_chat(ADMIN, first_name="Admin")
    return {"ADMIN_IDS": f"{ADMIN},{ABSENT_ADMIN}"}


def _chat_scope(chat_id: int) -> dict[str, Any]:
    return {"type": "chat", "chat_id": chat_id}


async def _reaction(bot: RunningBot, update: dict[str, Any], chat_id: int) -> list[str]:
    """The Bot API calls an update causes: push it, then a /help from the same chat, and wait for
    that answer (updates are handled in order, so the first one is done by then)."""
    start = len(bot.api.requests)
    before = len(bot.api.sent_messages(chat_id))
    bot.api.push_update(update)
    if chat_id < 0:
        sentinel = bot.api.build.group_command("help", chat_id=chat_id)
    else:
        sentinel = bot.api.build.private_message("/help", chat_id)
    bot.api.push_update(sentinel)
    await bot.api.wait_for_messages(chat_id, before + 1, timeout=10)
    calls = [r.method for r in bot.api.requests[start:] if r.method != "getUpdates"]
    assert calls[-1] == "sendMessage"  # the answer to /help
    return calls[:-1]


async def test_non_admins_get_the_unknown_command_behaviour(running_bot: RunningBot) -> None:
    api = running_bot.api
    unknown = await _reaction(
        running_bot, api.build.private_message("/nosuchcommand"), DEFAULT_USER_ID
    )
    for text in ("/admin", "/reload", "/broadcast Hello everyone", "/admin@hk_policy_test_bot"):
        update = api.build.private_message(text)
        assert await _reaction(running_bot, update, DEFAULT_USER_ID) == unknown, text
    # An admin in a group: admin commands work in private chats only.
    unknown_here = await _reaction(
        running_bot, api.build.group_command("nosuchcommand", user_id=ADMIN), DEFAULT_GROUP_ID
    )
    for command in ("admin", "reload", "broadcast"):
        update = api.build.group_command(command, "Hello", user_id=ADMIN)
        assert await _reaction(running_bot, update, DEFAULT_GROUP_ID) == unknown_here, command
    with running_bot.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PendingAction)) == 0
    assert len(api.sent_messages(ADMIN)) == 0


async def test_a_forged_confirm_button_is_ignored_like_unknown_data(
    running_bot: RunningBot,
) -> None:
    api = running_bot.api
    await running_bot.say("/start", user_id=MEMBERS[0])
    [_preview, confirm] = await running_bot.exchange(
        api.build.private_message("/broadcast Forged?", ADMIN), ADMIN, count=2
    )
    [ok_data, _] = confirm.callback_data()
    unknown_press = api.build.callback_query(confirm, "zz:unknown", DEFAULT_USER_ID, check=False)
    forged_press = api.build.callback_query(confirm, ok_data, DEFAULT_USER_ID)
    unknown = await _reaction(running_bot, unknown_press, DEFAULT_USER_ID)
    forged = await _reaction(running_bot, forged_press, DEFAULT_USER_ID)
    assert forged == unknown
    assert api.callback_answer(forged_press["callback_query"]["id"]) is None
    assert len(api.sent_messages(MEMBERS[0])) == 1  # only the /start answer
    with running_bot.sessions() as session:
        assert session.scalars(select(PendingAction.status)).one() == "pending"


async def test_admin_menus_hold_admin_commands_and_the_default_menu_does_not(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    api = running_bot.api
    for language in ("", "en"):
        public = [c["command"] for c in api.commands(language_code=language)]
        assert public == list(COMMANDS)
        assert not set(ADMIN_COMMANDS) & set(public)
        admin_menu = [c["command"] for c in api.commands(_chat_scope(ADMIN), language)]
        assert admin_menu == list(COMMANDS) + list(ADMIN_COMMANDS)
        assert api.commands(_chat_scope(ABSENT_ADMIN), language) == []
    english = {c["command"]: c["description"] for c in api.commands(_chat_scope(ADMIN), "en")}
    chinese = {c["command"]: c["description"] for c in api.commands(_chat_scope(ADMIN))}
    assert english["broadcast"] != chinese["broadcast"]
    warnings = [r.getMessage() for r in caplog.get_records("setup") if r.levelno == logging.WARNING]
    assert any(str(ABSENT_ADMIN) in line and "chat not found" in line.lower() for line in warnings)
    # The bot carried on: it answers.
    assert (await running_bot.say("/help")).text


async def test_admin_summary(running_bot: RunningBot) -> None:
    api = running_bot.api
    for member in MEMBERS:
        await running_bot.say("/start", user_id=member)
    api.push_update(api.build.bot_added())
    await api.wait_for_messages(DEFAULT_GROUP_ID, 1)
    with running_bot.sessions() as session:
        records = len(list_recommendations(session))
        version = corpus_version(session)
    [summary] = await running_bot.exchange(api.build.private_message("/admin", ADMIN), ADMIN)
    text = summary.text or ""
    assert "管理摘要" in text
    assert f"建議：{records} 項" in text
    assert "活躍聊天：私人 3，群組 1" in text
    assert f"語料版本：{_in_hong_kong(version)}（HKT）" in text  # the bot's zone, stated
    assert "本程序運行時間：0 日 0 小時" in text
    assert "+00:00" not in text and "UTC" not in text
    with running_bot.sessions.begin() as session:
        set_language(session, ADMIN, "private", "en")  # the chat's choice wins over its client's
    [english] = await running_bot.exchange(api.build.private_message("/admin", ADMIN), ADMIN)
    lines = (english.text or "").splitlines()
    assert f"Corpus version: {_in_hong_kong(version)} (HKT)" in lines
    [tick] = [line for line in lines if line.startswith("Last scheduler tick: ")]
    assert tick == "Last scheduler tick: never" or tick.endswith(" (HKT)")


def _in_hong_kong(version: str | None) -> str:
    """The corpus version (a UTC moment) as Hong Kong reads it, to the minute."""
    assert version is not None
    return datetime.fromisoformat(version).astimezone(HONG_KONG).strftime("%Y-%m-%d %H:%M")


async def test_reload_reports_counts_and_bumps_the_version(running_bot: RunningBot) -> None:
    api = running_bot.api
    services = running_bot.app.bot_data["services"]
    index_before = services.index.get()
    with running_bot.sessions.begin() as session:
        session.get(Source, "bpa24").fingerprint = "stale"  # type: ignore[union-attr]
        edited = session.get(Recommendation, "bpa24-6")
        assert edited is not None
        edited.text, edited.content_hash = "edited by hand", "x"
        version_before = corpus_version(session)
        bpa_total = session.scalar(
            select(func.count()).where(
                Recommendation.source_id == "bpa24", Recommendation.withdrawn.is_(False)
            )
        )
    [started, report] = await running_bot.exchange(
        api.build.private_message("/reload", ADMIN), ADMIN, count=2
    )
    assert "重新匯入" in (started.text or "")
    text = report.text or ""
    assert f"bpa24：新增 0，更新 1，撤回 0，不變 {bpa_total - 1}" in text
    assert "cma23：新增 0，更新 0，撤回 0" in text and "略過" in text
    with running_bot.sessions() as session:
        version = corpus_version(session)
        assert session.get(Recommendation, "bpa24-6").text != "edited by hand"  # type: ignore[union-attr]
    assert version != version_before and f"語料版本 {_in_hong_kong(version)}（HKT）" in text
    assert services.index.get() is not index_before  # this process rebuilt its index at once


async def _members_and_group(bot: RunningBot) -> None:
    for member in MEMBERS:
        await bot.say("/start", user_id=member)
    bot.api.push_update(bot.api.build.bot_added())
    await bot.api.wait_for_messages(DEFAULT_GROUP_ID, 1)


async def _broadcast(bot: RunningBot, text: str) -> tuple[StoredMessage, StoredMessage]:
    update = bot.api.build.private_message(f"/broadcast {text}", ADMIN)
    [preview, confirm] = await bot.exchange(update, ADMIN, count=2)
    return preview, confirm


async def test_broadcast_preview_confirm_report(running_bot: RunningBot) -> None:
    api = running_bot.api
    await _members_and_group(running_bot)
    api.block_user(MEMBERS[1])
    text = "各位會員：\n<新文件> 已加入 & 歡迎查閱 /sources"
    preview, confirm = await _broadcast(running_bot, text)
    assert preview.text == text  # the preview is exactly what recipients get
    assert "發送給 4 個活躍聊天（私人 3，群組 1）" in (confirm.text or "")
    ok_data, _cancel_data = confirm.callback_data()
    before = {chat: len(api.sent_messages(chat)) for chat in [*MEMBERS, DEFAULT_GROUP_ID]}
    await running_bot.press(confirm, ok_data, user_id=ADMIN)
    report = (await api.wait_for_messages(ADMIN, 3, timeout=10))[2]
    assert "已發送 3，已封鎖或移除機械人 1，失敗 0" in (report.text or "")
    edited = api.message(ADMIN, confirm.message_id)
    assert edited is not None and "發送" in (edited.text or "") and not edited.callback_data()
    for chat in (MEMBERS[0], MEMBERS[2], DEFAULT_GROUP_ID):
        new = api.sent_messages(chat)[before[chat] :]
        assert [message.text for message in new] == [text], chat
    with running_bot.sessions() as session:
        assert session.get(Chat, MEMBERS[1]).active is False  # type: ignore[union-attr]
    # A second tap (e.g. from a client still showing the old keyboard) sends nothing more.
    counts = {chat: len(api.sent_messages(chat)) for chat in [*MEMBERS, DEFAULT_GROUP_ID]}
    again = api.build.callback_query(confirm, ok_data, ADMIN, check=False)
    api.push_update(again)
    answer = await api.wait_for(lambda: api.callback_answer(again["callback_query"]["id"]))
    assert "已發送完畢" in answer.get("text", "")
    assert {chat: len(api.sent_messages(chat)) for chat in counts} == counts


async def test_broadcast_cancel_sends_nothing(running_bot: RunningBot) -> None:
    api = running_bot.api
    await _members_and_group(running_bot)
    before = {chat: len(api.sent_messages(chat)) for chat in [*MEMBERS, DEFAULT_GROUP_ID]}
    _preview, confirm = await _broadcast(running_bot, "Never mind")
    ok_data, cancel_data = confirm.callback_data()
    edited = await running_bot.press_and_edit(confirm, cancel_data, user_id=ADMIN)
    assert "已取消" in (edited.text or "")
    late = api.build.callback_query(confirm, ok_data, ADMIN, check=False)
    api.push_update(late)
    answer = await api.wait_for(lambda: api.callback_answer(late["callback_query"]["id"]))
    assert "已被取消" in answer.get("text", "")
    assert {chat: len(api.sent_messages(chat)) for chat in before} == before
    with running_bot.sessions() as session:
        assert session.scalars(select(PendingAction.status)).one() == "cancelled"


async def test_broadcast_without_text_explains_usage(running_bot: RunningBot) -> None:
    api = running_bot.api
    for text in ("/broadcast", "/broadcast   \n  "):
        [usage] = await running_bot.exchange(api.build.private_message(text, ADMIN), ADMIN)
        assert "用法：/broadcast 公告內容" in (usage.text or "")
    with running_bot.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PendingAction)) == 0
