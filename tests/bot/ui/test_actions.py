"""Callback data and deep links stay within Telegram's 64 bytes for every real record."""

from __future__ import annotations

import pytest

from bot.store.corpus import list_recommendations
from bot.store.db import SessionFactory
from bot.ui import actions


def test_round_trip() -> None:
    data = actions.search_page("abcdefghij", 12)
    decoded = actions.decode(data)
    assert decoded == actions.Action("p", ("abcdefghij", "12"))


@pytest.mark.parametrize("bad", [None, "", "x" * 65, "r:中試", "r:a b"])
def test_malformed_is_none(bad: str | None) -> None:
    assert actions.decode(bad) is None


def test_too_long_is_refused() -> None:
    with pytest.raises(ValueError, match="not encodable"):
        actions.open_record("x" * 70)


def test_payloads() -> None:
    assert actions.parse_payload("rec_bpa24-6") == ("rec", "bpa24-6")
    assert actions.parse_payload("q_abcdefghij") == ("q", "abcdefghij")
    assert actions.parse_payload("hello") is None
    assert actions.parse_payload("rec_") is None


def test_every_record_fits(corpus_sessions: SessionFactory) -> None:
    with corpus_sessions() as session:
        ids = [record.id for record in list_recommendations(session)]
    for rec_id in ids:
        for data in (actions.open_record(rec_id), actions.related_records(rec_id)):
            assert len(data.encode()) <= actions.CALLBACK_LIMIT
            assert actions.decode(data) is not None
        assert actions.parse_payload(actions.record_payload(rec_id)) == ("rec", rec_id)
