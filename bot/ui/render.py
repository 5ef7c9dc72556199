"""Text → Telegram HTML: escaping, highlighting as <b>, snippets, and splitting into messages that
stay within Telegram's 4096-character limit (counted in UTF-16 units after entity parsing).

The one place that produces markup. Everything from the corpus or from users is escaped here;
only catalogue strings whose key ends in `_html` are trusted markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.text import ELLIPSIS, prefix_within, utf16_len

MESSAGE_LIMIT = 4096
# Where a long text may be cut, best first: paragraph, sentence, clause, space.
_BREAKS = (
    re.compile(r"\n"),
    re.compile(r"[。！？!?；;]"),
    re.compile(r"[，、,：:]"),
    re.compile(r"\s"),
)
_TAG = re.compile(r"<[^>]*>")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def escape(text: str) -> str:
    """Escape text for Telegram HTML (only <, > and & are special); a lone surrogate, which no
    valid UTF-8 can carry, becomes U+FFFD instead of failing the whole message."""
    return html.escape(_LONE_SURROGATE.sub("\ufffd", text), quote=False)


def bold(text: str) -> str:
    """Plain text, escaped, in bold."""
    return f"<b>{escape(text)}</b>"


def italic(text: str) -> str:
    """Plain text, escaped, in italics."""
    return f"<i>{escape(text)}</i>"


def pre(text: str) -> str:
    """Plain text, escaped, as a preformatted block."""
    return f"<pre>{escape(text)}</pre>"


def link(url: str, label_html: str) -> str:
    """A link around a label that is already markup (escape a plain label first)."""
    return f'<a href="{escape(url)}">{label_html}</a>'


def plain_of(markup: str) -> str:
    """The text a piece of our markup shows (tags removed, entities decoded)."""
    return html.unescape(_TAG.sub("", markup))


def highlight(text: str, spans: Iterable[tuple[int, int]] = ()) -> str:
    """Escaped text with each [start, end) span in bold (overlaps merged, out-of-range ignored)."""
    pieces: list[str] = []
    cursor = 0
    for start, end in _clean_spans(spans, len(text)):
        pieces += [escape(text[cursor:start]), "<b>", escape(text[start:end]), "</b>"]
        cursor = end
    pieces.append(escape(text[cursor:]))
    return "".join(pieces)


def _clean_spans(spans: Iterable[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(size, e)) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(
    text: str,
    spans: Sequence[tuple[int, int]] = (),
    width: int = 90,
    focus: tuple[int, int] | None = None,
) -> str:
    """A one-line excerpt of about `width` characters, highlighted: from the start of `focus` (a
    sentence to show) when given, moved on if the longest highlight in it would not fit; else
    around the first highlight."""
    flat = text.replace("\n", " ")
    if focus is not None:
        inside = [(s, e) for s, e in spans if focus[0] <= s < focus[1]]
        anchor = focus[0]
        if inside:
            longest = max(inside, key=lambda span: span[1] - span[0])
            if longest[1] > anchor + width:
                anchor = longest[0] - width // 4
    else:
        anchor = min((start for start, _ in spans), default=0) - width // 4
    start = max(0, min(anchor, len(flat) - width))
    end = min(len(flat), start + width)
    local = [(s - start, e - start) for s, e in spans if s < end and e > start]
    body = highlight(flat[start:end], local)
    return (ELLIPSIS if start > 0 else "") + body + (ELLIPSIS if end < len(flat) else "")


@dataclass(frozen=True)
class Button:
    """A neutral inline-keyboard button: exactly one of the actions is set."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    switch_inline_query: str | None = None  # share: pick a chat, then inline query
    switch_inline_query_current_chat: str | None = None
    web_app: str | None = None  # the HTTPS URL of a Mini App page (private chats only)


@dataclass(frozen=True)
class Message:
    """One outgoing message: HTML text and button rows."""

    html: str
    buttons: tuple[tuple[Button, ...], ...] = field(default=())


def split_text(text: str, limit: int) -> list[str]:
    """Cut plain text into pieces of at most `limit` UTF-16 units, at the best break available."""
    pieces: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        window = prefix_within(rest, limit)
        cut = _best_cut(window)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _best_cut(window: str) -> int:
    floor = len(window) // 2  # never cut so early that pieces get tiny
    for pattern in _BREAKS:
        ends = [match.end() for match in pattern.finditer(window) if match.end() > floor]
        if ends:
            return ends[-1]
    return max(1, len(window))


def split_highlighted(
    text: str, spans: Sequence[tuple[int, int]], limit: int = MESSAGE_LIMIT
) -> list[str]:
    """A long text as highlighted markup pieces, each within `limit` once parsed."""
    pieces: list[str] = []
    offset = 0
    for piece in split_text(text, limit):
        local = [
            (s - offset, e - offset) for s, e in spans if s < offset + len(piece) and e > offset
        ]
        pieces.append(highlight(piece, local))
        offset += len(piece)
    return pieces


def pack(blocks: Sequence[str], limit: int = MESSAGE_LIMIT, separator: str = "\n") -> list[str]:
    """Join markup blocks into as few messages as fit; a block longer than a message is split.

    Each block must be self-contained markup (no tag open across blocks)."""
    messages: list[str] = []
    current, current_len = "", 0
    for block in blocks:
        for part in _fit(block, limit):
            part_len = utf16_len(plain_of(part))
            joined_len = current_len + utf16_len(separator) + part_len if current else part_len
            if current and joined_len > limit:
                messages.append(current)
                current, current_len = part, part_len
            else:
                current = current + separator + part if current else part
                current_len = joined_len
    if current:
        messages.append(current)
    return messages


def _fit(block: str, limit: int) -> list[str]:
    """A block as is, or, if too long, its plain text split and re-escaped (bold is kept for
    blocks that are bold throughout)."""
    plain = plain_of(block)
    if utf16_len(plain) <= limit:
        return [block]
    in_bold = block.startswith("<b>") and block.endswith("</b>") and block.count("<b>") == 1
    pieces = split_text(plain, limit)
    return [bold(piece) if in_bold else escape(piece) for piece in pieces]
