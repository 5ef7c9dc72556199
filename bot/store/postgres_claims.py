"""PostgreSQL: the per-update claim on the event loop, through psycopg's asynchronous pool.

The claim (`processed_updates.claim_with_chat`) is one statement in autocommit mode, a single
round trip. Run through SQLAlchemy in a worker thread, each claim also paid the hand-over to the
thread and back, the engine's per-execution bookkeeping and the pool's pre-ping (a second round
trip): about a fifth of a replica's CPU per update. Here it is the same statement, compiled once,
sent on a pooled asynchronous connection without leaving the loop.

What the pool does not do per checkout is ping: a connection broken since its last use (the
server restarted, a proxy dropped it) fails its claim, which the caller handles as "store
unreachable", and after such a failure every idle connection is checked before the next claim
takes one.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from functools import cache
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect

from bot.store.chats import ChatState
from bot.store.db import CONNECT_TIMEOUT_SECONDS, POOL_TIMEOUT_SECONDS
from bot.store.processed_updates import claim_and_read_statement

# A claim (waiting for a connection included) that takes longer is given up: the store counts as
# unreachable for that update.
CLAIM_TIMEOUT_SECONDS = POOL_TIMEOUT_SECONDS
# How the claims' connections show in pg_stat_activity.
APPLICATION_NAME = "hk-policy-bot update claims"


@cache
def claim_sql() -> str:
    """The claim-and-read statement as psycopg runs it (named %(…)s parameters)."""
    return claim_and_read_statement().compile(dialect=psycopg_dialect.dialect()).string


class PostgresClaims:
    """Claims on a pool of asynchronous connections in autocommit mode, opened at the first claim
    (a pool needs a running event loop) and closed by `close`."""

    def __init__(self, connect_kwargs: dict[str, Any], max_size: int) -> None:
        self._pool = AsyncConnectionPool(
            kwargs={
                "application_name": APPLICATION_NAME,  # unless the URL names one
                **connect_kwargs,
                "autocommit": True,
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            },
            min_size=1,
            max_size=max(1, max_size),
            open=False,
            # With every connection busy, a claim's wait is milliseconds; with none to be had
            # (the server down or silent) the pool only retries in the background, so a claim
            # gives up as a connection attempt would.
            timeout=CONNECT_TIMEOUT_SECONDS,
            name="update-claims",
        )
        self._opened = False

    @classmethod
    def for_engine(cls, engine: Engine, max_size: int) -> PostgresClaims | None:
        """Claims on the engine's database, connecting as the engine does (same host, user,
        options); None unless the engine is PostgreSQL through psycopg."""
        if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
            return None
        _, connect_kwargs = engine.dialect.create_connect_args(engine.url)
        connect_kwargs.pop("context", None)  # SQLAlchemy's type adapters: plain psycopg here
        return cls(dict(connect_kwargs), max_size)

    async def claim(
        self, update_id: int, chat_id: int | None, now: datetime
    ) -> tuple[bool, ChatState | None]:
        """As `processed_updates.claim_with_chat`: (taken by this call, the chat's state)."""
        if not self._opened:
            self._opened = True
            await self._pool.open(wait=False)
        values = {"update_id": update_id, "received_at": now, "chat_id": chat_id}
        try:
            async with asyncio.timeout(CLAIM_TIMEOUT_SECONDS):
                async with self._pool.connection() as connection:
                    cursor = await connection.execute(claim_sql(), values)
                    row = await cursor.fetchone()
        except psycopg.OperationalError:
            # Likely a connection broken while idle; others may be too: check them all before
            # the next claims take one.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLAIM_TIMEOUT_SECONDS):
                    await self._pool.check()
            raise
        if row is None:
            return False, None
        if row[1] is None:  # taken; the chat is new
            return True, None
        kind, title, language, compact, active, updated_at = row[1:]
        return True, ChatState(kind, title, language, compact, active, updated_at.astimezone(UTC))

    async def close(self) -> None:
        """Close the pool's connections (a no-op before the first claim)."""
        if self._opened:
            await self._pool.close()
