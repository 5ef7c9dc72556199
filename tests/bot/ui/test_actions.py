"""Callback data and deep links stay within Telegram's 64 bytes for every real record."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        # From a search: the key fits too, and so do the 👍/👎 buttons (a time up to year 4000).
        assert actions.open_record(rec_id, "abcdefghij").endswith(":abcdefghij")
        vote = actions.vote(actions.VOTE_UP, actions.VOTE_DOWN, 36**7 - 1, "abcdefghij", rec_id)
        assert vote is not None
        assert actions.parse_payload(actions.record_payload(rec_id)) == ("rec", rec_id)


# What each encoder builds, and the action name whose handler pattern must claim it.
BUILT = [
    (actions.OPEN, actions.open_record("bpa24-6")),
    (actions.OPEN, actions.open_record("bpa24-6", "abcdefghij")),
    (actions.VOTE, actions.vote(actions.VOTE_DOWN, actions.VOTE_UP, 99, "abcdefghij", "bpa24-6")),
    (actions.RELATED, actions.related_records("bpa24-6")),
    (actions.PAGE, actions.search_page("abcdefghij", 0)),
    (actions.NARROW, actions.narrow("abcdefghij", actions.NARROW_AREA, "a")),
    (actions.UNNARROW, actions.unnarrow("abcdefghij", actions.NARROW_ORG, "legco")),
    (actions.UNNARROW, actions.unnarrow("abcdefghij")),
    (actions.FACETS, actions.all_facets("abcdefghij", 3)),
    (actions.LAYOUT, actions.layout("abcdefghij", 3, compact=True)),
    (actions.COMPARE_MORE, actions.compare_more("abcdefghij", "legco")),
    (actions.AREA, actions.area_page("housing", 1)),
    (actions.AREAS, actions.area_list()),
    (actions.LANGUAGE, actions.choose_language("en")),
    (actions.SUBSCRIBE, actions.subscribe_step(actions.SUB_HOUR, "weekly", 0, 9)),
    (actions.SUBSCRIBE, actions.subscribe_step(actions.SUB_NEXT)),
    (actions.UNSUBSCRIBE, actions.unsubscribe(actions.ALL)),
    (actions.IMPORT, actions.import_choice(actions.CONFIRM, "k1")),
    (actions.ADMIN, actions.broadcast_choice(actions.CANCEL, "k1")),
]
NAMES = sorted({name for name, _ in BUILT})


@pytest.mark.parametrize(("name", "data"), BUILT)
def test_built_data_matches_only_its_pattern(name: str, data: str) -> None:
    decoded = actions.decode(data)
    assert decoded is not None and decoded.name == name
    matching = [other for other in NAMES if re.match(actions.pattern(other), data)]
    assert matching == [name]


def test_patterns() -> None:
    assert actions.pattern(actions.OPEN) == "^r:"
    assert actions.pattern(actions.AREAS) == "^areas$"
    assert actions.pattern(actions.ADMIN, actions.BROADCAST) == "^adm:bc:"
    assert re.match(actions.pattern(actions.ADMIN, actions.BROADCAST), "adm:bc:ok:k1")
    assert not re.match(actions.pattern(actions.ADMIN, actions.BROADCAST), "adm:other:ok:k1")
    assert not re.match(actions.pattern(actions.AREAS), "areas:1")


def test_help_payload_is_a_plain_start() -> None:
    payload = actions.help_payload()
    assert payload == "help"
    assert actions.parse_payload(payload) is None  # no rec_/q_ routing: the welcome


def test_vote_buttons_fit_and_round_trip() -> None:
    data = actions.vote(actions.VOTE_UP, actions.NO_VOTE, 1_800_000_000, "abcdefghij", "bpa24-148")
    assert data is not None and len(data.encode()) <= actions.CALLBACK_LIMIT
    decoded = actions.decode(data)
    assert decoded is not None
    expected = actions.Vote("u", "n", 1_800_000_000, "abcdefghij", "bpa24-148")
    assert actions.parse_vote(decoded) == expected
    assert actions.vote("u", "n", 0, "abcdefghij", "x" * 60) is None  # too long: no buttons
    assert actions.open_record("bpa24-6", "abcdefghij") == "r:bpa24-6:abcdefghij"
    assert actions.open_record("x" * 55, "abcdefghij") == "r:" + "x" * 55  # the key left out


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80).map(lambda text: "fb:" + text) | st.text(max_size=80))
def test_any_vote_data_parses_to_nothing_or_to_what_encodes_it(data: str) -> None:
    decoded = actions.decode(data)
    vote = actions.parse_vote(decoded) if decoded is not None else None
    if vote is None:
        return
    assert vote.pressed in ("u", "d") and vote.shown in ("n", "u", "d")
    assert 0 <= vote.since < 36**7
    again = actions.vote(vote.pressed, vote.shown, vote.since, vote.key, vote.record_id)
    assert again is not None and actions.parse_vote(actions.decode(again)) == vote  # type: ignore[arg-type]
