"""Telegram's ``parse_mode=HTML`` parser: plain text plus entities, or Telegram's error wording.

This follows TDLib's ``parse_html`` (which the Bot API server runs for ``parse_mode=HTML``):

* tags: b/strong, i/em, u/ins, s/strike/del, tg-spoiler, span class="tg-spoiler", a href,
  code (class="language-x" inside pre), pre, blockquote [expandable], tg-emoji emoji-id, tg-time;
  tag and attribute names are matched case-insensitively, unknown attributes are ignored;
* character references: only ``&lt; &gt; &amp; &quot;`` and numeric ones (``&#60; &#x3C;``),
  the ";" being optional; any other "&" is kept as a literal "&" (this is not an error);
* a "<" that does not start a tag is an error ("Unsupported start tag "" at byte offset N");
* byte offsets in errors count UTF-8 bytes of the source; entity offsets count UTF-16 units;
* empty entities are dropped; ``<a>`` with an invalid URL yields no entity.

Errors raise ``HtmlParseError`` with TDLib's message; the Bot API shows them as
``Bad Request: can't parse entities: <message>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import Entity, sort_entities
from .urls import UrlError, check_link, link_user_id

ALLOWED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
        "tg-emoji", "tg-time", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SPACES = frozenset(b" \t\r\n\x00\x0b")  # TDLib's is_space, which also counts NUL
_NAMED = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_LT, _GT, _AMP, _SLASH, _EQ = (ord(c) for c in "<>&/=")
_QUOTES = frozenset(b"\"'")


class HtmlParseError(ValueError):
    """A parse failure, with TDLib's message ("Unsupported start tag "foo" at byte offset 0")."""


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into ``(plain_text, entities)``; raise ``HtmlParseError``."""
    return _Parser(source.encode("utf-8", "surrogatepass")).parse()


def _is_alnum(byte: int) -> bool:
    return chr(byte).isascii() and chr(byte).isalnum()


def _encode(code: int) -> bytes:
    return chr(code).encode("utf-8", "surrogatepass")


@dataclass
class _Open:
    tag: str
    argument: str
    date: int
    utf16_offset: int
    out_pos: int


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.out = bytearray()
        self.utf16 = 0
        self.entities: list[Entity] = []
        self.stack: list[_Open] = []
        self.has_surrogates = False

    def at(self, index: int) -> int:
        """The byte at ``index``, or 0 past the end (the C string terminator TDLib sees)."""
        return self.data[index] if index < len(self.data) else 0

    def parse(self) -> tuple[str, list[Entity]]:
        index = 0
        while index < len(self.data):
            byte = self.data[index]
            if byte == _AMP:
                code, end = self.decode_reference(index)
                if code:
                    self.append_code(code)
                    index = end
                    continue
            if byte != _LT:
                if byte & 0xC0 != 0x80:
                    self.utf16 += 2 if byte >= 0xF0 else 1
                self.out.append(byte)
                index += 1
                continue
            index = self.end_tag(index) if self.at(index + 1) == _SLASH else self.start_tag(index)
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        return self.result()

    def result(self) -> tuple[str, list[Entity]]:
        for entity in self.entities:
            if entity.type == "code":
                entity.extra.pop("language", None)
        try:
            text = self.out.decode("utf-8")
        except UnicodeDecodeError:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, check "
                "for unmatched surrogate code units"
            ) from None
        return text, sort_entities(self.entities)

    def decode_reference(self, pos: int) -> tuple[int, int]:
        """Decode a character reference at ``pos`` ("&"): ``(code point, end)`` or ``(0, pos)``."""
        end = pos + 1
        if self.at(end) == ord("#"):
            end += 1
            base, digits = (16, "0123456789abcdefABCDEF") if self.at(end) == ord("x") else (10, "")
            if base == 16:
                end += 1
            else:
                digits = "0123456789"
            start = end
            while self.at(end) and chr(self.at(end)) in digits:
                end += 1
            code = int(self.data[start:end], base) if end > start else 0
            if code == 0 or code >= 0x10FFFF or end - pos >= 10:
                return 0, pos
        else:
            while chr(self.at(end)).isascii() and chr(self.at(end)).isalpha():
                end += 1
            code = _NAMED.get(bytes(self.data[pos + 1 : end]), 0)
            if not code:
                return 0, pos
        return code, end + 1 if self.at(end) == ord(";") else end

    def append_code(self, code: int) -> None:
        self.utf16 += 2 if code > 0xFFFF else 1
        self.out += _encode(code)

    def skip_spaces(self, index: int) -> int:
        while self.at(index) and self.at(index) in _SPACES:
            index += 1
        return index

    def start_tag(self, begin: int) -> int:
        index = begin + 1
        while self.at(index) not in _SPACES and self.at(index) != _GT:
            index += 1
        if self.at(index) == 0:
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        tag = self.data[begin + 1 : index].lower().decode("utf-8", "replace")
        if tag not in ALLOWED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
        opened = _Open(tag, "", 0, self.utf16, len(self.out))
        while self.at(index) != _GT:
            index = self.skip_spaces(index)
            if self.at(index) == _GT:
                break
            index = self.attribute(index, begin, opened)
        if tag == "span" and opened.argument != "spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.stack.append(opened)
        return index + 1

    def attribute(self, index: int, begin: int, opened: _Open) -> int:
        """Parse one attribute starting at ``index``; return the index after it."""
        tag = opened.tag
        name_begin = index
        while self.at(index) not in _SPACES and self.at(index) not in b"=>/\"'":
            index += 1
        name = bytes(self.data[name_begin:index])
        if not name:
            raise HtmlParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        index = self.skip_spaces(index)
        if self.at(index) != _EQ:
            if self.at(index) == 0:
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and name == b"expandable":
                opened.argument = "1"
            return index
        index = self.skip_spaces(index + 1)
        if self.at(index) == 0:
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        if self.at(index) in _QUOTES:
            value, index = self.quoted_value(index)
        else:
            token_begin = index
            while _is_alnum(self.at(index)) or self.at(index) in b".-":
                index += 1
            value = self.data[token_begin:index].lower().decode("utf-8", "replace")
            if self.at(index) not in _SPACES and self.at(index) != _GT:
                raise HtmlParseError(f"Unexpected end of name token at byte offset {token_begin}")
        if self.at(index) == 0:
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        _apply_attribute(opened, name.decode("utf-8", "replace"), value)
        return index

    def quoted_value(self, index: int) -> tuple[str, int]:
        quote = self.at(index)
        index += 1
        value = bytearray()
        while self.at(index) != quote and self.at(index) != 0:
            if self.at(index) == _AMP:
                code, end = self.decode_reference(index)
                if code:
                    value += _encode(code)
                    index = end
                    continue
            value.append(self.at(index))
            index += 1
        if self.at(index) == quote:
            index += 1
        return value.decode("utf-8", "replace"), index

    def end_tag(self, begin: int) -> int:
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        index = begin + 1
        while self.at(index) not in _SPACES and self.at(index) != _GT:
            index += 1
        name = self.data[begin + 2 : index].lower().decode("utf-8", "replace")
        index = self.skip_spaces(index)
        if self.at(index) != _GT:
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        opened = self.stack[-1]
        if name and name != opened.tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.tag}>", '
                f'found "</{name}>"'
            )
        if self.utf16 > opened.utf16_offset:
            self.close(opened)
        self.stack.pop()
        return index + 1

    def close(self, opened: _Open) -> None:
        offset, length = opened.utf16_offset, self.utf16 - opened.utf16_offset
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last.offset, last.length) == (offset, length)
        if opened.tag in _SIMPLE:
            self.entities.append(Entity(_SIMPLE[opened.tag], offset, length))
        elif opened.tag == "a":
            self.close_link(opened, offset, length)
        elif opened.tag == "pre":
            if same_span and last is not None and last.type == "code" and "language" in last.extra:
                last.type = "pre"  # <pre><code class="language-x">...</code></pre>
            else:
                self.entities.append(Entity("pre", offset, length))
        elif opened.tag == "code":
            pre_without_language = last is not None and last.type == "pre" and not last.extra
            if same_span and pre_without_language and opened.argument and last is not None:
                last.extra["language"] = opened.argument
            else:
                extra = {"language": opened.argument} if opened.argument else {}
                self.entities.append(Entity("code", offset, length, extra))
        elif opened.tag == "blockquote":
            kind = "expandable_blockquote" if opened.argument else "blockquote"
            self.entities.append(Entity(kind, offset, length))
        elif opened.tag == "tg-emoji":
            if not opened.argument.lstrip("-").isdigit() or int(opened.argument) == 0:
                raise HtmlParseError("Invalid custom emoji identifier specified")
            extra = {"custom_emoji_id": str(int(opened.argument))}
            self.entities.append(Entity("custom_emoji", offset, length, extra))
        elif opened.tag == "tg-time" and opened.date > 0:
            extra: dict[str, object] = {"unix_time": opened.date}
            if opened.argument:
                extra["date_time_format"] = opened.argument
            self.entities.append(Entity("date_time", offset, length, extra))

    def close_link(self, opened: _Open, offset: int, length: int) -> None:
        url = opened.argument or self.out[opened.out_pos :].decode("utf-8", "replace")
        user_id = link_user_id(url)
        if user_id is not None:
            user = {"id": user_id, "is_bot": False, "first_name": str(user_id)}
            self.entities.append(Entity("text_mention", offset, length, {"user": user}))
            return
        try:
            checked = check_link(url)
        except UrlError:
            return  # Telegram silently drops links with an invalid URL
        self.entities.append(Entity("text_link", offset, length, {"url": checked}))


def _apply_attribute(opened: _Open, name: str, value: str) -> None:
    tag = opened.tag
    if tag == "a" and name == "href":
        opened.argument = value
    elif tag == "code" and name == "class" and value.startswith("language-"):
        opened.argument = value.removeprefix("language-")
    elif tag == "span" and name == "class" and value.startswith("tg-"):
        opened.argument = value.removeprefix("tg-")
    elif (tag, name) in (("tg-emoji", "emoji-id"), ("tg-time", "format")):
        opened.argument = value
    elif tag == "blockquote" and name == "expandable":
        opened.argument = "1"
    elif tag == "tg-time" and name == "unix":
        opened.date = int(value) if value.lstrip("-").isdigit() else 0
