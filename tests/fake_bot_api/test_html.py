"""The fake's Telegram-HTML parser and text processing (no server needed)."""

from __future__ import annotations

import asyncio
import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fake_bot_api import FakeBotAPI, HtmlParseError, parse_html, utf16_len
from tests.fake_bot_api.call import from_params
from tests.fake_bot_api.formatting import MESSAGE_TEXT, FormatError, format_text


def entities(source: str) -> list[tuple[str, int, int]]:
    return [(e.type, e.offset, e.length) for e in parse_html(source)[1]]


def test_nested_tags_give_nested_entities() -> None:
    text, found = parse_html("<b>bold <i>both</i></b> <u>u</u><s>s</s>")
    assert text == "bold both us"
    assert [(e.type, e.offset, e.length) for e in found] == [
        ("bold", 0, 9),
        ("italic", 5, 4),
        ("underline", 10, 1),
        ("strikethrough", 11, 1),
    ]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("<strong>x</strong>", "bold"),
        ("<em>x</em>", "italic"),
        ("<ins>x</ins>", "underline"),
        ("<strike>x</strike>", "strikethrough"),
        ("<del>x</del>", "strikethrough"),
        ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ('<span class="tg-spoiler">x</span>', "spoiler"),
        ("<code>x</code>", "code"),
        ("<pre>x</pre>", "pre"),
        ("<blockquote>x</blockquote>", "blockquote"),
        ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
        ("<B>x</b>", "bold"),
    ],
)
def test_every_supported_tag(source: str, kind: str) -> None:
    assert entities(source) == [(kind, 0, 1)]


def test_pre_with_language_code_and_links() -> None:
    _, found = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert [e.to_dict() for e in found] == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"}
    ]
    _, found = parse_html('<a href="example.com/a?b=1&amp;c=2">site</a><a href="bad">x</a>')
    assert [e.to_dict() for e in found] == [
        {"type": "text_link", "offset": 0, "length": 4, "url": "http://example.com/a?b=1&c=2"}
    ]  # a link with an invalid URL silently loses its entity, as on Telegram
    _, found = parse_html('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>')
    assert found[0].to_dict()["custom_emoji_id"] == "5368324170671202286"


def test_character_references() -> None:
    text, _ = parse_html("&lt;b&gt; &amp; &quot;q&quot; &#60;&#x3C; &#128512; &amp &nbsp; a&b &#0;")
    assert text == '<b> & "q" << 😀 & &nbsp; a&b &#0;'


def test_utf16_offsets_with_emoji_and_cjk() -> None:
    text, found = parse_html("😀 <b>政策</b> <i>👨‍👩‍👧</i>!")
    assert text == "😀 政策 👨‍👩‍👧!"
    assert [(e.type, e.offset, e.length) for e in found] == [
        ("bold", 3, 2),
        ("italic", 6, utf16_len("👨‍👩‍👧")),
    ]
    assert utf16_len("👨‍👩‍👧") == 8


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("政策 <br/>", 'Unsupported start tag "br/" at byte offset 7'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("text</b>", "Unexpected end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("<a href=", 'Unclosed start tag "a" at byte offset 0'),
        ('<a href=x"y">', "Unexpected end of name token at byte offset 8"),
        ("<b />", 'Empty attribute name in the tag "b" at byte offset 0'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<tg-emoji emoji-id="x">y</tg-emoji>', "Invalid custom emoji identifier specified"),
        (
            "&#xD83D;",
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units",
        ),
    ],
)
def test_parse_errors_use_telegram_wording(source: str, message: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert str(caught.value) == message


def test_limit_is_counted_after_parsing() -> None:
    inside = format_text("<b>" + "a" * 4096 + "</b>", "HTML", None, MESSAGE_TEXT)
    assert inside is not None and utf16_len(inside.text) == 4096
    with pytest.raises(FormatError, match=r"^Message is too long$"):
        format_text("<b>" + "a" * 4097 + "</b>", "HTML", None, MESSAGE_TEXT)
    emoji = format_text("😀" * 2048, None, None, MESSAGE_TEXT)  # 4096 UTF-16 units
    assert emoji is not None
    with pytest.raises(FormatError, match=r"^Message is too long$"):
        format_text("😀" * 2048 + "a", None, None, MESSAGE_TEXT)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "Message text is empty"),
        ("  \n ", "Text must be non-empty"),
        ("<b></b>", "Text must be non-empty"),
    ],
)
def test_empty_texts(source: str, message: str) -> None:
    with pytest.raises(FormatError, match=f"^{message}$"):
        format_text(source, "HTML", None, MESSAGE_TEXT)


def test_cleaning_and_trimming_move_entities() -> None:
    result = format_text("\n  <b>a\tb</b>\r\n  ", "HTML", None, MESSAGE_TEXT)
    assert result is not None
    assert result.text == "a b"
    assert result.entity_dicts() == [{"type": "bold", "offset": 0, "length": 3}]


def test_unknown_parse_mode() -> None:
    with pytest.raises(FormatError, match=r"^Unsupported parse_mode$"):
        format_text("x", "BBCode", None, MESSAGE_TEXT)


def _visible(text: str) -> str:
    """What Telegram keeps of a plain text: control characters as spaces, some dropped, trim."""
    dropped = {"\r", "\u0333", "\u033f", "\u030a", *map(chr, range(0x2028, 0x202F))}
    kept = "".join(" " if ord(c) < 32 and c != "\n" else c for c in text if c not in dropped)
    return kept.strip(" \n")


_CHARS = st.characters(codec="utf-8")
_FILL = st.sampled_from(["a", "中", "😀", "&", "<", ">", " ", "\n"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.text(_CHARS, max_size=60))
    fill = draw(_FILL)
    units = draw(st.integers(4088, 4100))
    head, tail = draw(st.text(_CHARS, max_size=4)), draw(st.text(_CHARS, max_size=4))
    return head + fill * (units // utf16_len(fill)) + tail


@settings(max_examples=150, deadline=None, database=None)
@given(_texts())
def test_escaped_text_is_accepted_iff_its_length_fits(text: str) -> None:
    api = FakeBotAPI()
    api.register_chat(1001)
    visible = _visible(text)
    fits = 1 <= utf16_len(visible) <= 4096
    status, body = asyncio.run(
        api.dispatcher.dispatch(
            from_params(
                "sendMessage", chat_id=1001, text=html.escape(text, quote=False), parse_mode="HTML"
            )
        )
    )
    assert (status == 200) == fits, body
    if fits:
        assert body["result"]["text"] == visible
        assert "entities" not in body["result"]
    else:
        assert status == 400
