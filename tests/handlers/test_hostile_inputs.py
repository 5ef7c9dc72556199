"""A battery of hostile inputs in every context: each gets a valid reply, and the bot lives on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store.db import make_engine, make_sessions
from bot.store.update_claims import UpdateClaims
from bot.ui.i18n import t
from handlers.processing import ClaimingUpdateProcessor
from tests.fake_bot_api import DEFAULT_GROUP_ID
from tests.handlers.conftest import RunningBot, opened_ids

pytestmark = pytest.mark.db

HOSTILE = [
    "中" * 4096,
    "<b>中試</b>",
    "&amp; &lt; &#0; &",
    "😀🇭🇰👨‍👩‍👧 中試",
    "\u200b\u200c\u200d中\u2060試\ufeff",
    "\u202e試中\u202c \u2066北都\u2069",
    "\" * NEAR( %_ \\ '",
    "'; DROP TABLE recommendations; --",
    "org: #",
    "year:9999 doc:zzz org:不存在",
    "\u3000\u3000",
    "𠀀𪚥𫝀",
]


async def test_private_chat(running_bot: RunningBot) -> None:
    for text in HOSTILE:
        reply = await running_bot.say(text[:4096])
        assert reply.text
    alive = await running_bot.say("撤銷烈酒稅")
    assert "bpa24-6" in opened_ids(alive)


async def test_group_command(running_bot: RunningBot) -> None:
    api = running_bot.api
    for text in HOSTILE:
        update = api.build.group_command("s", text[:4000])
        [reply] = await running_bot.exchange(update, DEFAULT_GROUP_ID)
        assert reply.text


async def test_inline(running_bot: RunningBot) -> None:
    api = running_bot.api
    for text in HOSTILE:
        update = api.build.inline_query(text[:256])
        api.push_update(update)
        answer = await api.wait_for(lambda u=update: api.inline_answer(u["inline_query"]["id"]))
        assert "results" in answer
    failures = [r for r in api.requests if not r.ok and r.method != "getUpdates"]
    assert failures == []


async def test_english_reader_sees_english_throughout(running_bot: RunningBot) -> None:
    reply = await running_bot.say("liquor duty", user_id=3003, language_code="en-GB")
    assert "proposals" in reply.text
    assert "bpa24-6" in opened_ids(reply)
    full = await running_bot.say("/rec bpa24-6", user_id=3003)
    assert "Business and Professionals Alliance" in full.text
    assert "Proposals for the 2024 Policy Address" in full.text


async def test_a_store_outage_gets_a_busy_message_in_the_users_language(
    running_bot: RunningBot, tmp_path: Path
) -> None:
    services = running_bot.app.bot_data["services"]
    processor = running_bot.app.update_processor  # the claim (and the chat read with it)
    working = services.sessions
    gone = make_sessions(make_engine(f"sqlite:///{tmp_path / 'gone' / 'store.db'}"))
    assert isinstance(processor, ClaimingUpdateProcessor)
    services.sessions = gone
    await processor.use_claims(UpdateClaims(gone))
    try:
        busy = await running_bot.say("中試")
        assert busy.text == t("zh-Hant-HK", "errors.store_busy")
        english = await running_bot.say("liquor duty", user_id=3301, language_code="en")
        assert english.text == t("en", "errors.store_busy")
    finally:
        services.sessions = working
        await processor.use_claims(UpdateClaims(working))
    answered = await running_bot.say("中試")
    assert answered.text != t("zh-Hant-HK", "errors.store_busy")
