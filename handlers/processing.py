"""How each update is processed: claimed once across replicas, handled in order per chat (and,
with UPDATE_CONCURRENCY above 1, concurrently across chats), timed, and logged in exactly one
INFO line.

    update id=812 type=message chat=private outcome=handled latency_ms=12.3

Outcomes: handled, ignored (no handler matched), duplicate (claimed by another replica or an
earlier delivery), error, throttled (marked by a flood limiter, see bot.core.update_outcome).
The line never carries message text or the token; PTB logs whole updates only at DEBUG.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.core.update_outcome import (
    DUPLICATE,
    ERROR,
    HANDLED,
    Outcome,
    begin_update,
    end_update,
)
from bot.store.deferred_writes import DeferredWrites
from bot.store.models import utcnow
from bot.store.processed_updates import purge_processed_updates
from bot.store.update_claims import UpdateClaims
from handlers.context import PREFETCHED_CHAT, BotContext

log = logging.getLogger("handlers.updates")

PURGE_SECONDS = 6 * 3600


class ChatLocks:
    """One asyncio lock per chat (or user), dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def run(self, key: int | None, coroutine: Awaitable[Any]) -> None:
        """Await `coroutine` while holding `key`'s lock (no lock for None)."""
        if key is None:
            await coroutine
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def update_kind(update: Update) -> str:
    """The update's type: message, callback_query, inline_query, …"""
    return next((kind for kind in Update.ALL_TYPES if getattr(update, kind, None)), "unknown")


def chat_kind(update: Update) -> str:
    """The chat type the update came from ("inline" for inline queries, "-" without a chat)."""
    if update.effective_chat is not None:
        return str(update.effective_chat.type)
    return "inline" if update.inline_query is not None else "-"


def order_key(update: Update) -> int | None:
    """Updates with the same key are handled one after another: the chat, else the user."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class ClaimingUpdateProcessor(BaseUpdateProcessor):
    """The Application's update processor (ApplicationBuilder.concurrent_updates)."""

    def __init__(
        self, claims: UpdateClaims, writes: DeferredWrites, max_concurrent: int = 1
    ) -> None:
        super().__init__(max_concurrent)
        self.claims = claims
        self.writes = writes
        self._chats = ChatLocks()
        self.in_flight = 0  # updates taken off the queue and not finished (for /healthz)
        self.last_progress = time.monotonic()  # when an update last started or finished

    async def use_claims(self, claims: UpdateClaims) -> None:
        """Claim on another store from now on (releasing what the current claims opened)."""
        previous, self.claims = self.claims, claims
        await previous.close()

    def stuck(self, backlog: int, limit: float) -> bool:
        """True when updates wait (`backlog` queued, or some in flight) and none has started or
        finished for `limit` seconds."""
        waiting = backlog + self.in_flight
        return waiting > 0 and time.monotonic() - self.last_progress > limit

    async def initialize(self) -> None:
        """Start the background writer of the writes handlers defer (Application.initialize)."""
        self.writes.start()

    async def shutdown(self) -> None:
        """Store the deferred writes (Application.shutdown: after stop has handled every queued
        update, so the last update's writes are in), then release the claims' connections."""
        try:
            await self.writes.close()
        finally:
            await self.claims.close()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Claim, then handle in chat order; one log line whatever happens. Nothing but
        cancellation escapes: an exception here would end PTB's update fetcher, and with it the
        handling of every later update."""
        self.in_flight += 1
        self.last_progress = time.monotonic()
        try:
            await self._process(update, coroutine)
        except Exception:
            log.exception("update processing failed; going on with the next update")
        finally:
            self.in_flight -= 1
            self.last_progress = time.monotonic()

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):  # e.g. an error object put on the queue
            await coroutine
            return
        started = time.perf_counter()
        record, token = begin_update(HANDLED)  # handlers.app's last handler marks IGNORED

        async def claim_and_handle() -> None:
            if await self._claim(
                update.update_id, order_key(update) if update.effective_chat else None
            ):
                await coroutine
            else:
                record.outcome = DUPLICATE
                # PTB types it Awaitable, but hands over a coroutine: never started, so closed
                coroutine.close()  # type: ignore[attr-defined]

        try:
            # The chat's place in line is taken before the first await, in arrival order.
            await self._chats.run(order_key(update), claim_and_handle())
        except BaseException:
            record.outcome = ERROR
            raise
        finally:
            end_update(token)
            try:
                _log_update(update, record.outcome, (time.perf_counter() - started) * 1000)
            except Exception:  # bookkeeping must never stop update processing
                log.warning("could not log an update", exc_info=True)

    async def _claim(self, update_id: int, chat_id: int | None) -> bool:
        """Claim the update and, in the same transaction, read its chat's state for the handler
        (PREFETCHED_CHAT: the handlers' read of the chat without another unit of work)."""
        PREFETCHED_CHAT.set(None)  # nothing read yet for this update
        try:
            claimed, state = await self.claims.claim(update_id, chat_id, utcnow())
        except Exception:  # store unreachable: answering twice beats never answering
            log.warning("could not claim update %r; handling it anyway", update_id, exc_info=True)
            return True
        if claimed and chat_id is not None:
            PREFETCHED_CHAT.set((chat_id, state))  # this task's context: this update only
        return claimed


def _log_update(update: Update, outcome: Outcome, latency_ms: float) -> None:
    fields = {
        "update_id": update.update_id,
        "update_type": update_kind(update),
        "chat_type": chat_kind(update),
        "outcome": outcome,
        "latency_ms": round(latency_ms, 1),
    }
    log.info(
        "update id=%(update_id)d type=%(update_type)s chat=%(chat_type)s outcome=%(outcome)s "
        "latency_ms=%(latency_ms).1f",
        fields,
        extra=fields,
    )


async def purge_processed(context: BotContext) -> None:
    """JobQueue job: forget claims older than the retention (every replica may run it)."""
    with context.services.sessions.begin() as session:
        removed = purge_processed_updates(session, utcnow())
    if removed:
        log.info("purged %d processed update ids", removed)
