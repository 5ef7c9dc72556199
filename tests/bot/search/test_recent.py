"""Answers to recent searches: a repeat is the same answer, kept per index, and bounded."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.search import Filters, SearchIndex, search
from bot.search.engine import RECENT
from bot.search.recent import DEFAULT_SIZE, RecentAnswers


@pytest.fixture(autouse=True)
def _default_size() -> Iterator[None]:
    RECENT.resize(DEFAULT_SIZE)
    yield
    RECENT.resize(DEFAULT_SIZE)


def test_a_repeated_search_is_the_kept_answer(search_index: SearchIndex) -> None:
    first = search(search_index, "烈酒稅", limit=3)
    again = search(search_index, "烈酒稅", limit=3)
    assert first.results and again.results is first.results  # not searched again
    assert again.total == first.total and again.query == first.query


def test_every_argument_is_part_of_the_key(search_index: SearchIndex) -> None:
    base = search(search_index, "烈酒稅", limit=3)
    variants = [
        search(search_index, "烈酒稅 ", limit=3),
        search(search_index, "烈酒稅", limit=2),
        search(search_index, "烈酒稅", limit=3, offset=1),
        search(search_index, "烈酒稅", limit=3, filters=Filters(sources=frozenset({"bpa24"}))),
        search(search_index, "烈酒稅", limit=3, decide=False),
        search(search_index, "烈酒稅", limit=3, language="en"),
    ]
    for variant in variants:
        assert variant.results is not base.results
    second_to_fourth = [r.record.id for r in search(search_index, "烈酒稅", limit=4).results][1:]
    assert [r.record.id for r in variants[2].results] == second_to_fourth


def test_off_at_size_zero(search_index: SearchIndex) -> None:
    RECENT.resize(0)
    first = search(search_index, "烈酒稅", limit=3)
    again = search(search_index, "烈酒稅", limit=3)
    assert again.results is not first.results
    assert [r.record.id for r in again.results] == [r.record.id for r in first.results]


def test_least_recently_used_goes_first() -> None:
    table: RecentAnswers[str] = RecentAnswers(size=2)
    index = type("Index", (), {})()
    table.put(index, "a", "A")
    table.put(index, "b", "B")
    assert table.get(index, "a") == "A"  # now the most recent
    table.put(index, "c", "C")
    assert (table.get(index, "a"), table.get(index, "b"), table.get(index, "c")) == ("A", None, "C")
    table.resize(1)
    assert (table.get(index, "a"), table.get(index, "c")) == (None, "C")


def test_answers_are_per_index_and_go_with_it() -> None:
    table: RecentAnswers[str] = RecentAnswers(size=4)
    Index = type("Index", (), {})
    old, new = Index(), Index()
    table.put(old, "q", "old answer")
    assert table.get(new, "q") is None  # a rebuilt index starts empty
    del old
    gc.collect()
    assert len(table._tables) == 0  # the old index's answers went with it
