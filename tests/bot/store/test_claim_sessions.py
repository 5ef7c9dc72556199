"""The claim's sessions: on an SQLite file, the same store without an fsync per commit; the
store's other sessions keep syncing every commit; the once-only claim holds across both."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from bot.store.chats import chat_state, set_compact, set_language, touch_chat
from bot.store.db import SessionFactory, claim_sessions, make_engine, make_sessions, migrate
from bot.store.models import utcnow
from bot.store.processed_updates import claim_update, claim_with_chat

FULL, NORMAL = 2, 1  # PRAGMA synchronous values


def _synchronous(sessions: SessionFactory) -> int:
    with sessions() as session:
        return int(session.execute(text("PRAGMA synchronous")).scalar_one())


def test_sqlite_file_claims_commit_without_fsync_and_others_keep_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    sessions = make_sessions(engine)
    claims = claim_sessions(sessions)
    assert claims is not sessions
    assert _synchronous(claims) == NORMAL
    assert _synchronous(sessions) == FULL
    with claims.begin() as session:
        assert claim_update(session, 41, utcnow())
    # The same file: a claim taken through either factory is seen by the other.
    with sessions.begin() as session:
        assert not claim_update(session, 41, utcnow())
        assert claim_update(session, 42, utcnow())
    with claims.begin() as session:
        assert not claim_update(session, 42, utcnow())
    engine.dispose()


def test_other_stores_claim_through_the_same_sessions(sessions: SessionFactory) -> None:
    """PostgreSQL (TEST_DATABASE_URL) keeps its own durability settings; an in-memory SQLite
    store cannot be opened twice."""
    memory = make_sessions(make_engine("sqlite://"))
    assert claim_sessions(memory) is memory
    if sessions.kw["bind"].dialect.name != "sqlite":
        assert claim_sessions(sessions) is sessions


def test_claim_with_chat_reads_the_chat_only_for_the_update_it_took(
    sessions: SessionFactory,
) -> None:
    with sessions.begin() as session:
        touch_chat(session, 7, "private", "someone")
        set_language(session, 7, "private", "en")
    with sessions() as session:
        stored = chat_state(session, 7)
    claims = claim_sessions(sessions)
    claimed, state = claim_with_chat(claims, 90, 7, utcnow())
    assert claimed and state is not None and state.type == "private" and state.active
    assert state == stored and state.language == "en"  # every column, as chat_state reads it
    assert claim_with_chat(claims, 90, 7, utcnow()) == (False, None)  # a repeated delivery
    assert claim_with_chat(claims, 91, 8, utcnow()) == (True, None)  # a chat never heard from
    assert claim_with_chat(claims, 92, None, utcnow()) == (True, None)


def test_a_claim_on_the_driver_stores_and_reads_as_sqlalchemy_does(tmp_path: Path) -> None:
    # On an SQLite file the claim runs on the driver's connection: the claim's row must hold
    # the same text as one the ORM wrote, and each chat read back as chat_state reads it.
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    sessions = make_sessions(engine)
    when = datetime(2026, 12, 6, 8, 30, 1, 234567, tzinfo=UTC)
    with sessions.begin() as session:
        assert claim_update(session, 1, when)  # through SQLAlchemy
        touch_chat(session, 7, "private", None, when)
        touch_chat(session, 8, "supergroup", "「群組」 'quotes' \\ 𠮷", when)
        set_compact(session, 8, "supergroup", True)
        touch_chat(session, 9, "group", "", when)
        set_compact(session, 9, "group", False)
        set_language(session, 9, "group", "en")
    assert claim_with_chat(sessions, 2, 7, when)[0]  # through the driver
    with sessions() as session:
        stored = session.execute(
            text("SELECT received_at FROM processed_updates ORDER BY update_id")
        ).scalars()
        assert len(set(stored)) == 1
    for update_id, chat_id in ((3, 7), (4, 8), (5, 9)):
        with sessions() as session:
            expected = chat_state(session, chat_id)
        assert claim_with_chat(sessions, update_id, chat_id, when) == (True, expected)
    engine.dispose()
