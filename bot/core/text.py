"""Plain-text lengths as Telegram counts them (UTF-16 units) and the one clipping helper: every
layer that shortens a text a reader will see (search snippets, ingest previews, replies) uses
these, so nothing is cut by characters in one place and by UTF-16 units in another."""

from __future__ import annotations

ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clip(text: str, limit: int, *, one_line: bool = False) -> str:
    """Plain text cut to at most `limit` UTF-16 units (Telegram's count), ending in "…" when
    cut; with `one_line`, every run of whitespace (line breaks included) first becomes one
    space. The one clipping helper: clip before escaping, so markup is never cut."""
    if one_line:
        text = " ".join(text.split())
    if utf16_len(text) <= limit:
        return text
    if limit < 1:
        return ""
    return prefix_within(text, limit - 1).rstrip() + ELLIPSIS


def prefix_within(text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` UTF-16 units."""
    count = 0
    for index, char in enumerate(text):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > limit:
            return text[:index]
    return text
