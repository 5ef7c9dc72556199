"""Sending with retries, shared by digests and broadcasts: wait out flood control, back off on
network errors, give up after a few attempts."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.messaging.sender import Outcome, RetryAfter, Sender, Transient
from bot.ui.render import Message

MAX_ATTEMPTS = 5
MAX_WAIT = 60.0  # seconds; a longer retry_after leaves the message for the next run


async def send_with_retries(
    sender: Sender, chat_id: int, messages: Sequence[Message], backoff: float
) -> Outcome:
    """Honour retry_after, back off on network errors; give up after MAX_ATTEMPTS."""
    outcome: Outcome = Transient("not attempted")
    for attempt in range(MAX_ATTEMPTS):
        outcome = await sender.send(chat_id, messages)
        if isinstance(outcome, RetryAfter):
            if outcome.seconds > MAX_WAIT:
                return Transient(f"retry after {outcome.seconds}s")
            await asyncio.sleep(outcome.seconds)
        elif isinstance(outcome, Transient):
            await asyncio.sleep(backoff * 2**attempt)
        else:
            return outcome
    return outcome
