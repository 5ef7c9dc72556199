"""Counts read right in both languages: "1 proposal", "2 proposals", "0 proposals"; Chinese nouns
do not change. Through the real view functions, on the real corpus."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.admin.broadcast import Recipients
from bot.admin.summary import StoreSummary
from bot.admin.views import confirm_message, summary_message
from bot.search import SearchIndex, search
from bot.search.compare import Comparison, compare
from bot.store.corpus import list_sources
from bot.store.db import SessionFactory
from bot.ui.compare_view import compare_messages
from bot.ui.render import plain_of
from bot.ui.views import SearchPage, results_message, sources_messages

EN, ZH = "en", "zh-Hant-HK"


def _results_text(index: SearchIndex, language: str, count: int, compact: bool = False) -> str:
    answer = search(index, "北部都會區")
    assert len(answer.results) >= 2
    answer = replace(answer, results=answer.results[:count], total=count)
    page = SearchPage(key="abcdefghij", page=0, compact=compact)
    return plain_of(results_message(language, answer, page).html)


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        (EN, 0, "0 proposals (page"),
        (EN, 1, "1 proposal (page 1/1)"),
        (EN, 2, "2 proposals (page 1/1)"),
        (ZH, 0, "0 項建議（第"),
        (ZH, 1, "1 項建議（第 1/1 頁）"),
        (ZH, 2, "2 項建議（第 1/1 頁）"),
    ],
)
def test_search_header(search_index: SearchIndex, language: str, count: int, expected: str) -> None:
    assert expected in _results_text(search_index, language, count)


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        (EN, 1, ": 1 proposal:"),
        (EN, 2, ": 2 proposals, the top 2:"),
        (ZH, 1, "：1 項建議，最相關的 1 項："),
        (ZH, 2, "：2 項建議，最相關的 2 項："),
    ],
)
def test_compact_search_header(
    search_index: SearchIndex, language: str, count: int, expected: str
) -> None:
    assert expected in _results_text(search_index, language, count, compact=True)


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        (EN, 1, ": 1 proposal from 1 organisation"),
        (EN, 2, ": 2 proposals from 2 organisations"),
        (ZH, 1, "：1 個組織共 1 項建議"),
        (ZH, 2, "：2 個組織共 2 項建議"),
    ],
)
def test_compare_header(
    search_index: SearchIndex, language: str, count: int, expected: str
) -> None:
    full = compare(search_index, "北部都會區")
    blocks = tuple(replace(block, total=1, items=block.items[:1]) for block in full.blocks[:count])
    assert len(blocks) == count
    comparison = Comparison(full.topic, replace(full.answer, total=count), blocks)
    first = plain_of(compare_messages(language, comparison, None)[0].html)
    assert first.splitlines()[0].endswith(expected)


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        (EN, 0, "0 proposals, IDs start with"),
        (EN, 1, "1 proposal, IDs start with"),
        (EN, 2, "2 proposals, IDs start with"),
        (ZH, 1, "1 項建議，編號以"),
        (ZH, 2, "2 項建議，編號以"),
    ],
)
def test_sources(corpus_sessions: SessionFactory, language: str, count: int, expected: str) -> None:
    with corpus_sessions() as session:
        source = list_sources(session)[0]
        [message] = sources_messages(language, [(source, count)])
        text = plain_of(message.html)
    assert expected in text


def _summary(count: int) -> StoreSummary:
    return StoreSummary(
        sources=count,
        records=0,
        withdrawn=0,
        chats={"private": 3, "group": count},
        inactive_chats=0,
        subscriptions=0,
        subscribed_chats=count,
        schedules={},
        digests_sent=0,
        digests_failed=0,
        pending_actions=0,
        corpus_version=None,
    )


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        (EN, 0, ["from 0 sources\n", "3 private, 0 groups;", "0 in 0 chats\n"]),
        (EN, 1, ["from 1 source\n", "3 private, 1 group;", "0 in 1 chat\n"]),
        (EN, 2, ["from 2 sources\n", "3 private, 2 groups;", "0 in 2 chats\n"]),
        (ZH, 1, ["來源 1 份\n", "私人 3，群組 1；", "來自 1 個聊天\n"]),
        (ZH, 2, ["來源 2 份\n", "私人 3，群組 2；", "來自 2 個聊天\n"]),
    ],
)
def test_admin_summary(language: str, count: int, expected: list[str]) -> None:
    message = summary_message(
        language, _summary(count), None, timedelta(minutes=5), ZoneInfo("Asia/Hong_Kong")
    )
    text = plain_of(message.html)
    for piece in expected:
        assert piece in text


@pytest.mark.parametrize(
    ("language", "private", "groups", "expected"),
    [
        (EN, 1, 0, "Send it to 1 active chat (1 private, 0 groups)?"),
        (EN, 1, 1, "Send it to 2 active chats (1 private, 1 group)?"),
        (ZH, 1, 0, "發送給 1 個活躍聊天（私人 1，群組 0）？"),
        (ZH, 1, 1, "發送給 2 個活躍聊天（私人 1，群組 1）？"),
    ],
)
def test_broadcast_confirmation(language: str, private: int, groups: int, expected: str) -> None:
    message = confirm_message(language, "k1", Recipients(private=private, groups=groups))
    assert plain_of(message.html).splitlines()[-1] == expected
