"""The background writer's batch statements store what the one-row functions store."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from bot.core.filters import Filters
from bot.store.chats import set_compact, set_language, touch_chat, touch_chats
from bot.store.db import SessionFactory
from bot.store.models import Chat, QueryLogEntry, SavedQuery, utcnow
from bot.store.query_log import MAX_LOGGED_CHARS, log_queries, log_query
from bot.store.saved_queries import (
    StoredSearch,
    load_query,
    query_key,
    save_queries,
    save_query,
)


def test_touch_chats_creates_updates_and_reactivates(sessions: SessionFactory) -> None:
    earlier = utcnow() - timedelta(days=2)
    now = utcnow()
    with sessions.begin() as session:
        touch_chat(session, -100, "group", "Old title", earlier)
        set_language(session, -100, "group", "en")
        session.get_one(Chat, -100).compact = False
        touch_chat(session, 7, "private", "someone", earlier).active = False
    with sessions.begin() as session:
        touch_chats(
            session,
            {
                -100: ("supergroup", "New title", now),  # known: updated, choices kept
                7: ("private", "someone", now),  # blocked us, came back: reactivated
                8: ("private", None, now),  # first contact: created
            },
        )
    with sessions() as session:
        group, returning, new = (session.get_one(Chat, i) for i in (-100, 7, 8))
        assert (group.type, group.title, group.language, group.compact) == (
            "supergroup",
            "New title",
            "en",
            False,
        )
        assert group.created_at.replace(tzinfo=None) == earlier.replace(tzinfo=None)
        assert group.updated_at.replace(tzinfo=None) == now.replace(tzinfo=None)
        assert returning.active and new.active
        assert (new.type, new.title, new.language, new.compact) == ("private", None, None, None)


def test_touch_chats_with_nothing_writes_nothing(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        touch_chats(session, {})
    with sessions() as session:
        assert session.scalars(select(Chat)).first() is None


def test_save_queries_is_idempotent_and_keeps_the_first(sessions: SessionFactory) -> None:
    first = StoredSearch("烈酒稅", Filters(sources=frozenset({"bpa24"}), years=frozenset({2024})))
    key = query_key(first.text, first.filters)
    now = utcnow()
    with sessions.begin() as session:
        save_queries(session, {key: (first, now)})
    with sessions.begin() as session:  # stored already (another replica, an earlier flush)
        other = StoredSearch("中試", Filters())
        save_queries(session, {key: (first, now), query_key("中試", Filters()): (other, now)})
    with sessions() as session:
        assert load_query(session, key) == first
        assert load_query(session, query_key("中試", Filters())) == StoredSearch("中試", Filters())
        assert len(session.scalars(select(SavedQuery)).all()) == 2


def test_log_queries_trims_caps_and_leaves_out_what_log_query_refuses(
    sessions: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    now = utcnow()
    entries = [
        ("  北部  都會區 \n", "private", 3, now),
        ("字" * 2000, "inline", 0, now),
        ("   ", "group", 0, now),
        ("中試", "secret-channel", 1, now),
    ]
    with caplog.at_level(logging.ERROR), sessions.begin() as session:
        log_queries(session, entries, retention_days=90)
    with sessions() as session:
        rows = session.scalars(select(QueryLogEntry).order_by(QueryLogEntry.id)).all()
    assert [(r.text, r.chat_type, r.results) for r in rows] == [
        ("北部 都會區", "private", 3),
        ("字" * MAX_LOGGED_CHARS, "inline", 0),
    ]
    assert "unknown chat type" in caplog.text


def test_log_queries_with_the_log_off_writes_nothing(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        log_queries(session, [("中試", "private", 1, utcnow())], retention_days=0)
    with sessions() as session:
        assert session.scalars(select(QueryLogEntry)).first() is None


# Characters that array literals and SQL quoting treat specially, and text far from ASCII.
AWKWARD = ["{a,b}", 'say "hi"', "back\\slash", "it's", "NULL", "", "😀 中文 𠮷", "a\tb\nc"]


def test_batch_writes_keep_awkward_text_exactly(sessions: SessionFactory) -> None:
    """What each batch statement stores reads back unchanged, however the text is quoted."""
    now = utcnow()
    searches = {
        query_key(text, Filters(orgs=frozenset({text}))): (
            StoredSearch(text, Filters(orgs=frozenset({text}))),
            now,
        )
        for text in AWKWARD
    }
    with sessions.begin() as session:
        touch_chats(session, {-1 - i: ("group", title, now) for i, title in enumerate(AWKWARD)})
        save_queries(session, searches)
        log_queries(
            session,
            [(f"x {text} y", "group", i, now) for i, text in enumerate(AWKWARD)],
            retention_days=90,
        )
    with sessions() as session:
        titles = [session.get_one(Chat, -1 - i).title for i in range(len(AWKWARD))]
        loaded = [load_query(session, key) for key in searches]
        logged = session.scalars(select(QueryLogEntry.text).order_by(QueryLogEntry.results)).all()
    assert titles == AWKWARD
    assert loaded == [search for search, _ in searches.values()]
    assert logged == [" ".join(f"x {text} y".split()) for text in AWKWARD]


def test_a_handler_creating_a_chat_the_writer_stores_meanwhile_does_not_fail(
    sessions: SessionFactory,
) -> None:
    """A member's first search leaves their chat's row to the background writer; pressing a
    button at once (set_compact) creates it in the handler. When the writer's flush lands
    between the handler's read of the chat and its write, the handler goes on with that row."""
    engine = sessions.kw["bind"]
    flushed: list[bool] = []

    def writer_flushes_first(
        connection: object, cursor: object, statement: str, *_: object
    ) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CHATS") and not flushed:
            flushed.append(True)
            with sessions.begin() as writer:  # another connection, committed before ours
                touch_chats(writer, {42: ("private", "writer", utcnow())})

    event.listen(engine, "before_cursor_execute", writer_flushes_first)
    try:
        with sessions.begin() as session:
            set_compact(session, 42, "private", True)
    finally:
        event.remove(engine, "before_cursor_execute", writer_flushes_first)
    assert flushed
    with sessions() as session:
        chat = session.get_one(Chat, 42)
        assert (chat.type, chat.compact, chat.active) == ("private", True, True)


