"""Message catalogues (bot/ui/locales/<lang>.yaml) and language choice.

Keys are namespaced (`search.no_results`); a key ending in `_html` holds trusted markup, every
other value is plain text and is escaped when it is placed in a message. Parameters are filled
with str.format, and parameter values are escaped for `_html` keys.

A text that depends on a number is a mapping of plural forms (`one`, `other`: the CLDR
categories) chosen by the `count` parameter with the language's rule; a language whose nouns do
not change with the number (Chinese) gives only `other`. The key is the same in every language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.core.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.ui.render import escape

_LOCALES = Path(__file__).resolve().parent / "locales"


PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
Plural = dict[str, str]  # CLDR plural category → template
Text = str | Plural


def plural_category(language: str, count: int) -> str:
    """The CLDR plural category of `count` in `language` (Chinese: always `other`)."""
    if language == "en":
        return "one" if count == 1 else "other"
    return "other"


@cache
def catalogue(language: str) -> dict[str, Text]:
    """Every key of one language, flattened (`search.no_results`); plural texts stay mappings."""
    with (_LOCALES / f"{language}.yaml").open(encoding="utf-8") as handle:
        return _flatten(yaml.safe_load(handle))


def _is_plural(value: dict[Any, Any]) -> bool:
    return "other" in value and set(value) <= PLURAL_CATEGORIES


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Text]:
    flat: dict[str, Text] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and _is_plural(value):
            flat[name] = {form: str(text) for form, text in value.items()}
        elif isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


def pick_language(stored: str | None, telegram_code: str | None) -> str:
    """A stored choice wins; otherwise English for an English Telegram client, else zh-Hant-HK."""
    if stored in LANGUAGES:
        return stored
    if telegram_code and telegram_code.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def t(language: str, key: str, **params: object) -> str:
    """The text of `key` in `language` (falling back to the default language); a plural text
    takes the form for the `count` parameter."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    text = catalogue(language).get(key)
    if not text:
        language, text = DEFAULT_LANGUAGE, catalogue(DEFAULT_LANGUAGE)[key]
    template = text if isinstance(text, str) else _form(language, key, text, params)
    if key.endswith("_html"):
        params = {name: escape(str(value)) for name, value in params.items()}
    return template.format(**params) if params else template


def _form(language: str, key: str, forms: Plural, params: dict[str, object]) -> str:
    count = params.get("count")
    if not isinstance(count, int):
        raise TypeError(f"{key} is a plural text: it needs an integer count parameter")
    return forms.get(plural_category(language, count)) or forms["other"]


def html(language: str, key: str, **params: object) -> str:
    """The text of `key` as markup: `_html` keys as they are, plain keys escaped."""
    text = t(language, key, **params)
    return text if key.endswith("_html") else escape(text)
