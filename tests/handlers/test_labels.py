"""Labels a member reads: each document by its own period and kind, each organisation by the
short name of the reader's language (results, narrowing buttons, /rec, digests)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from bot.digest.deliver import DeliveryOptions, send_due
from bot.store.chats import set_language
from bot.store.models import DigestSchedule
from bot.store.subscriptions import set_schedule, subscribe
from handlers.telegram_sender import TelegramSender
from tests.fake_bot_api import StoredMessage
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db

ENGLISH_USER = 3101
ZONE = ZoneInfo("Asia/Hong_Kong")
CJK = re.compile(r"[\u3400-\u9fff]")


def button_texts(message: StoredMessage) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def test_budget_results_are_labelled_by_their_fiscal_year(running_bot: RunningBot) -> None:
    reply = await running_bot.say("香港食品產業園")
    assert reply.text is not None
    assert "廠商會 · 2024-25 財政預算案建議" in reply.text
    assert "2023 財政預算案建議" not in reply.text

    english = await running_bot.say("香港食品產業園", user_id=ENGLISH_USER, language_code="en")
    assert english.text is not None
    assert "CMA · 2024-25 Budget proposals" in english.text
    assert "2023 Budget" not in english.text


async def test_english_readers_see_english_organisation_names(running_bot: RunningBot) -> None:
    chinese = await running_bot.say("中試")
    assert chinese.text is not None and "廠商會" in chinese.text
    assert any(text.startswith("只看 ") and "廠商會" in text for text in button_texts(chinese))

    english = await running_bot.say("中試", user_id=ENGLISH_USER, language_code="en")
    assert english.text is not None
    result_lines = [line for line in english.text.splitlines() if re.match(r"^\d+\. ", line)]
    assert result_lines
    for line in result_lines:  # "1. CMA · 2024-25 Budget proposals · …": no Chinese name
        organisation = line.split(" · ")[0]
        assert not CJK.search(organisation), line
    narrowing = [text for text in button_texts(english) if text.startswith("Only ")]
    assert narrowing
    assert all(not CJK.search(text) for text in narrowing)
    assert "Only CMA" in narrowing or "Only FHKI" in narrowing

    related = await running_bot.say("/rec bpa24-17", user_id=ENGLISH_USER, language_code="en")
    assert related.text is not None and "Business and Professionals Alliance" in related.text
    assert "經濟民生聯盟" not in related.text


ENGLISH_NAMES = ("FHKI", "CMA", "BPA", "LegCo Subcommittee")
CHINESE_NAMES = ("工總", "廠商會", "經民聯", "立法會小組委員會")


@pytest.mark.parametrize(
    ("chat_id", "language", "names", "other"),
    [
        (3102, "en", ENGLISH_NAMES, CHINESE_NAMES),
        (3103, "zh-Hant-HK", CHINESE_NAMES, ENGLISH_NAMES),
    ],
)
async def test_digests_name_organisations_in_the_chats_language(
    running_bot: RunningBot,
    chat_id: int,
    language: str,
    names: tuple[str, ...],
    other: tuple[str, ...],
) -> None:
    code = "en" if language == "en" else "zh-hant"
    await running_bot.say("/start", user_id=chat_id, language_code=code)
    with running_bot.sessions.begin() as session:
        set_language(session, chat_id, "private", language)
        subscribe(session, chat_id, "private", ["talent"], ZONE)
        set_schedule(session, chat_id, "daily", 9, 0, ZONE)
    with running_bot.sessions() as session:
        schedule = session.get(DigestSchedule, chat_id)
        assert schedule is not None
        when = schedule.next_due
    settings = running_bot.app.bot_data["services"].settings
    options = DeliveryOptions(zone=settings.timezone, bot_username="PolicyBot", backoff=0.0)
    report = await send_due(
        running_bot.sessions, TelegramSender(running_bot.app.bot), options, now=when
    )
    assert report.counts["sent"] == 1
    digest = "\n".join(
        m.text or "" for m in running_bot.api.sent_messages(chat_id) if "📬" in (m.text or "")
    )
    assert digest
    assert any(f"{name} · " in digest for name in names)
    for name in other:
        assert f"{name} · " not in digest
