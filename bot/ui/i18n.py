"""Message catalogues (bot/ui/locales/<lang>.yaml) and language choice.

Keys are namespaced (`search.no_results`); a key ending in `_html` holds trusted markup, every
other value is plain text and is escaped when it is placed in a message. Parameters are filled
with str.format, and parameter values are escaped for `_html` keys.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.core.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.ui.render import escape

_LOCALES = Path(__file__).resolve().parent / "locales"


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every key of one language, flattened (`search.no_results`)."""
    with (_LOCALES / f"{language}.yaml").open(encoding="utf-8") as handle:
        return _flatten(yaml.safe_load(handle))


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
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
    """The text of `key` in `language` (falling back to the default language)."""
    texts = catalogue(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    template = texts.get(key) or catalogue(DEFAULT_LANGUAGE)[key]
    if key.endswith("_html"):
        params = {name: escape(str(value)) for name, value in params.items()}
    return template.format(**params) if params else template


def html(language: str, key: str, **params: object) -> str:
    """The text of `key` as markup: `_html` keys as they are, plain keys escaped."""
    text = t(language, key, **params)
    return text if key.endswith("_html") else escape(text)
