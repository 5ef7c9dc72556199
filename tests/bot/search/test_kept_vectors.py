"""Term vectors kept for later queries are the ones computing them again gives, read-only,
however often the table fills and empties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.config import load_settings
from bot.search import SearchIndex
from bot.search.kept_vectors import BUDGET, BYTES_PER_RECORD, KEPT_MB, KeptVectors, set_budget
from bot.search.live import LiveIndex
from bot.search.match import _term_vectors, term_vectors
from bot.store.db import SessionFactory
from handlers.app import build_application

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
    kept.budget = limit * len(search_index) * BYTES_PER_RECORD  # fills and empties at once
    kept.clear()
    try:
        for term in terms:
            scores, present = term_vectors(search_index, term)
            expected_scores, expected_present = _term_vectors(search_index, term)
            assert np.array_equal(scores, expected_scores)
            assert np.array_equal(present, expected_present)
            assert len(kept) <= limit
    finally:
        kept.budget = None


def test_kept_vectors_cannot_be_written(search_index: SearchIndex) -> None:
    scores, present = term_vectors(search_index, "房屋")
    assert term_vectors(search_index, "房屋")[0] is scores  # kept, not computed again
    with pytest.raises(ValueError, match="read-only"):
        scores[0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        present[0] = True


def test_fewer_terms_are_kept_for_a_larger_index_and_none_without_a_budget() -> None:
    megabytes = KEPT_MB * 2**20
    assert KeptVectors(357).limit == megabytes // (357 * BYTES_PER_RECORD)
    assert KeptVectors(35_700).limit * 35_700 * BYTES_PER_RECORD <= megabytes
    assert KeptVectors(35_700).limit < KeptVectors(357).limit / 99
    kept = KeptVectors(357)
    try:
        set_budget(0)  # SEARCH_TERMS_MB=0
        vectors = (np.zeros(357, dtype=np.float32), np.zeros(357, dtype=bool))
        assert kept.keep("房屋", vectors) is vectors and kept.get("房屋") is None
        assert not vectors[0].flags.writeable  # handed out read-only all the same
    finally:
        set_budget(KEPT_MB)
    assert BUDGET.bytes == megabytes


TOKEN = "123456789:AAHfake-token-for-the-kept-vectors-test1"


def test_the_setting_sets_the_budget_when_the_bot_is_built(sessions: SessionFactory) -> None:
    settings = load_settings({"BOT_TOKEN": TOKEN, "SEARCH_TERMS_MB": "0"})
    try:
        build_application(settings, sessions, LiveIndex(sessions), polling=False)
        assert BUDGET.bytes == 0
        assert load_settings({"BOT_TOKEN": TOKEN}).search_terms_mb == KEPT_MB
    finally:
        set_budget(KEPT_MB)
