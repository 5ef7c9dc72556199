"""Narrowing a results page is visible and reversible: the header names the active filters, a
button removes them, the narrowing buttons stay on every page, and "more" reaches every
organisation and area in the results."""

from __future__ import annotations

import pytest

from tests.fake_bot_api import StoredMessage
from tests.handlers.conftest import RunningBot, opened_ids

pytestmark = pytest.mark.db

ENGLISH_USER = 3201


def buttons(message: StoredMessage) -> dict[str, str]:
    """Button text → callback data."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row if "callback_data" in b}


def opened(message: StoredMessage) -> list[str]:
    return opened_ids(message)


@pytest.mark.parametrize(
    ("user", "language", "only", "more", "filtered", "everything"),
    [
        (3202, "zh-hk", "只看 ", "⋯ 更多篩選", "篩選：", "📋 全部結果"),
        (ENGLISH_USER, "en", "Only ", "⋯ More filters", "Filtered:", "📋 All results"),
    ],
)
async def test_filters_are_shown_reversible_and_complete(
    running_bot: RunningBot,
    user: int,
    language: str,
    only: str,
    more: str,
    filtered: str,
    everything: str,
) -> None:
    bpa = "BPA" if language == "en" else "經民聯"
    first = await running_bot.say("人才", user_id=user, language_code=language)
    assert first.text is not None and filtered not in first.text
    top = [text for text in buttons(first) if text.startswith(only)]
    assert len(top) == 3
    assert more in buttons(first)

    # The narrowing buttons stay on the next page.
    next_page = next(d for d in first.callback_data() if d.startswith("p:") and d.endswith(":1"))
    second = await running_bot.press_and_edit(first, next_page, user)
    assert [text for text in buttons(second) if text.startswith(only)] == top

    # "More" shows every organisation and every area in the results.
    expanded = await running_bot.press_and_edit(second, buttons(second)[more], user)
    every_org = [text for text in buttons(expanded) if text.startswith(only)]
    assert len(every_org) == 4  # the four organisations of the five documents all do
    every_area = [text for text in buttons(expanded) if text.startswith("#")]
    assert len(every_area) > 2
    assert more not in buttons(expanded)
    assert "2/" in (expanded.text or "")  # still the same page

    # Narrowed: the header says so, the results are that organisation's, a button undoes it.
    narrowed = await running_bot.press_and_edit(expanded, buttons(expanded)[only + bpa], user)
    assert narrowed.text is not None
    header = narrowed.text.splitlines()[1]
    assert filtered in header and bpa in header
    assert opened(narrowed) and all(rec_id.startswith("bpa24-") for rec_id in opened(narrowed))
    assert not [text for text in buttons(narrowed) if text.startswith(only)]
    assert f"✖ {bpa}" in buttons(narrowed)
    area = next(text for text in buttons(narrowed) if text.startswith("#"))

    # Two filters: each removable, and "all results" removes both.
    both = await running_bot.press_and_edit(narrowed, buttons(narrowed)[area], user)
    assert both.text is not None
    header = both.text.splitlines()[1]
    assert bpa in header and area in header
    assert {f"✖ {bpa}", f"✖ {area}", everything} <= set(buttons(both))
    only_area = await running_bot.press_and_edit(both, buttons(both)[f"✖ {bpa}"], user)
    assert only_area.text is not None and bpa not in only_area.text.splitlines()[1]
    assert area in only_area.text.splitlines()[1]
    assert everything not in buttons(only_area)  # one filter: its ✖ is the way back

    back = await running_bot.press_and_edit(only_area, buttons(only_area)[f"✖ {area}"], user)
    assert back.text is not None and filtered not in back.text
    assert back.text.splitlines()[0] == (first.text or "").splitlines()[0]
    assert [text for text in buttons(back) if text.startswith(only)] == top
