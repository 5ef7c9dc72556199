"""Callback data and deep links stay within Telegram's 64 bytes for every real record."""

from __future__ import annotations

import re

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


# What each encoder builds, and the action name whose handler pattern must claim it.
BUILT = [
    (actions.OPEN, actions.open_record("bpa24-6")),
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
