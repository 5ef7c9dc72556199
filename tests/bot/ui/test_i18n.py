"""Both catalogues have the same keys and placeholders; language choice rules."""

from __future__ import annotations

import string

import pytest

from bot.ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue, html, pick_language, t


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_same_keys_and_placeholders() -> None:
    default = catalogue(DEFAULT_LANGUAGE)
    for language in LANGUAGES:
        other = catalogue(language)
        assert set(other) == set(default), language
        for key, text in default.items():
            assert _placeholders(other[key]) == _placeholders(text), (language, key)


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
