"""The languages the bot speaks; the catalogues in bot/ui/locales/ have one file each."""

from __future__ import annotations

DEFAULT_LANGUAGE = "zh-Hant-HK"
LANGUAGES = (DEFAULT_LANGUAGE, "en")
