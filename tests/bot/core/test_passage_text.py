"""What a record is embedded from: reading only the text's opening gives the passage that
normalising the whole text gives, whatever the spacing and lengths."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.embedding import PASSAGE_CHARS, passage_text


def whole_text_passage(title: str, text: str) -> str:
    """The definition: both normalised in full, the title first unless the text opens with it."""
    title = " ".join(title.split())
    body = " ".join(text.split())
    joined = body if body.startswith(title) else f"{title}\n{body}"
    return joined[:PASSAGE_CHARS]


PIECES = st.sampled_from(["人才", "簽證", " ", "  ", "\n", "\u3000", "a", "標題", "。", "\t\t"])
TEXTS = st.lists(PIECES, max_size=2000).map("".join)


@settings(max_examples=300, deadline=None)
@given(title=st.lists(PIECES, max_size=400).map("".join), text=TEXTS)
def test_the_passage_is_the_whole_text_passage(title: str, text: str) -> None:
    assert passage_text(title, text) == whole_text_passage(title, text)


def test_long_spacing_and_a_text_that_opens_with_its_title() -> None:
    spaced = " " * 5000 + "內文" * 400
    assert passage_text("標題", spaced) == whole_text_passage("標題", spaced)
    opening = "標題 " + "字" * 1000
    assert passage_text("標題", opening) == opening[:PASSAGE_CHARS]
    long_title = "長" * 2000
    assert passage_text(long_title, long_title + "。") == long_title[:PASSAGE_CHARS]
