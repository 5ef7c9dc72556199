"""What the Mini App's server needs from the running bot, passed in by whoever mounts it (the
webhook server in handlers/), so this package never reaches into Telegram's objects."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.config import Settings
from bot.core.flood import FloodGuard, FloodLimits, Verdict
from bot.search.live import LiveIndex
from bot.store.db import SessionFactory
from miniapp.auth import secret_key


@dataclass
class MiniAppServices:
    """Settings, store and index of this process, and the bot's username (known after getMe)."""

    settings: Settings
    sessions: SessionFactory
    index: LiveIndex
    bot_username: Callable[[], str] = lambda: ""
    secret: bytes = b""
    guard: FloodGuard = field(init=False)

    def __post_init__(self) -> None:
        if not self.secret:
            self.secret = secret_key(self.settings.require_token())
        limits = FloodLimits(
            self.settings.miniapp_rate_per_minute,
            self.settings.miniapp_burst,
            self.settings.flood_cooldown_seconds,
        )
        self.guard = FloodGuard(limits)

    def allow(self, user_id: int) -> bool:
        """One API call of `user_id` against its token bucket (False: over the limit)."""
        verdict = self.guard.check([("miniapp", user_id)], time.monotonic())
        return verdict is Verdict.ALLOW
