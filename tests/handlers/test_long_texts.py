"""Texts a user controls (queries echoed in headers, /compare topics, upload captions, names of an
uploaded document) at and past Telegram's limits, end to end through the fake Bot API, which
refuses what Telegram refuses (4096 UTF-16 units once parsed, HTML rules): every reply is sent,
in both languages, private chat, group, inline."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.text import utf16_len
from bot.ingest.imports import InlineDocument
from bot.ingest.pipeline import ingest
from bot.search import SearchIndex, search
from bot.ui.i18n import t
from bot.ui.views import COMPACT_SIZE, PAGE_SIZE, SearchPage, answer_message
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, FakeBotAPI
from tests.fake_bot_api.formatting import MESSAGE_TEXT, format_text
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db

ZH, EN = "zh-Hant-HK", "en"
ENGLISH_USER = 3003
LONG_QUERIES = {
    "cjk-4096": "中" * 4096,
    "found-4095": "中試 " + "中試" * 2045,  # finds proposals: the header echoes it
    "astral-4096-units": "😀" * 2048,
    "markup-4096": "<b>&amp;" * 512,
    "past-the-limit": "北部都會區 " * 1000,
    "filters": "org:" + "不存在" * 1400,
}


def _no_refusals(api: FakeBotAPI) -> None:
    refused = [(r.method, r.status, r.response) for r in api.requests if not r.ok]
    assert [r for r in refused if r[0] != "getUpdates"] == []


def _fits(text: str) -> None:
    assert 0 < utf16_len(text) <= 4096


@pytest.mark.parametrize("query", list(LONG_QUERIES))
@pytest.mark.parametrize("language", [ZH, EN])
async def test_private_chat_and_group(running_bot: RunningBot, query: str, language: str) -> None:
    text = LONG_QUERIES[query]
    user = DEFAULT_USER_ID if language == ZH else ENGLISH_USER
    code = "zh-hant" if language == ZH else "en"
    reply = await running_bot.say(text, user_id=user, language_code=code)
    _fits(reply.text)
    assert reply.text != t(language, "errors.generic")
    assert "…" in reply.text  # the echoed query was clipped, not dropped
    update = running_bot.api.build.group_command("s", text, user_id=user)
    [group] = await running_bot.exchange(update, DEFAULT_GROUP_ID)
    _fits(group.text)
    _no_refusals(running_bot.api)


@pytest.mark.parametrize("language", [ZH, EN])
async def test_compare(running_bot: RunningBot, language: str) -> None:
    user = DEFAULT_USER_ID if language == ZH else ENGLISH_USER
    code = "zh-hant" if language == ZH else "en"
    for topic in ("北部都會區" * 900, "中試 " + "中試" * 2040, "&<>" * 1400):
        reply = await running_bot.say(f"/compare {topic}", user_id=user, language_code=code)
        _fits(reply.text)
        assert reply.text != t(language, "errors.generic")
    _no_refusals(running_bot.api)


@pytest.fixture
async def long_named_upload(running_bot: RunningBot, tmp_path: Path) -> RunningBot:
    """A document stored with names as long as the store's columns take (as an upload made
    before names were bounded), far past what a reply shows."""
    text = "一、創新科技\n1. 設立中試中心\n建議政府設立中試中心，支援" + "中試" * 3000 + "。\n"
    document = InlineDocument(
        path=tmp_path / "long.txt",
        slug="longname25",
        layout="generic",
        org=("很長的機構名稱" * 300)[:255],
        org_short=("長名" * 300)[:64],
        org_en=("Long Organisation Name " * 100)[:255],
        org_short_en=("LONG" * 100)[:64],
        title="很長的標題" * 400,
        title_en="A very long title " * 120,
        kind="submission",
        date="2025-09",
        content=text,
    )
    ingest(running_bot.sessions, [document])
    running_bot.app.bot_data["services"].index.refresh()
    return running_bot


@pytest.mark.parametrize("language", [ZH, EN])
async def test_long_names_from_an_upload(long_named_upload: RunningBot, language: str) -> None:
    bot = long_named_upload
    user = DEFAULT_USER_ID if language == ZH else ENGLISH_USER
    code = "zh-hant" if language == ZH else "en"
    for text in ("中試中心 org:長名", "/sources", "/rec longname25-1", "中試中心"):
        reply = await bot.say(text, user_id=user, language_code=code)
        _fits(reply.text)
        assert reply.text != t(language, "errors.generic"), text
    update = bot.api.build.inline_query("中試中心 org:長名", user, language_code=code)
    bot.api.push_update(update)
    answer = await bot.api.wait_for(lambda: bot.api.inline_answer(update["inline_query"]["id"]))
    assert answer["results"]
    for result in answer["results"]:
        assert utf16_len(result["title"]) <= 120
        assert utf16_len(result["description"]) <= 240
    _no_refusals(bot.api)


PIECES = ["中試", "北部都會區", "org:", "org:經民聯", "#創科", "year:2024", "doc:zz", "<b>"]
PIECES += ["&amp;", "&", "😀", "🇭🇰", "\n", " ", "\u200d", "\u202e", "𠀀", "liquor duty", "？"]
CHARACTERS = st.characters(blacklist_categories=("Cs",))  # what UTF-8 (so Telegram) can carry
QUERIES = st.one_of(
    st.text(CHARACTERS, max_size=300),
    st.builds(  # long: a random piece repeated up to 5000 characters
        lambda piece, size: (piece * size)[:size],
        st.text(CHARACTERS, min_size=1, max_size=8),
        st.integers(100, 5000),
    ),
    st.lists(st.sampled_from(PIECES), min_size=50, max_size=2500).map("".join),
)


@settings(max_examples=60, deadline=None)
@given(query=QUERIES, language=st.sampled_from([ZH, EN]), compact=st.booleans())
def test_any_query_gets_a_reply_telegram_accepts(
    search_index: SearchIndex, query: str, language: str, compact: bool
) -> None:
    """What the search handler replies (handlers.search.show_page builds it with answer_message)
    passes the fake Bot API's own check of sendMessage text: HTML rules and 4096 units."""
    answer = search(search_index, query, limit=COMPACT_SIZE if compact else PAGE_SIZE)
    page = SearchPage("k" * 16, 0, compact, "hk_policy_bot", {}, {"bpa": "經民聯" * 50})
    suggestions = [(suggestion, "k" * 16) for suggestion in answer.suggestions[:3]]
    message = answer_message(language, answer, page, suggestions)
    format_text(message.html, "HTML", None, MESSAGE_TEXT)  # raises what Telegram would refuse
    assert all(button.text.strip() for row in message.buttons for button in row)


async def test_many_documents_with_long_names_fill_several_messages(
    running_bot: RunningBot, tmp_path: Path
) -> None:
    documents = [
        InlineDocument(
            path=tmp_path / f"doc{number}.txt",
            slug=f"many{number}",
            layout="generic",
            org="很長的機構名稱" * 17,  # 119 characters: what validation allows
            org_short="長名",
            org_en="Long Organisation Name " * 6,
            org_short_en="LONG",
            title="很長的標題" * 60,  # 300 characters
            title_en="A very long title " * 16,
            kind="submission",
            date="2025-09",
            content=f"一、創新科技\n1. 設立中試中心{number}\n建議政府設立中試中心。\n",
        )
        for number in range(40)
    ]
    ingest(running_bot.sessions, documents)
    update = running_bot.api.build.private_message("/sources")
    await running_bot.exchange(update, DEFAULT_USER_ID, count=2)
    await asyncio.sleep(1)  # the last parts arrive too
    parts = running_bot.api.sent_messages(DEFAULT_USER_ID)
    text = "\n".join(message.text for message in parts)
    assert all(f"many{number}" in text for number in range(40))
    assert all(0 < utf16_len(message.text) <= 4096 for message in parts)
    _no_refusals(running_bot.api)
