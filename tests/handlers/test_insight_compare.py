"""/stats (admins only: tables and chart photos) and /compare (everyone, private and groups, both
languages), through the fake Bot API with the real Application."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.core.text import utf16_len
from bot.ui.render import MESSAGE_LIMIT
from handlers.admin import ADMIN_COMMANDS
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db

ADMIN_ID = 4242


@pytest.fixture
def bot_env() -> dict[str, str]:
    """ADMIN_IDS for this module's bot."""
    return {"ADMIN_IDS": f"{ADMIN_ID},77"}


@pytest.fixture
def admin_bot(running_bot: RunningBot) -> RunningBot:
    """The bot as `python -m bot run` starts it, with ADMIN_IDS set."""
    return running_bot


async def test_stats_is_an_unknown_command_for_members(admin_bot: RunningBot) -> None:
    api = admin_bot.api
    api.push_update(api.build.private_message("/stats"))
    api.push_update(api.build.group_command("stats"))
    help_reply = await admin_bot.say("/help")
    [group_help] = await admin_bot.exchange(api.build.group_command("help"), DEFAULT_GROUP_ID)
    assert api.sent_messages(DEFAULT_USER_ID) == [help_reply]  # nothing for /stats
    assert api.sent_messages(DEFAULT_GROUP_ID) == [group_help]
    assert not api.calls("sendPhoto")


async def test_stats_for_an_admin(admin_bot: RunningBot) -> None:
    api = admin_bot.api
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Hong_Kong")).date().isoformat()
    await admin_bot.say("北部都會區")
    await admin_bot.say("北部都会区", user_id=5)
    await admin_bot.say("火星殖民地", user_id=6)
    await asyncio.sleep(0.3)  # the log is written after each reply
    before = len(api.sent_messages(ADMIN_ID))
    api.push_update(api.build.private_message("/stats", ADMIN_ID, language_code="en"))
    await api.wait_for(lambda: len(api.calls("sendPhoto")) == 2, timeout=30)
    sent = api.sent_messages(ADMIN_ID)[before:]
    texts = [message for message in sent if "text" in message.data]
    photos = [message for message in sent if "photo" in message.data]
    assert texts and len(photos) == 2
    joined = "\n".join(message.text or "" for message in texts)
    assert all(utf16_len(message.text or "") <= MESSAGE_LIMIT for message in texts)
    assert "Members (private chats, not blocked): 3" in joined
    top = joined.split("Most frequent queries")[1]
    assert "北部都" in top and "2" in top.split("北部都")[1].splitlines()[0]
    assert "火星殖民地" in joined.split("Queries that found nothing")[1]
    assert any(entity["type"] == "pre" for message in texts for entity in message.entities)
    for photo in photos:
        assert photo.file is not None
        with Image.open(BytesIO(photo.file.data)) as image:
            assert image.format == "PNG"
            width, height = image.size
            assert 500 < width + height <= 10000 and max(width, height) / min(width, height) <= 20
        assert photo.text == f"Insight charts, {today} (HKT)"  # the tables' day, zone stated
    assert "day (HKT)" in joined
    api.push_update(api.build.private_message("/stats", 77))  # the other admin, in Chinese
    await api.wait_for(lambda: len(api.calls("sendPhoto")) == 4, timeout=30)
    chinese = api.sent_messages(77)
    assert "日期（HKT）" in "\n".join(m.text or "" for m in chinese if "text" in m.data)
    captions = [m.text for m in chinese if "photo" in m.data]
    assert captions == [f"統計圖表（{today} HKT）"] * 2
    assert "stats" in ADMIN_COMMANDS
    assert "stats" not in {command["command"] for command in api.commands()}


async def test_stats_in_a_group_points_an_admin_to_a_private_chat(admin_bot: RunningBot) -> None:
    api = admin_bot.api
    update = api.build.group_command("stats", user_id=ADMIN_ID)
    [answer] = await admin_bot.exchange(update, DEFAULT_GROUP_ID)
    assert "/stats" in (answer.text or "")
    assert not api.calls("sendPhoto")


async def test_compare_in_private_both_languages(running_bot: RunningBot) -> None:
    chinese = await running_bot.say("/compare 北部都會區")
    assert "北部都會區" in (chinese.text or "") and "經民聯" in (chinese.text or "")
    links = [e["url"] for e in chinese.entities if e["type"] == "text_link"]
    assert any("?start=rec_bpa24-" in link for link in links)
    english = await running_bot.say("/compare 北部都會區", user_id=9, language_code="en")
    assert "organisations" in (english.text or "") and "BPA" in (english.text or "")
    assert "經民聯" not in (english.text or "")


async def test_compare_in_a_group_is_compact(running_bot: RunningBot) -> None:
    api = running_bot.api
    update = api.build.group_command("compare", "北部都會區")
    [answer] = await running_bot.exchange(update, DEFAULT_GROUP_ID)
    assert answer.data.get("reply_to_message")
    private = await running_bot.say("/compare 北部都會區")
    links = [e for e in answer.entities if e["type"] == "text_link"]
    private_links = [e for e in private.entities if e["type"] == "text_link"]
    assert 0 < len(links) < len(private_links)


async def test_compare_without_topic_or_results(running_bot: RunningBot) -> None:
    usage = await running_bot.say("/compare")
    assert "/compare" in (usage.text or "")
    nothing = await running_bot.say("/compare 火星殖民地", user_id=9, language_code="en")
    assert "No organisation proposed anything" in (nothing.text or "")


async def test_compare_very_long_topic(running_bot: RunningBot) -> None:
    topic = "北部都會區<b>&" * 300  # about 4000 characters, markup-like
    api = running_bot.api
    before = len(api.sent_messages(DEFAULT_USER_ID))
    api.push_update(api.build.private_message(f"/compare {topic}"))
    messages = await api.wait_for_messages(DEFAULT_USER_ID, before + 1, timeout=10)
    reply = messages[before]
    assert reply.text and len(reply.text) <= MESSAGE_LIMIT
    assert "…" in reply.text.splitlines()[0]  # the topic is clipped in the heading
