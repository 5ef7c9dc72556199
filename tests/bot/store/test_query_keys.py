"""Saved searches' keys never change: they are stored, and carried by buttons and deep links
already sent to members."""

from __future__ import annotations

import base64
import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from bot.core.filters import Filters
from bot.store.saved_queries import KEY_LENGTH, _filters_data, query_key


def reference_key(text: str, filters: Filters) -> str:
    """The key as first defined: the whole SHA-256 digest in lower-case base32, cut."""
    payload = json.dumps([text, _filters_data(filters)], ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:KEY_LENGTH]


def test_known_keys_are_unchanged() -> None:
    assert query_key("烈酒稅", Filters()) == "wh7nphu7zc"
    filters = Filters(orgs=frozenset({"dab"}), years=frozenset({2024}))
    assert query_key("elderly care", filters) == "e7ulgppgtt"


@given(
    st.text(max_size=200),
    st.frozensets(st.text(max_size=12), max_size=3),
    st.frozensets(st.integers(1990, 2100), max_size=3),
)
def test_key_is_the_reference_key(text: str, orgs: frozenset[str], years: frozenset[int]) -> None:
    filters = Filters(orgs=orgs, years=years)
    key = query_key(text, filters)
    assert key == reference_key(text, filters)
    assert len(key) == KEY_LENGTH and key.isascii()
