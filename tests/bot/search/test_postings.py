"""Posting lists in compact arrays (bot.search.postings): a term's posting is the same whether
it is looked up for the first time or again, before and after the postings handed out lately
are forgotten, for word families (terms in a dict) and packed ones (bigrams as codes)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.search.postings as postings
from bot.search.postings import FamilyPostings, build_family
from bot.search.segment import grams

TEXTS = st.text(alphabet="公營房屋供應人才稅", min_size=0, max_size=12)


def _fresh(family: FamilyPostings, term: str) -> tuple[list[int], list[float], float] | None:
    """The term's posting read straight from the arrays."""
    i = family.index_of(term)
    if i < 0:
        return None
    start, end = int(family.starts[i]), int(family.starts[i + 1])
    return family.docs[start:end].tolist(), family.weights[start:end].tolist(), float(family.idf[i])


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(st.tuples(TEXTS, TEXTS), min_size=1, max_size=8),
    asked=st.lists(st.text(alphabet="公營房屋供應人才稅a", min_size=1, max_size=3), max_size=40),
    kept=st.integers(min_value=1, max_value=4),
    packed=st.booleans(),
)
def test_a_posting_is_the_same_however_often_it_is_asked_for(
    records: list[tuple[str, str]], asked: list[str], kept: int, packed: bool
) -> None:
    fields = [(title, text, "", "") for title, text in records]
    tokenize = grams if packed else (lambda text: [text[i : i + 3] for i in range(len(text))])
    family = build_family(fields, tokenize)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postings, "RECENT_POSTINGS", kept)  # forgotten often
        for term in asked + asked:
            got = family.get(term)
            expected = _fresh(family, term)
            if expected is None:
                assert got is None
                continue
            assert got is not None
            assert (got.docs.tolist(), got.weights.tolist(), got.idf) == expected
            assert np.all(np.diff(got.docs.astype(np.int64)) > 0)
