"""Telegram's flood limits on sending, switchable per test (off by default).

Telegram documents: about one message per second per chat (short bursts are tolerated), at most
20 messages per minute in one group, and about 30 messages per second overall. Exceeding them
answers 429 ``Too Many Requests: retry after N`` with ``parameters.retry_after = N``. A paid
broadcast (``allow_paid_broadcast``) ignores the overall 30/s: it counts towards its own limit of
1000 messages per second instead, and costs 0.1 Stars (counted in ``paid_messages``).

Modelled as a token bucket per chat (``per_chat_burst`` tokens, refilled at
``per_chat_per_second``), a sliding 60 s window per group and a sliding 1 s window overall.
A refused call is not counted.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from .errors import retry_after


@dataclass(frozen=True)
class FloodLimits:
    """The limits in force; every field can be overridden in ``FloodControl.enable``."""

    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    group_per_minute: int = 20
    global_per_second: int = 30
    paid_per_second: int = 1000
    count_edits: bool = False


@dataclass
class _Bucket:
    tokens: float
    updated: float


class FloodControl:
    """Counts sends and raises the 429 error when a limit is exceeded."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.enabled = False
        self.limits = FloodLimits()
        self._buckets: dict[int | str, _Bucket] = {}
        self._groups: dict[int | str, deque[float]] = {}
        self._global: deque[float] = deque()
        self._paid: deque[float] = deque()
        self.paid_messages = 0  # paid broadcasts sent (each 0.1 Stars on Telegram)

    def enable(self, **overrides: float | int | bool) -> None:
        """Turn the limits on, optionally overriding ``FloodLimits`` fields."""
        self.limits = replace(FloodLimits(), **overrides)  # type: ignore[arg-type]
        self.enabled = True
        self.reset()

    def disable(self) -> None:
        """Turn the limits off (the default)."""
        self.enabled = False

    def reset(self) -> None:
        """Forget every counted send."""
        self._buckets.clear()
        self._groups.clear()
        self._global.clear()
        self._paid.clear()
        self.paid_messages = 0

    def counts(self, method: str) -> bool:
        """Whether ``method`` sends a message (and so counts towards the limits)."""
        if method in ("sendChatAction", "sendMessageDraft"):
            return False
        if method.startswith(("send", "copyMessage", "forwardMessage")):
            return True
        return self.limits.count_edits and method.startswith("editMessage")

    def check(self, chat_id: int | str, is_group: bool, paid: bool = False) -> None:
        """Count one send to ``chat_id`` (a paid broadcast if ``paid``) or raise the 429
        ``ApiError``."""
        if not self.enabled:
            self.paid_messages += paid  # counted whether limits are on or not: what it costs
            return
        now = self.clock()
        limits = self.limits
        window = _trimmed(self._paid if paid else self._global, now - 1.0)
        if len(window) >= (limits.paid_per_second if paid else limits.global_per_second):
            raise retry_after(_seconds(window[0] + 1.0 - now))
        group = _trimmed(self._groups.setdefault(chat_id, deque()), now - 60.0)
        if is_group and len(group) >= limits.group_per_minute:
            raise retry_after(_seconds(group[0] + 60.0 - now))
        bucket = self._buckets.get(chat_id) or _Bucket(limits.per_chat_burst, now)
        tokens = min(
            limits.per_chat_burst,
            bucket.tokens + (now - bucket.updated) * limits.per_chat_per_second,
        )
        if tokens < 1:
            raise retry_after(_seconds((1 - tokens) / limits.per_chat_per_second))
        self._buckets[chat_id] = _Bucket(tokens - 1, now)
        window.append(now)
        self.paid_messages += paid  # a refused call is not charged
        if is_group:
            group.append(now)


def _trimmed(window: deque[float], since: float) -> deque[float]:
    while window and window[0] <= since:
        window.popleft()
    return window


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))
