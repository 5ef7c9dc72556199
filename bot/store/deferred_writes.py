"""Writes an answer does not wait for: the anonymous query log, saved searches (the keys behind
paging and narrowing buttons) and "last heard from" chat touches. Handlers hand them over in
memory; one background writer stores everything pending in one short transaction every
FLUSH_SECONDS, off the event loop, and once more when the process stops (after the last queued
update is answered), so nothing handed over is lost on a graceful stop (SIGTERM).

Until it is flushed a saved search is still found by this process (`pending_query`); another
replica sees it after the flush, well before anyone can press a button on the message.
If the store cannot be reached, the writes stay pending and are retried at the next flush (up
to MAX_PENDING query log entries; past that the oldest log entries are dropped, with a warning;
saved searches and chats are never dropped). A batch refused for another reason (a value the
store rejects) is stored write by write, so that one bad write cannot hold back the rest; a
write refused on its own is logged and dropped. On SQLite and PostgreSQL each kind of write is
one statement (an upsert for chats and saved searches, so a chat's row written meanwhile by a
handler, or a search saved by another replica, is no conflict).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from bot.core.filters import Filters
from bot.store.chats import touch_chats
from bot.store.db import SessionFactory, is_store_outage
from bot.store.models import utcnow
from bot.store.query_log import log_queries
from bot.store.saved_queries import StoredSearch, query_key, save_queries

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.25
MAX_PENDING = 100_000
KNOWN_KEYS = 50_000  # saved keys remembered as stored (a repeated search writes nothing)


@dataclass(frozen=True)
class _LoggedQuery:
    text: str
    chat_type: str
    results: int
    at: datetime


@dataclass(frozen=True)
class _SeenChat:
    chat_type: str
    title: str | None
    at: datetime


@dataclass
class _Batch:
    queries: list[_LoggedQuery]
    saved: dict[str, tuple[StoredSearch, datetime]]
    chats: dict[int, _SeenChat]

    def __len__(self) -> int:
        return len(self.queries) + len(self.saved) + len(self.chats)


class DeferredWrites:
    """The pending writes of one process and the task that stores them."""

    def __init__(
        self, sessions: SessionFactory, retention_days: int, interval: float = FLUSH_SECONDS
    ) -> None:
        self._sessions = sessions
        self._retention_days = retention_days
        self._interval = interval
        self._lock = threading.Lock()  # enqueue on the loop, flush in a worker thread
        self._flushing = threading.Lock()  # one flush at a time (the loop's and a final one)
        self._pending = _Batch([], {}, {})
        self._known: dict[str, None] = {}  # keys stored already, oldest first
        self._task: asyncio.Task[None] | None = None

    # -- handing writes over (event loop; cheap, no I/O) --

    def log_query(self, text: str, chat_type: str, results: int) -> None:
        """Log one search (see bot.store.query_log.log_query: nothing when the log is off)."""
        if self._retention_days <= 0 or not text.strip():
            return
        with self._lock:
            queries = self._pending.queries
            queries.append(_LoggedQuery(text, chat_type, results, utcnow()))
            if len(queries) > MAX_PENDING:
                del queries[: len(queries) - MAX_PENDING]
                log.warning("query log: store unreachable, oldest pending entries dropped")

    def save_query(self, text: str, filters: Filters) -> str:
        """The search's key now; its row is stored with the next flush (unless known)."""
        key = query_key(text, filters)
        with self._lock:
            if key not in self._known and key not in self._pending.saved:
                self._pending.saved[key] = (StoredSearch(text, filters), utcnow())
        return key

    def pending_query(self, key: str) -> StoredSearch | None:
        """A saved search not stored yet (None if not pending here)."""
        with self._lock:
            entry = self._pending.saved.get(key)
        return entry[0] if entry else None

    def touch_chat(self, chat_id: int, chat_type: str, title: str | None) -> None:
        """Record that we heard from a chat (bot.store.chats.touch_chat, later)."""
        with self._lock:
            self._pending.chats[chat_id] = _SeenChat(chat_type, title, utcnow())

    @property
    def pending(self) -> int:
        """How many writes wait for the next flush."""
        with self._lock:
            return len(self._pending)

    # -- storing (worker thread) --

    def flush(self) -> int:
        """Store everything pending in one transaction; returns how many writes went (0 and
        the writes kept for the next try when the store fails)."""
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, _Batch([], {}, {})
            if not batch:
                return 0
            try:
                self._store(batch)
            except SQLAlchemyError as error:
                if not is_store_outage(error):  # e.g. a race on a new chat's row: one by one
                    return self._store_each(batch)
                log.warning("deferred writes failed; retried at the next flush", exc_info=True)
                self._restore(batch)
                return 0
            with self._lock:
                for key in batch.saved:
                    self._known[key] = None
                while len(self._known) > KNOWN_KEYS:
                    del self._known[next(iter(self._known))]
            return len(batch)

    def _store(self, batch: _Batch) -> None:
        """One transaction, one statement per kind of write (no ORM unit of work: at a few
        hundred updates a second its bookkeeping cost more than the writes)."""
        with self._sessions.begin() as session:
            touch_chats(
                session,
                {chat: (seen.chat_type, seen.title, seen.at) for chat, seen in batch.chats.items()},
            )
            save_queries(session, batch.saved)
            log_queries(
                session,
                [(q.text, q.chat_type, q.results, q.at) for q in batch.queries],
                retention_days=self._retention_days,
            )

    def _store_each(self, batch: _Batch) -> int:
        """Each write in its own transaction, after the batch as a whole was refused for a
        reason other than an outage (one bad write must not hold back the others forever): the
        ones that still fail are logged and dropped; an outage meanwhile keeps them all."""
        stored = 0
        singles = [_Batch([entry], {}, {}) for entry in batch.queries]
        singles += [_Batch([], {key: value}, {}) for key, value in batch.saved.items()]
        singles += [_Batch([], {}, {chat_id: seen}) for chat_id, seen in batch.chats.items()]
        for position, single in enumerate(singles):
            try:
                self._store(single)
            except SQLAlchemyError as error:
                if is_store_outage(error):
                    for rest in singles[position:]:
                        self._restore(rest)
                    return stored
                log.exception("deferred write refused by the store: dropped")
                continue
            stored += 1
            with self._lock:
                self._known.update(dict.fromkeys(single.saved))
        return stored

    def _restore(self, batch: _Batch) -> None:
        with self._lock:
            newer = self._pending
            newer.queries[:0] = batch.queries
            del newer.queries[: max(0, len(newer.queries) - MAX_PENDING)]
            newer.saved = {**batch.saved, **newer.saved}
            newer.chats = {**batch.chats, **newer.chats}

    # -- the background task (event loop) --

    def start(self) -> None:
        """Begin flushing every interval (on the running loop; idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="deferred-writes")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            if not self.pending:  # nothing handed over: no thread hand-off
                continue
            try:
                await asyncio.to_thread(self.flush)
            except Exception:  # the writer must outlive any one bad batch
                log.exception("deferred writes: flush failed")

    async def close(self) -> None:
        """Stop the task and store whatever is pending (call after the last update is handled)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await asyncio.to_thread(self.flush)
        if self.pending:
            log.error("deferred writes: %d writes could not be stored at shutdown", self.pending)
