"""The search vocabulary read from data/: every entry folded once, synonyms resolving both ways,
organisation and area names mapped to what the store keeps."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.resources import load_yaml
from bot.search.lexicon import Lexicon, load_lexicon
from bot.search.normalize import fold_text
from bot.store.areas import load_areas

SYNONYMS: dict[str, Any] = load_yaml("synonyms.yaml")


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def folded(term: object) -> str:
    return fold_text(str(term)).strip()


def test_every_synonym_group_resolves_both_ways(lexicon: Lexicon) -> None:
    assert SYNONYMS["groups"]
    for group in SYNONYMS["groups"]:
        members = {folded(term) for term in group}
        for member in members:
            assert members <= lexicon.expansions(member), group


def test_traditional_simplified_and_english_names_meet(lexicon: Lexicon) -> None:
    north = {"北部都会区", "北都", "northern metropolis"}
    assert north <= lexicon.expansions(fold_text("北都"))
    assert north <= lexicon.expansions(fold_text("北部都會區"))  # as the documents write it
    assert north <= lexicon.expansions(fold_text("Northern Metropolis"))


def test_glossary_translates_english_one_way(lexicon: Lexicon) -> None:
    for english, targets in SYNONYMS["glossary"].items():
        assert {folded(target) for target in targets} <= lexicon.expansions(folded(english))
    # A translation also brings its Chinese synonyms; the Chinese term does not bring the English.
    assert {"创科", "创新科技", "科创"} <= lexicon.expansions("innovation and technology")
    assert "innovation and technology" not in lexicon.expansions("创新科技")


def test_organisation_names_map_to_the_stored_short_name(lexicon: Lexicon) -> None:
    for short, aliases in SYNONYMS["orgs"].items():
        for name in [short, *aliases]:
            assert lexicon.orgs[folded(name)] == folded(short)
    manifest = load_yaml("sources/manifest.yaml")["documents"]
    stored = {folded(entry["org_short"]) for entry in manifest}
    assert set(lexicon.orgs.values()) == stored  # every code is an organisation of the corpus
    assert lexicon.orgs["fhki"] == lexicon.orgs[fold_text("香港工業總會")] == fold_text("工總")


def test_area_names_map_to_their_id(lexicon: Lexicon) -> None:
    for area in load_areas():
        for name in (area.id, area.zh, area.en):
            assert lexicon.areas[folded(name)] == area.id


@pytest.mark.parametrize("word", ["完全无关字串", "zzqx", "氢"])  # folded, as queries reach it
def test_unknown_words_pass_through(lexicon: Lexicon, word: str) -> None:
    assert lexicon.expansions(word) == {word}
    assert word not in lexicon.orgs and word not in lexicon.areas


def test_phrases_are_known_terms_longest_first(lexicon: Lexicon) -> None:
    phrases = lexicon.phrases()
    assert all(len(term) >= 2 for term in phrases)
    assert [len(term) for term in phrases] == sorted((len(term) for term in phrases), reverse=True)
    assert {"北都", "gba", "fhki", "innovation and technology"} <= set(phrases)


def test_stop_words(lexicon: Lexicon) -> None:
    stop = load_yaml("stopwords.yaml")
    phrases = lexicon.stop_phrases
    assert set(phrases) == {folded(phrase) for phrase in stop["query_stop_phrases"]}
    assert [len(p) for p in phrases] == sorted((len(p) for p in phrases), reverse=True)
    assert lexicon.stop_words == set(lexicon.stop_phrases) | lexicon.stop_chars
    assert "?" in lexicon.stop_chars and "i would like to know" in lexicon.stop_words


def test_an_empty_lexicon_knows_nothing() -> None:
    empty = Lexicon()
    assert empty.expansions("北都") == {"北都"}
    assert empty.phrases() == [] and empty.stop_words == frozenset()
