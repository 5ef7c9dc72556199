"""Tokenising folded text: Chinese words by jieba, Latin words and figures by pattern, bigrams and
characters for the index, and the user terms an index teaches the segmenter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.search.normalize import fold_text
from bot.search.segment import (
    Segmenter,
    chars,
    grams,
    is_cjk,
    numbers,
    quoted_terms,
    sound_keys,
)

# Traditional, Simplified and HK-variant characters, Latin letters of both cases, full-width
# forms, digits, the punctuation that joins a Latin word (r&d, 3.5) and some that does not.
CHINESE = "香港北部都會区發展创新科技撤銷烈酒稅氫能巴士電池綫线"
TEXT = st.text(alphabet=CHINESE + "abcXYZＡＢ１２0123456789" + " ,，。、.&+'", max_size=40)


def words(text: str, *, for_index: bool = False) -> list[str]:
    return Segmenter().words(fold_text(text), for_index=for_index)


def test_chinese_latin_and_figures() -> None:
    assert words("推動R&D投資3,000萬元 COVID-19 3.5%") == [
        "推动",
        "投资",
        "万元",
        "r&d",
        "3000",  # thousands separators dropped
        "covid",
        "19",
        "3.5",
    ]


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [("撤銷烈酒稅", "撤销烈酒税"), ("北部都會區發展", "北部都会区发展"), ("鐵路綫", "铁路线")],
)
def test_simplified_and_variant_input_give_the_same_words(
    traditional: str, simplified: str
) -> None:
    assert words(traditional) == words(simplified)
    assert words(traditional) == words(simplified.replace("线", "線"))  # HK variant 綫 → 線


def test_user_term_is_kept_whole() -> None:
    term = "龍蝦電池廠"  # not a word anywhere: jieba cuts it unless taught
    assert words(term) == ["龙虾", "电池厂"]
    segmenter = Segmenter([term])
    assert segmenter.user_terms == {"龙虾电池厂"}  # taught folded
    assert segmenter.words(fold_text("龙虾电池厂在港")) == ["龙虾电池厂", "在", "港"]
    # The index mode still adds the sub-words, so a search for a part finds the whole.
    assert segmenter.words("龙虾电池厂", for_index=True) == ["龙虾", "电池", "电池厂", "龙虾电池厂"]


def test_only_chinese_terms_of_two_characters_or_more_are_taught() -> None:
    assert Segmenter(["氫", "hydrogen bus", "  ", "H2巴士"]).user_terms == set()


@given(TEXT)
def test_every_letter_digit_and_character_is_kept_in_order(text: str) -> None:
    """Chinese words come first, then Latin words; within each script, joining the words gives
    back every character of the input, in order (only spaces and punctuation are dropped)."""
    folded = fold_text(text)
    tokens = Segmenter().words(folded)
    assert all(tokens)
    chinese = "".join(token for token in tokens if is_cjk(token))
    latin = "".join(token for token in tokens if not is_cjk(token))
    assert chinese == "".join(char for char in folded if is_cjk(char))
    assert "".join(char for char in latin if char.isalnum()) == "".join(
        char for char in folded if char.isascii() and char.isalnum()
    )
    assert Segmenter().words(folded) == tokens  # stable


@given(TEXT)
def test_index_mode_adds_sub_words_only(text: str) -> None:
    folded = fold_text(text)
    plain, indexed = Segmenter().words(folded), Segmenter().words(folded, for_index=True)
    assert set(plain) <= set(indexed)
    assert all(token in folded for token in indexed if is_cjk(token))


def test_bigrams_and_characters_of_each_chinese_run() -> None:
    assert list(grams("氢能巴士 and 港")) == ["氢能", "能巴", "巴士", "港"]
    assert list(chars("氢能 h2 港")) == ["氢", "能", "港"]
    assert list(grams("hydrogen")) == list(chars("hydrogen")) == []


@pytest.mark.parametrize(
    ("folded", "values"),
    [
        ("3,000 万", ["30000000"]),
        ("3000万元", ["30000000"]),
        ("1.5 亿", ["150000000"]),
        ("40,000 个 2千", ["40000", "2000"]),
        ("增加 2.5 倍", ["2.5"]),
        ("covid19 h2", []),  # digits inside a word are not figures
    ],
)
def test_figures_by_value(folded: str, values: list[str]) -> None:
    assert list(numbers(folded)) == values


def test_quoted_names() -> None:
    text = "推出「新型工業化資助計劃」及《香港創新科技發展藍圖》，「一」不算"
    assert quoted_terms(text) == {"新型工業化資助計劃", "香港創新科技發展藍圖"}


def test_sound_keys_cover_every_reading() -> None:
    assert "qing neng" in sound_keys("氢能")
    assert {"hai", "huan"} <= set(sound_keys("还"))
    assert "an jie" in set(sound_keys("按竭")) & set(sound_keys("按揭"))  # a typo that sounds right
    assert sound_keys("h2") == []  # no reading for a Latin character
