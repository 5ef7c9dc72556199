"""What method handlers share: state, faults, flood control, and chat-access checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request
from .faults import Access, Faults, access_for
from .flood import FloodControl
from .state import GROUP_TYPES, State


@dataclass
class Answer:
    """A successful result with the optional ``description`` Telegram sometimes adds."""

    result: Any
    description: str | None = None


@dataclass
class Context:
    """Handler context: one per fake server."""

    state: State
    faults: Faults = field(default_factory=Faults)
    flood: FloodControl = field(default_factory=FloodControl)
    callback_query_ttl: float | None = 15.0  # seconds a callback query can be answered
    inline_query_ttl: float | None = 15.0

    def chat(self, method: str, chat_id: int | str, access: Access | None = None) -> int:
        """Resolve ``chat_id`` to a known chat and check access; return its numeric id."""
        chat = self.state.resolve_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        numeric = int(chat["id"])
        error = self.faults.chat_error(numeric, str(chat["type"]), access or access_for(method))
        if error is not None:
            raise error
        return numeric

    def count_send(self, method: str, chat_id: int, paid: bool = False) -> None:
        """Apply flood limits to a message being sent to ``chat_id`` (``paid``: the call set
        ``allow_paid_broadcast``)."""
        if self.flood.counts(method):
            is_group = self.state.chats[chat_id].get("type") in GROUP_TYPES
            self.flood.check(chat_id, is_group, paid)

    def fresh(self, pushed_at: float, ttl: float | None) -> bool:
        """Whether a query pushed at ``pushed_at`` can still be answered."""
        return ttl is None or time.monotonic() - pushed_at <= ttl


Handler = Callable[[Context, dict[str, Any]], Any]
