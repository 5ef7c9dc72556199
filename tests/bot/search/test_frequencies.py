"""jieba's word frequencies as sorted arrays (bot.search.frequencies): the table answers every
question jieba asks exactly as the dictionary it was made from, however often and in whatever
order it is asked, and a tokenizer reading it cuts text as jieba's own does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.search.frequencies as frequencies
from bot.search.frequencies import FrequencyTable, tokenizer_with
from bot.search.segment import Segmenter

WORDS = st.text(alphabet="公營房屋供應人才稅醫療券a1", min_size=1, max_size=4)


@settings(max_examples=80, deadline=None)
@given(
    known=st.dictionaries(WORDS, st.integers(min_value=0, max_value=10_000), max_size=30),
    asked=st.lists(WORDS, max_size=60),
    taught=st.dictionaries(WORDS, st.integers(min_value=1, max_value=99), max_size=3),
    kept=st.integers(min_value=1, max_value=8),
)
def test_the_table_answers_as_the_dictionary(
    known: dict[str, int], asked: list[str], taught: dict[str, int], kept: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(frequencies, "LOOKED_UP", kept)  # the lookups kept overflow often
        table, plain = FrequencyTable.of(known), dict(known)
        for number, word in enumerate(asked + asked[::-1]):
            if number == len(asked):  # words taught halfway, as jieba's add_word does
                for new, count in taught.items():
                    table[new] = plain[new] = count
            assert (word in table) == (word in plain)
            assert table.get(word) == plain.get(word)
            assert table.get(word, "none") == plain.get(word, "none")
            if word in plain:
                assert table[word] == plain[word]
            else:
                with pytest.raises(KeyError):
                    table[word]
        assert len(table.merged()) == len(plain)


def test_a_tokenizer_on_the_table_cuts_as_jieba_does() -> None:
    segmenter = Segmenter(["公營房屋", "人才清單"])
    own = segmenter.tokenizer
    table = tokenizer_with(FrequencyTable.of(own.FREQ), own.total)
    texts = ["公营房屋供应", "有冇人提过人才清单", "医疗券可唔可以用喺大湾区", "撤销烈酒税", "氢"]
    for _ in range(2):  # the second time from the lookups kept
        for text in texts:
            assert list(table.cut(text)) == list(own.cut(text))
            assert list(table.cut_for_search(text)) == list(own.cut_for_search(text))
