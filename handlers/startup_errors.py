"""The Telegram failures a deployment meets at start (a token Telegram rejects, a Bot API that
cannot be reached) as a ConfigError of one line naming the variable, instead of a traceback
that would carry the token (PTB's InvalidToken quotes it whole)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter

from bot.core.config import ConfigError, Settings

TELEGRAM = "https://api.telegram.org/bot"


@contextlib.contextmanager
def explained_telegram_failures(settings: Settings) -> Iterator[None]:
    """Turn InvalidToken (401/404 from getMe) and an unreachable Bot API into a ConfigError."""
    try:
        yield
    except InvalidToken:
        raise ConfigError(
            "BOT_TOKEN was rejected by the Bot API (Unauthorized): set it to the bot's current "
            "token from @BotFather (/mybots → API Token)"
            + ("; TELEGRAM_BASE_URL is set, check it too" if settings.telegram_base_url else "")
        ) from None
    except (BadRequest, RetryAfter):
        raise
    except NetworkError as error:  # TimedOut too; the base URL never holds the token
        where = settings.telegram_base_url or TELEGRAM
        raise ConfigError(
            f"TELEGRAM_BASE_URL: cannot reach the Bot API at {where} ({error.message}): "
            "check TELEGRAM_BASE_URL (unset means Telegram's own server) and the network"
        ) from None


async def check_telegram(settings: Settings) -> str:
    """Ask the Bot API who the bot is (getMe) before anything else starts; its username."""
    bot = Bot(
        settings.require_token(),
        base_url=settings.telegram_base_url or TELEGRAM,
        base_file_url=(settings.telegram_base_url or TELEGRAM).removesuffix("/bot") + "/file/bot",
    )
    with explained_telegram_failures(settings):
        async with bot:  # initialize() calls getMe
            return bot.username
