"""Sending with retries, shared by digests and broadcasts: back off and retry on network errors,
give up after a few attempts. Flood control (429) is not retried here: the messenger's rate
limiter (PTB's AIORateLimiter, see handlers/app.py) owns 429s and has already waited them out."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.messaging.sender import Outcome, Sender, Transient
from bot.ui.render import Message

MAX_ATTEMPTS = 5  # tries of one message on network errors


async def send_with_retries(
    sender: Sender, chat_id: int, messages: Sequence[Message], backoff: float
) -> Outcome:
    """Back off and retry on network errors, up to MAX_ATTEMPTS."""
    outcome: Outcome = Transient("not attempted")
    for attempt in range(MAX_ATTEMPTS):
        outcome = await sender.send(chat_id, messages)
        if not isinstance(outcome, Transient):
            return outcome
        if attempt + 1 < MAX_ATTEMPTS:
            await asyncio.sleep(backoff * 2**attempt)
    return outcome
