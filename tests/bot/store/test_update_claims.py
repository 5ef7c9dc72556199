"""The claim of updates as a replica runs it (`UpdateClaims`): each update taken once, across
replicas too, with its chat's state; on PostgreSQL on the event loop, recovering from
connections the server dropped."""

from __future__ import annotations

import asyncio
import os

import psycopg
import pytest
from sqlalchemy import text

from bot.store.chats import chat_state, set_language, touch_chat
from bot.store.db import SessionFactory, make_engine, make_sessions
from bot.store.models import utcnow
from bot.store.update_claims import UpdateClaims


def _is_postgres(sessions: SessionFactory) -> bool:
    return bool(sessions.kw["bind"].dialect.name == "postgresql")


async def test_each_update_is_taken_once_with_its_chat(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        touch_chat(session, 7, "private", "someone")
        set_language(session, 7, "private", "en")
    with sessions() as session:
        stored = chat_state(session, 7)
    claims = UpdateClaims(sessions, 4)
    assert (claims.postgres is not None) == _is_postgres(sessions)
    try:
        claimed, state = await claims.claim(90, 7, utcnow())
        assert claimed and state == stored  # every column, as chat_state reads it (UTC)
        assert state is not None and state.updated_at.utcoffset() is not None
        assert await claims.claim(90, 7, utcnow()) == (False, None)  # a repeated delivery
        assert await claims.claim(91, 8, utcnow()) == (True, None)  # a chat never heard from
        assert await claims.claim(92, None, utcnow()) == (True, None)
    finally:
        await claims.close()


async def test_two_replicas_claiming_the_same_updates_at_once_take_each_once(
    sessions: SessionFactory,
) -> None:
    replicas = [UpdateClaims(sessions, 8), UpdateClaims(sessions, 8)]
    update_ids = range(1000, 1040)
    try:
        results = await asyncio.gather(
            *(r.claim(u, u % 5, utcnow()) for u in update_ids for r in replicas)
        )
    finally:
        for replica in replicas:
            await replica.close()
    taken = [claimed for claimed, _ in results]
    assert sum(taken) == len(update_ids)
    assert all(a != b for a, b in zip(taken[::2], taken[1::2], strict=True))


def _named_claims(sessions: SessionFactory, label: str, pool_size: int) -> tuple[str, UpdateClaims]:
    """Claims whose connections carry a name of this run's own (the URL's application_name wins
    over the claims' default), so that a test sees and drops only those."""
    name = f"claims-test-{label}-{os.getpid()}"
    url = sessions.kw["bind"].url.update_query_dict({"application_name": name})
    engine = make_engine(url.render_as_string(hide_password=False))
    return name, UpdateClaims(make_sessions(engine), pool_size)


def _connections(sessions: SessionFactory, name: str) -> int:
    with sessions() as session:
        count = session.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": name},
        ).scalar_one()
    return int(count)


@pytest.fixture
def pg_sessions(sessions: SessionFactory) -> SessionFactory:
    """`sessions`, for the tests of the PostgreSQL pool (skipped on SQLite)."""
    if not _is_postgres(sessions):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    return sessions


async def test_postgres_claims_keep_at_most_their_pool_size_of_connections(
    pg_sessions: SessionFactory,
) -> None:
    sessions = pg_sessions
    name, claims = _named_claims(sessions, "pool", 2)
    try:
        results = await asyncio.gather(*(claims.claim(u, None, utcnow()) for u in range(50)))
        assert all(claimed for claimed, _ in results)  # all 50 taken, waiting for a connection
        assert 1 <= _connections(sessions, name) <= 2
    finally:
        await claims.close()
    for _ in range(50):  # closed with the claims (a server process ends a moment later)
        if _connections(sessions, name) == 0:
            break
        await asyncio.sleep(0.1)
    assert _connections(sessions, name) == 0


async def test_postgres_claims_recover_from_connections_the_server_dropped(
    pg_sessions: SessionFactory,
) -> None:
    sessions = pg_sessions
    name, claims = _named_claims(sessions, "dropped", 4)
    try:
        assert await claims.claim(1, None, utcnow()) == (True, None)  # the pool is open
        with sessions.begin() as session:  # the server drops the claims' connections
            dropped = session.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar_one()
        assert dropped >= 1
        outcomes: list[bool | Exception] = []
        for update_id in range(2, 6):
            try:
                outcomes.append((await claims.claim(update_id, None, utcnow()))[0])
            except psycopg.OperationalError as error:
                outcomes.append(error)
        # At most the claims on connections dropped while idle fail; the rest take their updates.
        failed = [o for o in outcomes if isinstance(o, Exception)]
        assert len(failed) <= dropped and outcomes[-1] is True
    finally:
        await claims.close()
