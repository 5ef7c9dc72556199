"""Message text and captions as Telegram processes them: parse mode, cleaning, length limits.

Order (Bot API server, then TDLib, then Telegram's servers): an empty string is "Message text
is empty"; over 32 KiB of source is "Text is too long"; the parse mode is applied (HTML in
full; "Markdown"/"MarkdownV2" are accepted but not parsed by this fake); control characters
are cleaned and spaces/line feeds trimmed; an empty result is "Text must be non-empty"; the
limit (4096 UTF-16 units for texts, 1024 for captions) is checked on the *parsed* text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .html import HtmlParseError, parse_html
from .text import Entity, clean_and_trim, sort_entities, utf16_len

MAX_SOURCE_BYTES = 1 << 15


class FormatError(ValueError):
    """A text that Telegram refuses, with the server's detail ("Message is too long")."""


@dataclass(frozen=True)
class TextRule:
    """Where a text goes: its length limit and the wording of its errors."""

    limit: int
    empty: str | None  # None: an empty text is allowed (and means "no text")
    too_long: str


MESSAGE_TEXT = TextRule(4096, "Message text is empty", "Message is too long")
CAPTION = TextRule(1024, None, "Message caption is too long")
INLINE_MESSAGE_TEXT = TextRule(4096, "Message text is empty", "MESSAGE_TOO_LONG")
CALLBACK_ANSWER = TextRule(200, None, "MESSAGE_TOO_LONG")


@dataclass
class FormattedText:
    """A processed text: what recipients see, its entities, and the source as sent."""

    text: str
    entities: list[Entity] = field(default_factory=list)
    source: str = ""
    parse_mode: str | None = None

    def entity_dicts(self) -> list[dict[str, Any]]:
        """The entities as Bot API ``MessageEntity`` objects."""
        return [entity.to_dict() for entity in self.entities]


def format_text(
    source: str | None,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    rule: TextRule,
) -> FormattedText | None:
    """Process a text; return None for an allowed empty text; raise ``FormatError``."""
    if not source:
        if rule.empty is None:
            return None
        raise FormatError(rule.empty)
    try:
        size = len(source.encode("utf-8"))
    except UnicodeEncodeError:
        raise FormatError("Strings must be encoded in UTF-8") from None
    if size > MAX_SOURCE_BYTES:
        raise FormatError("Text is too long")
    text, parsed = _apply_parse_mode(source, parse_mode, entities)
    text, parsed = clean_and_trim(text, parsed)
    if not text:
        if rule.empty is None:
            return None
        raise FormatError("Text must be non-empty")
    if utf16_len(text) > rule.limit:
        raise FormatError(rule.too_long)
    return FormattedText(text, parsed, source, parse_mode or None)


def _apply_parse_mode(
    source: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
) -> tuple[str, list[Entity]]:
    mode = (parse_mode or "").lower()
    if mode in ("", "none"):
        return source, sort_entities([_entity(item) for item in entities or ()])
    if mode == "html":
        try:
            return parse_html(source)
        except HtmlParseError as error:
            raise FormatError(f"Can't parse entities: {error}") from None
    if mode in ("markdown", "markdownv2"):
        return source, []  # accepted, not parsed by this fake
    raise FormatError("Unsupported parse_mode")


def _entity(item: dict[str, Any]) -> Entity:
    extra = {key: value for key, value in item.items() if key not in ("type", "offset", "length")}
    return Entity(str(item["type"]), int(item["offset"]), int(item["length"]), extra)
