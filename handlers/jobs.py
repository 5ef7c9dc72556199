"""The scheduler inside `python -m bot run`: one repeating JobQueue tick sends what is due.
Due times live in the store, so a restart loses nothing; the tick only looks."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.digest.alerts import alert_new_documents
from bot.digest.deliver import DeliveryOptions, send_due
from bot.store.models import utcnow
from handlers.context import BotContext
from handlers.telegram_sender import TelegramSender

log = logging.getLogger(__name__)

TICK_SECONDS = 60


async def digest_tick(context: BotContext) -> None:
    """Send every queued "new document" alert, then every due digest (a digest missed while the
    bot was down goes out once, within the grace period)."""
    services = context.services
    settings = services.settings
    options = DeliveryOptions(
        zone=settings.timezone,
        bot_username=services.bot_username,
        grace=timedelta(hours=settings.digest_grace_hours),
    )
    index = services.index.get()
    sender = TelegramSender(context.bot, services.settings.telegram_paid_broadcast)

    def stopping() -> bool:  # on SIGTERM the Application stops running: finish the one in flight
        return not context.application.running

    # New documents (ingested by any process): "notify at once" alerts first.
    alerts = await alert_new_documents(services.sessions, sender, options, index, stopping)
    if alerts.counts:
        log.info("topic alerts: %s", dict(alerts.counts))
    # Followed topics are searched once per tick, for every due chat following them.
    report = await send_due(services.sessions, sender, options, should_stop=stopping, index=index)
    services.last_tick = utcnow()
    if report.counts:
        log.info("digest tick: %s", dict(report.counts))
