"""Search over the real corpus: behaviour that must hold for any engine tuning."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.search import Filters, SearchIndex, engine, related, search
from bot.search.engine import concepts_of
from bot.search.match import match_concept
from bot.search.normalize import fold, fold_text
from bot.search.query import parse_query
from bot.store.areas import load_areas


def ids(index: SearchIndex, query: str, limit: int = 5, **kwargs: object) -> list[str]:
    return [result.record.id for result in search(index, query, limit=limit, **kwargs).results]


NASTY = [
    "",
    " ",
    "\u200b\u200d\u2066\u202e",
    "😀🔥🇭🇰",
    "\" * NEAR( %_ \\ '",
    "'; DROP TABLE recommendations; --",
    "(((((",
    "[a-z]+.*$",
    "org:",
    "#",
    "year:abcd",
    "中" * 4096,
    "撤銷烈酒稅 " * 800,
    "\x00\x01\x7f",
    "𠀀𪚥",
]


@pytest.mark.parametrize("query", NASTY)
def test_never_crashes(search_index: SearchIndex, query: str) -> None:
    answer = search(search_index, query)
    assert answer.total >= 0
    assert answer.elapsed_ms < 5000


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_never_crashes_on_arbitrary_text(search_index: SearchIndex, query: str) -> None:
    search(search_index, query)


def test_empty_query_returns_nothing(search_index: SearchIndex) -> None:
    assert ids(search_index, "") == []
    assert ids(search_index, "？？") == []


def test_exact_title_first(search_index: SearchIndex) -> None:
    assert ids(search_index, "撤銷烈酒稅")[0] == "bpa24-6"


def test_simplified_matches_traditional(search_index: SearchIndex) -> None:
    assert ids(search_index, "撤销烈酒税")[0] == "bpa24-6"


def test_typo_is_tolerated(search_index: SearchIndex) -> None:
    top = ids(search_index, "北部都匯區", limit=3)
    assert top
    for rec_id in top:
        record = search_index.records[search_index.position_of(rec_id)]  # type: ignore[index]
        text = record.title + record.text
        assert any(name in text for name in ("北部都會區", "北部都市區", "北都"))


def test_no_answer_returns_nothing(search_index: SearchIndex) -> None:
    assert ids(search_index, "足球世界盃賽果") == []
    assert ids(search_index, "今日天氣") == []


def test_highlights_point_at_matched_text(search_index: SearchIndex) -> None:
    query = "撤销烈酒税 中試"
    concepts = concepts_of(search_index, parse_query(query, search_index.lexicon))
    matched = {term for c in concepts for term in match_concept(search_index, c).matched_terms}
    assert {"中试"} <= matched
    answer = search(search_index, query)
    assert answer.results
    assert any(result.why != "semantic" for result in answer.results)
    for result in answer.results:
        assert result.highlights
        for span in result.highlights:
            original = getattr(result.record, span.field)[span.start : span.end]
            if result.why == "semantic":  # no matched words: its best sentence instead
                assert span.field == "text" and len(result.highlights) == 1
                assert original.strip() and original.strip() in result.record.text
            else:
                assert _composed_of(fold(original).text, matched)


def _composed_of(text: str, terms: set[str]) -> bool:
    """True when matched terms cover every character (merged spans may join several)."""
    covered = [False] * len(text)
    for term in terms:
        start = text.find(term)
        while start >= 0:
            covered[start : start + len(term)] = [True] * len(term)
            start = text.find(term, start + 1)
    return bool(text) and all(covered)


def test_filters_restrict_results(search_index: SearchIndex) -> None:
    legco = search(search_index, "中試 org:立法會", limit=50).results
    assert legco
    for result in legco:
        assert result.record.source_id == "legco24"
    for result in search(
        search_index, "中試", filters=Filters(sources=frozenset({"cma23"}))
    ).results:
        assert result.record.source_id == "cma23"
    for result in search(search_index, "人才 year:2024", limit=50).results:
        assert result.record.year == 2024


def test_unknown_filter_is_reported(search_index: SearchIndex) -> None:
    answer = search(search_index, "中試 org:不存在的組織")
    assert answer.unknown_filters == ("org:不存在的組織",)


def test_paging_is_consistent(search_index: SearchIndex) -> None:
    everything = ids(search_index, "人才", limit=30)
    assert ids(search_index, "人才", limit=10, offset=10) == everything[10:20]


def test_did_you_mean_offers_searchable_terms(search_index: SearchIndex) -> None:
    answer = search(search_index, "半導體晶片廠商足球")
    if not answer.results:
        for suggestion in answer.suggestions:
            assert search(search_index, suggestion).results


def test_related_comes_from_other_organisations(search_index: SearchIndex) -> None:
    found = related(search_index, "bpa24-17")  # 中試平台
    assert found
    assert all(result.record.org_short != "經民聯" for result in found)
    assert related(search_index, "no-such-id") == []


def test_area_names_for_suggestions_are_folded_again_only_when_the_areas_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = engine._AreaNames()
    first = names.current()
    assert names.current() is first  # not folded again for every query
    assert first[fold_text(load_areas()[0].en)] == load_areas()[0]
    monkeypatch.setattr(engine, "areas_by_id", lambda: {})  # the areas read anew
    assert names.current() is not first and names.current() == first
