"""How a replica claims each update (`processed_updates`), by store, without blocking the event
loop:

- PostgreSQL (psycopg): on the loop, through an asynchronous pool (`postgres_claims`);
- an SQLite file: on the loop when the write lock is free (`db.inline_claim_sessions`), else in a
  worker thread that waits for it;
- anything else (an in-memory SQLite, another backend): in a worker thread.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.store.chats import ChatState
from bot.store.db import SessionFactory, claim_sessions, inline_claim_sessions, is_lock_held
from bot.store.postgres_claims import PostgresClaims
from bot.store.processed_updates import claim_with_chat


class UpdateClaims:
    """The claim of updates on one store. `close` releases what the claims opened."""

    def __init__(self, sessions: SessionFactory, pool_size: int = 1) -> None:
        """`pool_size`: on PostgreSQL, the most connections the claims keep (DB_POOL_SIZE)."""
        self.sessions = claim_sessions(sessions)
        self.inline_sessions = inline_claim_sessions(sessions)
        engine = sessions.kw.get("bind")
        self.postgres = (
            PostgresClaims.for_engine(engine, pool_size) if isinstance(engine, Engine) else None
        )

    async def claim(
        self, update_id: int, chat_id: int | None, now: datetime
    ) -> tuple[bool, ChatState | None]:
        """(True if this call took the update, the chat's state when it did and `chat_id` has a
        row). Raises when the store cannot be reached."""
        if self.postgres is not None:
            return await self.postgres.claim(update_id, chat_id, now)
        if self.inline_sessions is not None:
            try:
                return claim_with_chat(self.inline_sessions, update_id, chat_id, now)
            except OperationalError as error:
                if not is_lock_held(error):
                    raise
        # Another writer (a digest run, the background writer) holds SQLite's write lock, or the
        # store has no claim on the loop: waiting must not block the event loop.
        return await asyncio.to_thread(claim_with_chat, self.sessions, update_id, chat_id, now)

    async def close(self) -> None:
        if self.postgres is not None:
            await self.postgres.close()
