"""Per-user and per-group flood protection, before any other handler (group -1).

Only requests count: a callback query, an inline query, or a text message some handler would act
on (so ordinary group conversation, edits and membership changes never do). Over the limit, the
sender gets one polite slow-down in their language per cool-down window (a message; for a button,
the callback answer; for inline mode, an empty answer cached briefly) and everything else is
dropped until tokens come back. Admins are exempt. The buckets live in this process's memory
(bot.core.flood): with several replicas each enforces its own share.
"""

from __future__ import annotations

import logging
import time

from telegram import InlineQueryResultsButton, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.core.flood import FloodGuard, FloodLimits, Verdict
from bot.core.update_outcome import THROTTLED, mark_outcome
from bot.ui import actions
from bot.ui.i18n import html, t
from bot.ui.render import Message
from handlers.common import is_admin, language_of, mark_ignored, reply
from handlers.context import BotApplication, BotContext, Services

log = logging.getLogger(__name__)

INLINE_CACHE_SECONDS = 5  # a refused inline query may be asked again soon
_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


def flood_handler(services: Services) -> TypeHandler[Update, BotContext, None]:
    """The handler to register in group -1: lets requests through, or answers the first one over
    the limit with a slow-down and stops the rest (ApplicationHandlerStop)."""
    settings = services.settings
    guard = FloodGuard(
        FloodLimits(
            settings.flood_rate_per_minute, settings.flood_burst, settings.flood_cooldown_seconds
        )
    )

    async def check(update: Update, context: BotContext) -> None:
        user = update.effective_user
        if user is None or is_admin(context, user) or not is_request(update, context.application):
            return
        keys: list[tuple[str, int]] = [("user", user.id)]
        chat = update.effective_chat
        if chat is not None and chat.type in _GROUPS:
            keys.append(("chat", chat.id))
        verdict = guard.check(keys, time.monotonic())
        if verdict is Verdict.ALLOW:
            return
        mark_outcome(THROTTLED)  # the update's log line says outcome=throttled
        if verdict is Verdict.WARN:
            log.info("flood: slowing down %s", keys)
            await slow_down(update, context)
        raise ApplicationHandlerStop

    return TypeHandler(Update, check)


def is_request(update: Update, application: BotApplication) -> bool:
    """A button press, an inline query, or a text message one of our handlers would take."""
    if update.callback_query is not None or update.inline_query is not None:
        return True
    message = update.message
    if message is None or not message.text:
        return False
    return any(
        handler.check_update(update)
        for handler in application.handlers.get(0, ())
        if handler.callback is not mark_ignored  # the catch-all that logs "ignored"
    )


async def slow_down(update: Update, context: BotContext) -> None:
    """Tell the sender, once, in their language, where they will see it."""
    language = language_of(update, context)
    text = t(language, "flood.slow_down")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text)
        elif update.inline_query is not None:
            button = InlineQueryResultsButton(text=text, start_parameter=actions.help_payload())
            await update.inline_query.answer(
                [], cache_time=INLINE_CACHE_SECONDS, is_personal=True, button=button
            )
        else:
            await reply(update, Message(html(language, "flood.slow_down")))
    except TelegramError:  # e.g. the query expired meanwhile: nothing more to do
        log.debug("could not send the slow-down notice", exc_info=True)
