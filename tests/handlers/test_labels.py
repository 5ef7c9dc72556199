"""Labels a member reads: each document by its own period and kind, each organisation by the
short name of the reader's language (results, narrowing buttons, lists, inline answers)."""

from __future__ import annotations

import re

import pytest

from tests.fake_bot_api import StoredMessage
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db

ENGLISH_USER = 3101
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
