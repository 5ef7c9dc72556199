"""The pending-updates queue behind ``getUpdates``, with long polling and ``allowed_updates``.

As on Telegram: updates stay queued until a ``getUpdates`` call with a higher ``offset``
confirms them; a negative offset keeps only the last ``-offset`` updates; ``limit`` is clamped
to 1..100 and ``timeout`` to 0..50 s; a long poll answers as soon as an update arrives.
``allowed_updates`` is remembered from the last call that passed it (an empty list restores the
default: everything but chat_member, message_reaction and message_reaction_count) and, as
documented, it filters updates when they are *created*: already queued updates still arrive.
A newer ``getUpdates`` ends a pending one with 409 "Conflict: terminated by other getUpdates
request".
"""

from __future__ import annotations

import asyncio
from typing import Any

from .errors import ApiError

DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MAX_TIMEOUT = 50
TERMINATED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)


def update_type(update: dict[str, Any]) -> str:
    """The kind of an update: its one field besides ``update_id``."""
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Pending updates, numbered from ``first_update_id``."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.next_update_id = first_update_id
        self.pending: list[dict[str, Any]] = []
        self.allowed: frozenset[str] | None = None  # None: the default set
        self.dropped: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._generation = 0
        self.closed = False

    def is_allowed(self, kind: str) -> bool:
        """Whether updates of ``kind`` are currently delivered."""
        return kind in self.allowed if self.allowed is not None else kind not in DEFAULT_EXCLUDED

    def push(self, update: dict[str, Any]) -> int | None:
        """Queue ``update`` with the next id; None if ``allowed_updates`` filters it out."""
        if not self.is_allowed(update_type(update)):
            self.dropped.append(update)
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        self.pending.append({"update_id": update_id, **update})
        self._arrived.set()
        return update_id

    def set_allowed(self, allowed: list[Any] | None) -> None:
        """Apply an ``allowed_updates`` parameter (None: keep the previous setting)."""
        if allowed is None or not isinstance(allowed, list):
            return
        names = frozenset(str(name).lower() for name in allowed if isinstance(name, str))
        self.allowed = names or None

    def clear(self) -> None:
        """Drop every pending update (``drop_pending_updates``)."""
        self.pending.clear()

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset`` (or all but the last ``-offset`` when negative)."""
        if offset < 0:
            self.pending = self.pending[offset:]
        elif offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    async def get(self, offset: int, limit: int, wait_seconds: int) -> list[dict[str, Any]]:
        """Answer one ``getUpdates`` call, waiting up to ``wait_seconds`` for an update."""
        self._generation += 1
        generation = self._generation
        self._wake_pollers()
        self.confirm(offset)
        limit = min(max(limit, 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(wait_seconds, 0), MAX_TIMEOUT)
        while not self.pending and not self.closed:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                break
            if generation != self._generation:
                raise ApiError(409, TERMINATED, raw=True)
        return self.pending[:limit]

    def _wake_pollers(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    def close(self) -> None:
        """Release every pending long poll (server shutdown)."""
        self.closed = True
        self._arrived.set()
