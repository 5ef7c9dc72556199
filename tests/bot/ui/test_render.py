"""Rendering never breaks Telegram HTML, never loses text, never exceeds a message."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.text import clip, utf16_len
from bot.ui.render import (
    MESSAGE_LIMIT,
    bold,
    escape,
    highlight,
    italic,
    link,
    pack,
    plain_of,
    pre,
    snippet,
    split_highlighted,
    split_text,
)

texts = st.text(
    alphabet=st.sampled_from(list("推動新型工業化中試，。；<>&\"' abc\n😀𠀀"))
    | st.characters(exclude_categories=["Cs"]),
    max_size=300,
)
spans = st.lists(st.tuples(st.integers(-5, 320), st.integers(-5, 320)), max_size=6)


@given(texts, spans)
def test_highlight_keeps_text(text: str, marks: list[tuple[int, int]]) -> None:
    markup = highlight(text, marks)
    assert plain_of(markup) == text
    assert markup.count("<b>") == markup.count("</b>")


def test_escape_only_what_telegram_needs() -> None:
    assert escape('<b> & "x"') == '&lt;b&gt; &amp; "x"'


@given(texts, st.integers(1, 50))
def test_split_text_respects_limit_and_loses_nothing(text: str, limit: int) -> None:
    pieces = split_text(text, max(limit, 2))
    assert "".join(pieces) == text
    assert all(utf16_len(piece) <= max(limit, 2) for piece in pieces)


@given(st.text(min_size=1, max_size=20_000).filter(str.strip), spans)
def test_split_highlighted_fits_messages(text: str, marks: list[tuple[int, int]]) -> None:
    pieces = split_highlighted(text, marks)
    assert "".join(plain_of(piece) for piece in pieces) == text
    assert all(utf16_len(plain_of(piece)) <= MESSAGE_LIMIT for piece in pieces)


@given(st.lists(texts, max_size=30))
def test_pack_fits_and_keeps_order(blocks: list[str]) -> None:
    markup = [highlight(block) for block in blocks if block]
    messages = pack(markup, limit=500)
    assert all(utf16_len(plain_of(message)) <= 500 for message in messages)
    assert "".join(plain_of(m).replace("\n", "") for m in messages) == "".join(
        plain_of(block).replace("\n", "") for block in markup
    )


def test_snippet_centres_on_first_highlight() -> None:
    text = "前言" * 100 + "撤銷烈酒稅" + "後記" * 100
    start = text.index("撤銷")
    shown = snippet(text, [(start, start + 5)], width=40)
    assert "<b>撤銷烈酒稅</b>" in shown
    assert shown.startswith("…")
    assert shown.endswith("…")


@given(st.text(max_size=200) | texts, spans)
def test_markup_is_valid_telegram_html(text: str, marks: list[tuple[int, int]]) -> None:
    from tests.fake_bot_api import parse_html

    markup = highlight(text, marks)
    plain, _ = parse_html(markup)  # raises on anything Telegram would reject
    assert len(plain) <= len(text)


def test_lone_surrogates_cannot_break_a_message() -> None:
    from tests.fake_bot_api import parse_html

    markup = highlight("中\ud800試 <b>", [(0, 3)])
    plain, _ = parse_html(markup)
    assert plain == "中\ufffd試 <b>"


@given(st.text(), st.integers(min_value=0, max_value=300), st.booleans())
def test_clip_stays_within_its_utf16_limit(text: str, limit: int, one_line: bool) -> None:
    clipped = clip(text, limit, one_line=one_line)
    assert utf16_len(clipped) <= limit
    flat = " ".join(text.split()) if one_line else text
    if utf16_len(flat) <= limit:
        assert clipped == flat
    elif limit:
        assert clipped.endswith("…") and flat.startswith(clipped[:-1])


def test_clip_counts_as_telegram_does() -> None:
    assert clip("😀😀😀", 5) == "😀😀…"  # each emoji is two units
    assert clip("中\n\n試  一下", 20, one_line=True) == "中 試 一下"
    assert escape(clip("<b>&amp;</b>", 6)) == "&lt;b&gt;&amp;a…"  # escaped after the cut


def test_tag_helpers_escape_their_text() -> None:
    assert bold("a<b & c") == "<b>a&lt;b &amp; c</b>"
    assert italic("x>y") == "<i>x&gt;y</i>"
    assert pre("if a < b:\n  pass") == "<pre>if a &lt; b:\n  pass</pre>"


def test_link_escapes_the_url_and_keeps_label_markup() -> None:
    markup = link("https://t.me/bot?start=rec_a&b", bold("標題"))
    assert markup == '<a href="https://t.me/bot?start=rec_a&amp;b"><b>標題</b></a>'
    assert plain_of(markup) == "標題"


def test_snippet_starts_at_the_focus_sentence() -> None:
    text = "開頭的句子提到發展。" + "無關內容" * 40 + "發展低空經濟產業：加快規劃。"
    focus_start = text.index("發展低空")
    spans = [(7, 9), (focus_start, focus_start + 6)]
    shown = snippet(text, spans, width=40, focus=(focus_start, len(text)))
    assert "<b>發展低空經濟</b>產業" in shown
    assert "開頭" not in shown


def test_snippet_moves_to_a_long_highlight_beyond_the_width() -> None:
    text = "甲" * 100 + "低空經濟" + "乙" * 100
    shown = snippet(text, [(100, 104)], width=40, focus=(0, len(text)))
    assert "<b>低空經濟</b>" in shown
