"""Term vectors kept for later queries are the ones computing them again gives, read-only,
however often the table fills and empties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search import SearchIndex
from bot.search.kept_vectors import BYTES_PER_RECORD, KEPT_BYTES, MIN_TERMS, KeptVectors
from bot.search.match import _term_vectors, term_vectors

TERMS = [
    "房屋",
    "青年",
    "醫療券",
    "医疗券",
    "房",
    "n:30000",
    "green bonds",
    "hydrogen",
    "",
    "，",
    "龍蝦",
]


@settings(max_examples=200, deadline=None)
@given(terms=st.lists(st.sampled_from(TERMS), min_size=1, max_size=40), limit=st.integers(1, 5))
def test_kept_vectors_are_the_computed_ones(
    search_index: SearchIndex, terms: list[str], limit: int
) -> None:
    kept = search_index.kept_vectors
    saved_limit = kept.limit
    kept.limit = limit  # a small table: it fills and empties within the example
    kept.clear()
    try:
        for term in terms:
            scores, present = term_vectors(search_index, term)
            expected_scores, expected_present = _term_vectors(search_index, term)
            assert np.array_equal(scores, expected_scores)
            assert np.array_equal(present, expected_present)
            assert len(kept) <= limit
    finally:
        kept.limit = saved_limit


def test_kept_vectors_cannot_be_written(search_index: SearchIndex) -> None:
    scores, present = term_vectors(search_index, "房屋")
    assert term_vectors(search_index, "房屋")[0] is scores  # kept, not computed again
    with pytest.raises(ValueError, match="read-only"):
        scores[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        present[0] = True


def test_fewer_terms_are_kept_for_a_larger_index() -> None:
    assert KeptVectors(357).limit == KEPT_BYTES // (357 * BYTES_PER_RECORD)
    assert KeptVectors(35_700).limit * 35_700 * BYTES_PER_RECORD <= KEPT_BYTES
    assert KeptVectors(10_000_000).limit == MIN_TERMS
