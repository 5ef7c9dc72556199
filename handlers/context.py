"""The services every handler uses, and a CallbackContext that exposes them with types."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.core.config import Settings
from bot.search.live import LiveIndex
from bot.store.chats import ChatState
from bot.store.db import SessionFactory
from bot.store.deferred_writes import DeferredWrites
from bot.store.models import utcnow


@dataclass
class Services:
    """Shared state of one bot process."""

    settings: Settings
    sessions: SessionFactory
    index: LiveIndex
    writes: DeferredWrites  # query log, saved searches, chat touches: stored in the background
    bot_username: str = ""  # filled in at start-up from getMe
    last_tick: datetime | None = None  # last digest scheduler run (health)
    started_at: datetime = field(default_factory=utcnow)  # process uptime for /admin


UNKNOWN: Any = object()  # BotContext.stored_language before the store was asked

# The update's chat as read with its claim (handlers.processing), in the same worker-thread
# transaction: (chat id, its state or None for a chat never heard from). Unset when the claim
# could not read it; handlers then ask the store themselves.
PREFETCHED_CHAT: ContextVar[tuple[int, ChatState | None] | None] = ContextVar(
    "prefetched_chat", default=None
)


def prefetched_chat(chat_id: int) -> tuple[bool, ChatState | None]:
    """(known, state): whether this update's claim read `chat_id`, and what it found."""
    found = PREFETCHED_CHAT.get()
    if found is None or found[0] != chat_id:
        return False, None
    return True, found[1]


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with `services`. One is made per update and handler, so what it notes
    (the chat's stored language) is fresh for each update."""

    stored_language: str | None = UNKNOWN
    stored_compact: bool | None = UNKNOWN  # the chat's chosen layout, read with its language

    @property
    def services(self) -> Services:
        """This process's services (set by build_application)."""
        return self.application.bot_data["services"]

    # PTB types this property with a context type variable that nothing binds, so a caller could
    # not pass it on as a BotApplication; the Application that makes a BotContext is one.
    @property
    def application(self) -> BotApplication:  # type: ignore[override]  # narrows PTB's unbound type
        """The Application that made this context."""
        return self._application  # type: ignore[return-value]  # see above: PTB's unbound type


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
