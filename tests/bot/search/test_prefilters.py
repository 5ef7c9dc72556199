"""The cheap filters in front of substring and expression tests answer exactly what the plain
loops they replaced answered: each is checked against that loop, kept here as the reference."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.index import SearchIndex
from bot.search.lexicon import Lexicon, load_lexicon
from bot.search.match import DIRECT_TESTS, _worth_testing
from bot.search.normalize import fold
from bot.search.passage import _occurrences, _occurrences_in, _pattern, shared_grams
from bot.search.phrases import EnglishPhrases, WholePhrase
from bot.search.prefilter import ByFirstCharacter
from bot.search.query import extract_orgs, remove_stop_phrases
from bot.search.segment import grams

LEXICON = load_lexicon()
ENGLISH = [t for t in LEXICON.phrases() if t.isascii() and " " in t]
# Text made of the vocabulary's own pieces, so that matches (and near misses) are common.
PIECES = (
    [word for phrase in ENGLISH[:80] for word in phrase.split()]
    + list(LEXICON.chinese_stop_phrases[:60])
    + [alias for alias, _, _ in LEXICON.org_patterns[:60]]
    + ["a", "s", "-", "'", ",", "3,000", "3000", "30", "，", "？", "青年", "房屋", "x", "1"]
)
texts = st.lists(st.sampled_from(PIECES), max_size=12).flatmap(
    lambda words: st.lists(
        st.sampled_from(["", " ", "  ", "的"]), min_size=len(words), max_size=len(words)
    ).map(lambda gaps: "".join(g + w for g, w in zip(gaps, words, strict=True)))
)


def _spot_every_phrase(terms: list[str], text: str) -> tuple[list[str], str]:
    """The loop EnglishPhrases replaced: every phrase, in order."""
    found = []
    for term in terms:
        phrase = WholePhrase(term)
        if term in text and phrase.search(text):
            found.append(term)
            text = phrase.sub(" ", text)
    return found, text


@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_english_phrases_spot_what_trying_every_phrase_spots(text: str) -> None:
    text = f" {text.lower()} "
    assert EnglishPhrases(ENGLISH).spot(text) == _spot_every_phrase(ENGLISH, text)


@settings(max_examples=200, deadline=None)
@given(
    terms=st.lists(st.text(alphabet="ab -'1", min_size=1, max_size=6), max_size=8),
    text=st.text(alphabet="ab -'1x", max_size=30),
)
def test_english_phrases_of_any_shape(terms: list[str], text: str) -> None:
    # Phrases that start or end with a sign, or hold no letter at all, are still found.
    assert EnglishPhrases(terms).spot(text) == _spot_every_phrase(terms, text)


def test_a_longer_phrase_is_cut_before_the_shorter_one_inside_it() -> None:
    phrases = EnglishPhrases(["belt and road initiative", "belt and road"])
    assert phrases.spot(" the belt and road initiative ") == (
        ["belt and road initiative"],
        " the   ",
    )
    assert phrases.spot(" a belt and roadside ") == ([], " a belt and roadside ")


@settings(max_examples=300, deadline=None)
@given(
    strings=st.lists(st.text(alphabet="ab青年 ", max_size=3), max_size=10),
    text=st.text(alphabet="ab青年 x", max_size=12),
)
def test_by_first_character_keeps_every_string_the_text_holds(
    strings: list[str], text: str
) -> None:
    candidates = ByFirstCharacter(strings).candidates(text)
    assert candidates == sorted(set(candidates))
    assert {n for n, s in enumerate(strings) if s in text} <= set(candidates)


def _cut_every_stop_phrase(folded: str) -> str:
    """The stop-phrase cut before it looked only at phrases whose first character is there."""
    cut = bytearray(len(folded))
    for phrase in LEXICON.chinese_stop_phrases:
        found = folded.find(phrase)
        while found >= 0:
            cut[found : found + len(phrase)] = b"\x01" * len(phrase)
            found = folded.find(phrase, found + 1)
    if any(cut):
        folded = "".join(" " if gone else char for char, gone in zip(folded, cut, strict=True))
    folded = folded.translate(LEXICON.stop_char_spaces)
    folded = re.sub(r"[^\w+&.'\-]+", " ", folded)
    return " ".join(folded.split())


def _extract_every_org(folded: str, lexicon: Lexicon = LEXICON) -> tuple[str, set[str]]:
    """The loop `extract_orgs` replaced: every alias, in order."""
    found = set()
    for alias, pattern, short in lexicon.org_patterns:
        if alias in folded and pattern.search(folded):
            found.add(short)
            folded = pattern.sub(" ", folded)
    return folded, found


@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_stop_phrases_and_organisations_as_trying_all_of_them(text: str) -> None:
    folded = fold(text).text
    assert remove_stop_phrases(folded, LEXICON) == _cut_every_stop_phrase(folded)
    assert extract_orgs(folded, LEXICON) == _extract_every_org(folded)


@settings(max_examples=400, deadline=None)
@given(
    term=st.sampled_from(["青年", "年", "房屋", "3000", "30", "a", "ab", "a-b", "b'a", "1"]),
    text=st.text(alphabet="青年房屋ab-'1,30 x", max_size=30),
)
def test_terms_are_found_where_their_expression_finds_them(term: str, text: str) -> None:
    expression = re.compile(_pattern(term))
    folded = fold(text)
    assert _occurrences_in(folded.text, term) == (expression.search(folded.text) is not None)
    assert _occurrences(folded, term) == [
        folded.span(m.start(), m.end()) for m in expression.finditer(folded.text)
    ]


@settings(max_examples=400, deadline=None)
@given(
    query=st.text(alphabet="青年房屋 ab", max_size=10),
    text=st.text(alphabet="青年房屋 ab，", max_size=30),
)
def test_grams_shared_with_a_sentence_as_by_making_its_grams(query: str, text: str) -> None:
    wanted = set(grams(query))
    assert shared_grams(wanted, text) == len(wanted & set(grams(text)))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_candidate_holding_the_text_is_tested(
    search_index: SearchIndex, data: st.DataObject
) -> None:
    # Few candidates are tested directly, many are narrowed by postings first: either way no
    # record that holds the text is left out.
    size = len(search_index)
    chosen = data.draw(st.lists(st.integers(0, size - 1), max_size=size, unique=True))
    candidates = np.zeros(size, dtype=bool)
    candidates[chosen] = True
    position = data.draw(st.integers(0, size - 1))
    text = search_index.folded_texts[position]
    start = data.draw(st.integers(0, max(len(text) - 2, 0)))
    folded = text[start : start + data.draw(st.integers(1, 6))]
    tested = _worth_testing(search_index, candidates, folded)
    assert tested == sorted(tested) and set(tested) <= set(chosen)
    holding = {
        p
        for p in chosen
        if folded in search_index.folded_titles[p] or folded in search_index.folded_texts[p]
    }
    assert holding <= set(tested)
    assert len(chosen) > DIRECT_TESTS or set(tested) == set(chosen)


@settings(max_examples=300, deadline=None)
@given(
    aliases=st.lists(st.text(alphabet="ab x", min_size=1, max_size=4), max_size=6),
    text=st.text(alphabet="ab xy", max_size=16),
)
def test_organisations_of_any_shape_as_trying_all_of_them(aliases: list[str], text: str) -> None:
    # Aliases that overlap, or begin with a space a cut leaves behind, are found all the same.
    lexicon = Lexicon(orgs={alias: f"org{n}" for n, alias in enumerate(aliases)})
    assert extract_orgs(text, lexicon) == _extract_every_org(text, lexicon)
