"""/stats for admins: the insight tables as text and the charts as photos. Anyone else gets what
an unknown command gets (the command is filtered out before it reaches this handler), so
nothing reveals that it exists."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message as TelegramMessage
from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import filters

from bot.admin.charts import insight_charts
from bot.admin.insight import Insight, collect
from bot.admin.insight_view import insight_messages
from bot.store.models import utcnow
from bot.ui.dates import date_in_zone
from bot.ui.i18n import html, t
from bot.ui.render import Message
from handlers.common import is_admin_user, language_of, reply, send_all
from handlers.context import BotContext, Services

log = logging.getLogger(__name__)


class FromAdmin(filters.MessageFilter):
    """A message whose sender is in ADMIN_IDS (read from the settings on every update)."""

    def __init__(self, services: Services) -> None:
        super().__init__(name="FromAdmin")
        self._services = services

    def filter(self, message: TelegramMessage) -> bool:
        return is_admin_user(self._services, message.from_user)


async def stats_command(update: Update, context: BotContext) -> None:
    """/stats: tables, then the charts (rendered off the event loop). Private chats only: the
    figures are not for a group's members."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or not is_admin_user(context.services, user):
        return  # the filter already stops these; checked again on every call
    language = language_of(update, context)
    if chat.type != "private":
        await reply(update, Message(t(language, "insight.private_only")))
        return
    services = context.services
    # Off the event loop: the feedback tables read the search's vocabulary (a fraction of a second).
    insight = await asyncio.to_thread(_collect, services)
    await send_all(update, insight_messages(language, insight))
    await chat.send_chat_action(ChatAction.UPLOAD_PHOTO)
    charts = await asyncio.to_thread(insight_charts, language, insight)
    today = date_in_zone(language, utcnow(), services.settings.timezone)  # as the tables count
    caption = html(language, "insight.chart_caption", date=today)
    for chart in charts:
        await chat.send_photo(chart.png, caption=caption, filename=f"{chart.name}.png")


def _collect(services: Services) -> Insight:
    """Every /stats figure in one read-only unit of work."""
    with services.sessions() as session:
        return collect(session, services.settings.timezone, index=services.index.get())
