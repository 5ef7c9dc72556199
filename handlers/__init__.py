"""Telegram handlers (python-telegram-bot v22): parse an update, call bot/, render, reply."""

import os

# Opt in to python-telegram-bot's future behaviour (durations as timedelta) so that a 429's
# retry_after does not raise a deprecation warning inside the library; we read both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from handlers.app import build_application  # after the opt-in above

__all__ = ["build_application"]
