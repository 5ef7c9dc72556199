"""English questions keep their topic words, and "did you mean" offers only what helps."""

from __future__ import annotations

import pytest

from bot.search import SearchIndex, search
from bot.store.areas import load_areas

FRAMES = [
    "who proposed a low-altitude economy strategy?",
    "is there any proposal on low-altitude economy",
    "is there any proposal about low-altitude economy?",
    "what did they say about low-altitude economy",
    "has anyone suggested a low-altitude economy plan?",
    "any ideas on low-altitude economy?",
]


@pytest.mark.parametrize("question", FRAMES)
def test_question_frames_find_what_the_bare_keyword_finds(
    search_index: SearchIndex, question: str
) -> None:
    bare = [r.record.id for r in search(search_index, "low-altitude economy").results]
    assert bare
    asked = [r.record.id for r in search(search_index, question).results]
    assert asked[:1] == bare[:1]


def test_an_english_query_keeps_its_second_concept(search_index: SearchIndex) -> None:
    talent = search(search_index, "talent").total
    visa = search(search_index, "talent visa", limit=100)
    assert 0 < visa.total < talent
    held = [r.record.title + r.record.text + r.record.refs_text for r in visa.results]
    assert all("簽證" in text for text in held)
    assert "人才" in held[0]


def test_an_unknown_english_word_counts_against_records(search_index: SearchIndex) -> None:
    assert search(search_index, "talent").total > 0
    assert search(search_index, "talent xyzzy").total == 0


def test_suggestions_name_areas_in_the_readers_language(search_index: SearchIndex) -> None:
    chinese = search(search_index, "tourizm")
    english = search(search_index, "tourizm", language="en")
    assert chinese.total == english.total == 0
    zh_names = {area.zh for area in load_areas()}
    en_names = {area.en for area in load_areas()}
    assert chinese.suggestions and set(chinese.suggestions) <= zh_names
    assert english.suggestions and set(english.suggestions) <= en_names


def test_a_suggestion_must_find_something_related(search_index: SearchIndex) -> None:
    # Once an area fuzzily like the whole sentence ("Trade") was offered for this question.
    answer = search(search_index, "who proposed a xyzzy strategy?")
    names = {name for area in load_areas() for name in (area.zh, area.en)}
    assert not set(answer.suggestions) & names
    for suggestion in search(search_index, "tourizm").suggestions:
        assert search(search_index, suggestion).results
