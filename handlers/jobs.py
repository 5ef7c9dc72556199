"""The scheduler inside `python -m bot run`: one repeating JobQueue tick sends what is due.
Due times live in the store, so a restart loses nothing; the tick only looks."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.digest.deliver import DeliveryOptions, send_due
from bot.store.models import utcnow
from handlers.context import BotContext
from handlers.telegram_sender import TelegramSender

log = logging.getLogger(__name__)

TICK_SECONDS = 60


async def digest_tick(context: BotContext) -> None:
    """Send every due digest (a digest missed while the bot was down goes out once, within the
    grace period)."""
    services = context.services
    settings = services.settings
    options = DeliveryOptions(
        zone=settings.timezone,
        bot_username=services.bot_username,
        grace=timedelta(hours=settings.digest_grace_hours),
    )
    # On shutdown (SIGTERM) the Application stops running: finish the chat in flight, no more.
    report = await send_due(
        services.sessions,
        TelegramSender(context.bot, services.settings.telegram_paid_broadcast),
        options,
        should_stop=lambda: not context.application.running,
    )
    services.last_tick = utcnow()
    if report.counts:
        log.info("digest tick: %s", dict(report.counts))
