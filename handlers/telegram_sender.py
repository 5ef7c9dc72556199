"""bot.messaging.sender.Sender with python-telegram-bot: Telegram's errors become outcomes."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.messaging.sender import (
    Blocked,
    ChatGone,
    Migrated,
    Outcome,
    Rejected,
    Sent,
    Transient,
)
from bot.messaging.sender import (
    RetryAfter as RetryLater,
)
from bot.ui.render import Message
from handlers.keyboards import markup

_GONE = ("chat not found", "chat_id is empty", "peer_id_invalid", "user is deactivated")


class TelegramSender:
    """Sends digests and broadcasts through a PTB Bot (with its rate limiter, if the Application
    has one); with `paid_broadcast` (TELEGRAM_PAID_BROADCAST), every message is a paid broadcast
    (`allow_paid_broadcast`: up to 1000 messages/s, 0.1 Stars each)."""

    def __init__(self, bot: Bot, paid_broadcast: bool = False) -> None:
        self._bot = bot
        self._paid = True if paid_broadcast else None  # None: the parameter is not sent

    async def send(self, chat_id: int, messages: Sequence[Message]) -> Outcome:
        """Send the messages in order; the first failure decides the outcome."""
        sent: list[int] = []
        for message in messages:
            try:
                result = await self._bot.send_message(
                    chat_id,
                    message.html,
                    reply_markup=markup(message),
                    allow_paid_broadcast=self._paid,
                )
            except RetryAfter as error:
                return RetryLater(_seconds(error))
            except ChatMigrated as error:
                return Migrated(int(error.new_chat_id))
            except Forbidden as error:
                return Blocked(error.message)
            except BadRequest as error:
                text = error.message.lower()
                if any(marker in text for marker in _GONE):
                    return ChatGone(error.message)
                return Rejected(error.message)
            except (TimedOut, NetworkError) as error:
                return Transient(str(error))
            sent.append(result.message_id)
        return Sent(tuple(sent))


def _seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns about int vs timedelta on access
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
