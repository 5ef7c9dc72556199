"""Words a query has that the corpus lacks, read as search reads the query."""

from __future__ import annotations

from bot.search import SearchIndex
from bot.search.vocabulary import absent_terms, characteristic_terms, display_query


def test_known_words_aliases_filters_and_question_frames_are_not_absent(
    search_index: SearchIndex,
) -> None:
    assert absent_terms(search_index, "烈酒稅") == []
    assert absent_terms(search_index, "北都") == []  # an alias the data already has
    assert absent_terms(search_index, "liquor duty") == []  # the glossary
    assert absent_terms(search_index, "邊個提過烈酒稅") == []  # question frame dropped
    assert absent_terms(search_index, "org:經民聯 #創科 year:2024") == []  # filters, not words


def test_lacking_words_in_both_scripts_and_english(search_index: SearchIndex) -> None:
    assert absent_terms(search_index, "火星 烈酒稅") == ["火星"]
    assert absent_terms(search_index, "火星 烈酒税") == absent_terms(search_index, "火星 烈酒稅")
    assert absent_terms(search_index, "spaceport liquor duty") == ["spaceport"]
    assert absent_terms(search_index, "liquor") == ["liquor"]  # the glossary has phrases only
    assert absent_terms(search_index, "火星 火星") == ["火星"]  # once each


def test_display_and_characteristic_terms(search_index: SearchIndex) -> None:
    assert display_query(search_index, "火星 烈酒税") == "火星 烈酒稅"  # as the corpus writes it
    terms = characteristic_terms(search_index, {"bpa24-6": 2, "unknown-1": 5})
    assert terms and any("酒" in term for term in terms)
    assert characteristic_terms(search_index, {}) == []
