"""Inline mode and /compare as a member reads them, in their language: organisations and
documents named in it (the document's own period and kind), and the sentence that shows why a
proposal matched (said to be in a cited paragraph when it is), as search results show it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.fake_bot_api import StoredMessage
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db

CJK = re.compile(r"[\u3400-\u9fff]")
CITED = {"zh-hant": "於引用段落", "en": "In a cited paragraph"}


async def inline_reply(
    running_bot: RunningBot, query: str, user_id: int, language_code: str
) -> dict[str, Any]:
    """The bot's whole answerInlineQuery to a query typed by a user of that language."""
    api = running_bot.api
    update = api.build.inline_query(query, user_id, language_code=language_code)
    api.push_update(update)
    query_id = update["inline_query"]["id"]
    answer: dict[str, Any] = await api.wait_for(lambda: api.inline_answer(query_id), timeout=10)
    return answer


async def inline_answer(
    running_bot: RunningBot, query: str, user_id: int, language_code: str
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = (
        await inline_reply(running_bot, query, user_id, language_code)
    )["results"]
    return results


def labels(results: list[dict[str, Any]]) -> list[str]:
    """Each result's first description line: organisation · document · area."""
    return [result["description"].split("\n", 1)[0] for result in results]


@pytest.mark.parametrize(
    ("user", "language_code", "label", "other"),
    [
        (3501, "zh-hant", "廠商會 · 2024-25 財政預算案建議", "CMA"),
        (3502, "en", "CMA · 2024-25 Budget proposals", "廠商會"),
    ],
)
async def test_inline_results_name_organisation_and_document_in_the_readers_language(
    running_bot: RunningBot, user: int, language_code: str, label: str, other: str
) -> None:
    results = await inline_answer(running_bot, "香港食品產業園", user, language_code)
    assert results and results[0]["id"] == "cma24-4"
    assert labels(results)[0].startswith(label)
    assert all(other not in line for line in labels(results))
    assert all(
        "2023 財政預算案" not in line and "2023 Budget" not in line for line in labels(results)
    )
    # Every organisation of a broad topic, each in the reader's language.
    broad = labels(await inline_answer(running_bot, "人才", user, language_code))
    organisations = {line.split(" · ")[0] for line in broad}
    assert len(organisations) >= 3
    if language_code == "en":
        assert organisations & {"CMA", "FHKI", "BPA"}
        assert not any(CJK.search(name) for name in organisations), organisations
    else:
        assert organisations & {"廠商會", "工總", "經民聯"}
    # The message a result drops into the chat names the organisation the same way.
    message = results[0]["input_message_content"]["message_text"]
    english_name = "Chinese Manufacturers' Association"
    assert (english_name in message) == (language_code == "en")


@pytest.mark.parametrize(("user", "language_code"), [(3503, "zh-hant"), (3504, "en")])
async def test_inline_results_quote_the_sentence_that_matched(
    running_bot: RunningBot, user: int, language_code: str
) -> None:
    # The sentence holding the rare phrase, not the text around a common word (發展).
    results = await inline_answer(running_bot, "有冇人建議發展低空經濟", user, language_code)
    quotes = [result["description"].split("\n", 1)[1] for result in results]
    assert any("發展低空經濟產業" in quote for quote in quotes), quotes
    assert "低空經濟" in quotes[0]
    # Matched through a cited paragraph: the description and the message say so and quote it.
    cited = CITED[language_code]
    results = await inline_answer(running_bot, "將軍澳第137區", user, language_code)
    through_refs = [r for r in results if cited in r["description"]]
    assert through_refs, [r["description"] for r in results]
    for result in through_refs:
        assert "將軍澳" in result["description"].split(cited, 1)[1]
        message = result["input_message_content"]["message_text"]
        assert cited in message and "將軍澳" in message.split(cited, 1)[1]


@pytest.mark.parametrize(
    ("user", "language_code", "said", "none"),
    [
        (3507, "zh-hant", "找不到相關建議", "找不到與「量子糖果獨角獸」"),
        (3508, "en", "No proposals found", "No proposals found for “量子糖果獨角獸”"),
    ],
)
async def test_inline_nothing_found_says_so_and_opens_the_search(
    running_bot: RunningBot, user: int, language_code: str, said: str, none: str
) -> None:
    answer = await inline_reply(running_bot, "量子糖果獨角獸", user, language_code)
    assert answer["results"] == []
    button = answer["button"]
    button = json.loads(button) if isinstance(button, str) else button
    assert button["text"].startswith(said)
    # The button opens the private chat on that search: nothing found, with the closest.
    payload = button["start_parameter"]
    reply = await running_bot.say(f"/start {payload}", user_id=user, language_code=language_code)
    assert reply.text is not None and reply.text.startswith(none)
    assert not any(d.startswith("p:") for d in reply.callback_data())  # no pages of results
    # Results answer for the user's language: Telegram may not share them between users.
    found = await inline_reply(running_bot, "人才", user, language_code)
    assert found["results"] and found.get("is_personal") in (True, "true")


def bold_texts(message: StoredMessage) -> list[str]:
    units = (message.text or "").encode("utf-16-le")
    return [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message.entities
        if e.get("type") == "bold"
    ]


@pytest.mark.parametrize(("user", "language_code"), [(3505, "zh-hant"), (3506, "en")])
async def test_compare_quotes_the_sentence_that_matched(
    running_bot: RunningBot, user: int, language_code: str
) -> None:
    comparison = await running_bot.say(
        "/compare 低空經濟", user_id=user, language_code=language_code
    )
    assert comparison.text is not None
    assert "發展低空經濟產業" in comparison.text
    assert any("低空經濟" in text for text in bold_texts(comparison))
    cited = CITED[language_code]
    comparison = await running_bot.say(
        "/compare 將軍澳第137區", user_id=user, language_code=language_code
    )
    assert comparison.text is not None
    assert cited in comparison.text
    assert "將軍澳" in comparison.text.split(cited, 1)[1]
