"""What delivery needs from a messenger, and the outcomes it understands, grouped by meaning
(so delivery logic knows nothing of Telegram's exception classes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.ui.render import Message


@dataclass(frozen=True)
class Sent:
    """Delivered; the messages' ids."""

    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class RetryAfter:
    """Flood control still in force after the messenger's own waits and retries (its rate
    limiter owns 429s): delivery leaves the message for the next run."""

    seconds: float


@dataclass(frozen=True)
class Blocked:
    """The user blocked the bot or the bot was removed: stop writing to this chat."""

    reason: str


@dataclass(frozen=True)
class ChatGone:
    """The chat does not exist (any more): stop writing to it."""

    reason: str


@dataclass(frozen=True)
class Migrated:
    """The group became a supergroup with this id: move the subscriptions and retry there."""

    new_chat_id: int


@dataclass(frozen=True)
class Transient:
    """Network error or timeout: retry with backoff."""

    reason: str


@dataclass(frozen=True)
class Rejected:
    """Telegram refused this message (a bug on our side): record it, do not retry forever."""

    reason: str


Outcome = Sent | RetryAfter | Blocked | ChatGone | Migrated | Transient | Rejected


class Sender(Protocol):
    """Sends a digest (one or more messages) to a chat."""

    async def send(self, chat_id: int, messages: Sequence[Message]) -> Outcome:
        """Send every message in order; report the first problem as an outcome."""
        ...
