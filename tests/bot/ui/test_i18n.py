"""Both catalogues have the same keys and placeholders; language choice rules."""

from __future__ import annotations

import re
import string

import pytest

from bot.ui.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Text,
    catalogue,
    html,
    pick_language,
    plural_category,
    t,
)


def _placeholders(text: Text) -> set[str]:
    forms = [text] if isinstance(text, str) else list(text.values())
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


def test_same_keys_and_placeholders() -> None:
    default = catalogue(DEFAULT_LANGUAGE)
    for language in LANGUAGES:
        other = catalogue(language)
        assert set(other) == set(default), language
        for key, text in default.items():
            plural = isinstance(text, dict)
            assert isinstance(other[key], dict) == plural, (language, key, "plural in one only")
            assert _placeholders(other[key]) == _placeholders(text), (language, key)


def test_plural_texts_have_exactly_the_forms_their_language_uses() -> None:
    plurals = 0
    for language in LANGUAGES:
        used = {plural_category(language, count) for count in range(1000)}
        for key, text in catalogue(language).items():
            if isinstance(text, dict):
                plurals += 1
                assert set(text) == used, (language, key)
                for form in text.values():
                    assert "count" in _placeholders(form), (language, key, form)
    assert plurals >= 2 * 10


# "{n} <noun>s" in a plain English text reads "1 proposals" when n is 1: such a text must be a
# plural. A text about something too long counts past a limit of at least one, never one.
_COUNTED_NOUN = re.compile(r"\{(\w+)\}(?:</b>)? (?:[a-z]+ )?[a-z]{2,}s\b")
_NEVER_ONE = {
    "admin.broadcast_too_long",
    "upload.errors.too_long",
    "follow.too_long",  # a fixed limit (200), never 1
    "follow.full",  # a fixed limit (20)
    "miniapp.topics_full",  # the same limit
}
_WORDS = {"field"}  # placeholders that hold a word ("--title / title: contains …"), not a number


def test_no_english_count_without_plural_forms() -> None:
    for key, text in catalogue("en").items():
        if isinstance(text, str) and key not in _NEVER_ONE:
            counted = [m.group(1) for m in _COUNTED_NOUN.finditer(text)]
            assert not [name for name in counted if name not in _WORDS], key


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("en", 0, "0 organisations"),
        ("en", 1, "1 organisation"),
        ("en", 2, "2 organisations"),
        ("zh-Hant-HK", 0, "0 個組織"),
        ("zh-Hant-HK", 1, "1 個組織"),
        ("zh-Hant-HK", 2, "2 個組織"),
    ],
)
def test_plural_form_by_count(language: str, count: int, expected: str) -> None:
    assert t(language, "compare.organisations", count=count) == expected


def test_plural_text_needs_a_count() -> None:
    with pytest.raises(TypeError, match="count"):
        t("en", "compare.organisations")


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [
        (None, None, "zh-Hant-HK"),
        (None, "zh-hant", "zh-Hant-HK"),
        (None, "zh-hans", "zh-Hant-HK"),
        (None, "en", "en"),
        (None, "en-GB", "en"),
        ("zh-Hant-HK", "en", "zh-Hant-HK"),
        ("en", "zh-hk", "en"),
        ("xx", "en", "en"),
    ],
)
def test_pick_language(stored: str | None, telegram: str | None, expected: str) -> None:
    assert pick_language(stored, telegram) == expected


def test_parameters_escaped_in_markup() -> None:
    shown = t("en", "search.no_results_html", query="<script>")
    assert "&lt;script&gt;" in shown
    assert html("en", "search.empty_query").startswith("Type")