def test_saving_a_search_the_writer_stores_meanwhile_does_not_fail(
    sessions: SessionFactory,
) -> None:
    """The same for a search saved inside a unit of work (a digest's topic section) that the
    background writer stores for a member's search at the same moment."""
    engine = sessions.kw["bind"]
    flushed: list[bool] = []
    search = StoredSearch("長者醫療券", Filters(areas=frozenset({"health"})))

    def writer_flushes_first(
        connection: object, cursor: object, statement: str, *_: object
    ) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO SAVED_QUERIES") and not flushed:
            flushed.append(True)
            with sessions.begin() as writer:
                key = query_key(search.text, search.filters)
                save_queries(writer, {key: (search, utcnow())})

    event.listen(engine, "before_cursor_execute", writer_flushes_first)
    try:
        with sessions.begin() as session:
            key = save_query(session, search.text, search.filters)
    finally:
        event.remove(engine, "before_cursor_execute", writer_flushes_first)
    assert flushed
    with sessions() as session:
        assert load_query(session, key) == search


def test_batch_rows_are_stored_as_the_one_row_functions_store_them(
    sessions: SessionFactory,
) -> None:
    """Byte for byte: the batch statements hand values to the database themselves (arrays, or
    a JSON document on SQLite), so their datetimes, flags and JSON must come out as the ORM's."""
    at = utcnow()
    search = StoredSearch("烈酒稅", Filters(orgs=frozenset({"民建聯"}), years=frozenset({2024})))
    with sessions.begin() as session:
        touch_chat(session, 1, "group", "一", at)
        save_query(session, search.text, search.filters, at)
        log_query(session, "中試", "group", 2, retention_days=90, at=at)
    with sessions.begin() as session:  # the same values again, through the batches
        touch_chats(session, {2: ("group", "一", at)})
        session.execute(text("DELETE FROM saved_queries"))
        save_queries(session, {query_key(search.text, search.filters): (search, at)})
        log_queries(session, [("中試", "group", 2, at)], retention_days=90)
    raw = "SELECT CAST({} AS TEXT) FROM {} ORDER BY 1"
    with sessions() as session:
        chats = session.execute(
            text(
                "SELECT CAST(created_at AS TEXT), CAST(updated_at AS TEXT), CAST(active AS TEXT),"
                " title, compact, language FROM chats ORDER BY id"
            )
        ).all()
        logged = session.execute(text(raw.format("at", "query_log"))).scalars().all()
        saved = session.execute(text(raw.format("filters", "saved_queries"))).scalars().all()
        created = session.execute(text(raw.format("created_at", "saved_queries"))).scalars().all()
    assert len(chats) == 2 and chats[0] == chats[1]
    assert len(logged) == 2 and logged[0] == logged[1]
    one_row = json.dumps({"orgs": ["民建聯"], "areas": [], "sources": [], "years": [2024]})
    assert saved == [one_row]  # as SQLAlchemy's JSON type writes it (json.dumps)
    with sessions.begin() as session:  # and the batch's created_at as the ORM's
        session.execute(text("DELETE FROM saved_queries"))
        save_query(session, search.text, search.filters, at)
    with sessions() as session:
        assert (
            session.execute(text(raw.format("created_at", "saved_queries"))).scalars().all()
            == created
        )
