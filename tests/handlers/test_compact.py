"""Phone screens: results one line each (the group default, a choice kept per private chat) and
/compare on one screen with a "more" button per organisation."""

from __future__ import annotations

import re

import pytest

from bot.store.chats import set_language
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, StoredMessage
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db

SCREEN = 1200  # characters: about one phone screen
ENTRY = re.compile(r"^\d+\. ")


def buttons(message: StoredMessage) -> dict[str, str]:
    """Button text → callback data."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row if "callback_data" in b}


def entries(message: StoredMessage) -> list[str]:
    """The results' numbered lines."""
    return [line for line in (message.text or "").splitlines() if ENTRY.match(line)]


@pytest.mark.parametrize(
    ("user", "language", "to_compact", "to_full"),
    [
        (3301, "zh-hk", "☰ 精簡顯示（每項一行）", "📄 詳細顯示"),
        (3302, "en", "☰ Compact (one line each)", "📄 Full view"),
    ],
)
async def test_private_chat_chooses_compact_results(
    running_bot: RunningBot, user: int, language: str, to_compact: str, to_full: str
) -> None:
    full = await running_bot.say("人才", user_id=user, language_code=language)
    assert full.text is not None and len(entries(full)) == 5
    assert to_compact in buttons(full)
    full_lines, full_length = len(full.text.splitlines()), len(full.text)
    full_opened = [d for d in full.callback_data() if d.startswith("r:")]

    compact = await running_bot.press_and_edit(full, buttons(full)[to_compact], user)
    assert compact.text is not None
    assert len(entries(compact)) == 5
    assert len(compact.text.splitlines()) == 5 + 2  # header, blank line, one line per result
    assert len(compact.text.splitlines()) < full_lines
    assert len(compact.text) < full_length * 0.6
    assert to_full in buttons(compact) and to_compact not in buttons(compact)
    assert [d for d in compact.callback_data() if d.startswith("r:")] == full_opened

    # The choice is the chat's: the next search is compact too, until switched back.
    again = await running_bot.say("中試", user_id=user, language_code=language)
    assert again.text is not None and len(again.text.splitlines()) == len(entries(again)) + 2
    back = await running_bot.press_and_edit(again, buttons(again)[to_full], user)
    assert back.text is not None and len(back.text.splitlines()) > len(entries(back)) + 2
    assert to_compact in buttons(back)


async def test_groups_read_one_line_per_result(running_bot: RunningBot) -> None:
    update = running_bot.api.build.group_command("s", "人才")
    [answer] = await running_bot.exchange(update, DEFAULT_GROUP_ID)
    assert answer.text is not None
    assert len(entries(answer)) == 3
    assert len(answer.text.splitlines()) == 3 + 2
    assert not any(text.startswith("☰") for text in buttons(answer))


@pytest.mark.parametrize(
    ("user", "language", "more", "bpa"),
    [(3303, "zh-hk", "更多 經民聯", "經民聯"), (3304, "en", "More from BPA", "BPA")],
)
async def test_compare_fits_one_screen_with_more_per_organisation(
    running_bot: RunningBot, user: int, language: str, more: str, bpa: str
) -> None:
    comparison = await running_bot.say("/compare 人才", user_id=user, language_code=language)
    assert comparison.text is not None
    assert len(comparison.text) <= SCREEN
    named = [text for text in buttons(comparison) if text.startswith(more)]
    assert len(named) == 1
    assert len(buttons(comparison)) == 4  # one per organisation

    before = len(running_bot.api.sent_messages(user))
    await running_bot.press(comparison, buttons(comparison)[named[0]], user)
    shown = (await running_bot.api.wait_for_messages(user, before + 1))[-1]
    assert shown.text is not None and bpa in shown.text and "人才" in shown.text
    links = [e["url"] for e in shown.entities if e["type"] == "text_link"]
    assert len(links) > 2 and all("?start=rec_bpa24-" in url for url in links)


@pytest.mark.parametrize(
    ("group", "language", "to_compact", "to_full", "refused"),
    [
        (-1003301, "zh-Hant-HK", "☰ 精簡顯示（每項一行）", "📄 詳細顯示", "只有群組管理員"),
        (
            -1003302,
            "en",
            "☰ Compact (one line each)",
            "📄 Full view",
            "Only the group's administrators",
        ),
    ],
)
async def test_group_administrators_choose_the_groups_layout(
    running_bot: RunningBot, group: int, language: str, to_compact: str, to_full: str, refused: str
) -> None:
    api = running_bot.api
    with running_bot.sessions.begin() as session:
        set_language(session, group, "supergroup", language)
    [answer] = await running_bot.exchange(api.build.group_command("s", "人才", group), group)
    assert answer.text is not None and len(answer.text.splitlines()) == len(entries(answer)) + 2
    assert to_full in buttons(answer) and to_compact not in buttons(answer)

    # A member may not change it: told so, and the message stays as it was.
    api.set_chat_member(group, DEFAULT_USER_ID, "member")
    query_id = await running_bot.press(answer, buttons(answer)[to_full])
    alert = api.callback_answer(query_id)
    assert alert is not None and alert.get("show_alert") in (True, "true")
    assert refused in alert.get("text", "")
    current = api.message(group, answer.message_id)
    assert current is not None and current.text == answer.text and not current.history

    # An administrator may: the top results in full, the "all results" link kept.
    api.set_chat_member(group, DEFAULT_USER_ID, "administrator")
    full = await running_bot.press_and_edit(answer, buttons(answer)[to_full])
    assert full.text is not None and entries(full) and len(entries(full)) == len(entries(answer))
    assert len(full.text.splitlines()) > len(entries(full)) + 2
    assert to_compact in buttons(full)
    urls = [b.get("url", "") for row in full.reply_markup["inline_keyboard"] for b in row]
    assert any("?start=q_" in url for url in urls)

    # The group's choice holds for the next search, until an administrator switches back.
    [again] = await running_bot.exchange(api.build.group_command("s", "中試", group), group)
    assert again.text is not None and len(again.text.splitlines()) > len(entries(again)) + 2
    back = await running_bot.press_and_edit(again, buttons(again)[to_compact])
    assert back.text is not None and len(back.text.splitlines()) == len(entries(back)) + 2


@pytest.mark.parametrize(
    ("group", "language", "cited"),
    [(-1003303, "zh-Hant-HK", "於引用段落"), (-1003304, "en", "In a cited paragraph")],
)
async def test_one_line_results_quote_the_sentence_that_matched(
    running_bot: RunningBot, group: int, language: str, cited: str
) -> None:
    api = running_bot.api
    with running_bot.sessions.begin() as session:
        set_language(session, group, "supergroup", language)
    update = api.build.group_command("s", "有冇人建議發展低空經濟", group)
    [answer] = await running_bot.exchange(update, group)
    [line] = entries(answer)[:1]
    assert "低空經濟" in line.split(" · ", 1)[1]  # the rare phrase, not only 發展
    [answer] = await running_bot.exchange(
        api.build.group_command("s", "將軍澳第137區", group), group
    )
    [line] = entries(answer)[:1]
    assert cited in line and "將軍澳" in line.split(cited, 1)[1]
