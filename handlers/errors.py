"""The global error handler: log with context, tell the user briefly (that the service is busy
when the store could not be reached, else that something went wrong), never crash."""

from __future__ import annotations

import logging

from telegram import Update

from bot.core.update_outcome import ERROR, mark_outcome
from bot.store.db import is_store_outage
from bot.ui.i18n import pick_language, t
from handlers.context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with what update caused it; answer the user if there is one."""
    described = _describe(update)
    mark_outcome(ERROR)  # the update's log line says outcome=error
    log.error("error while handling %s", described, exc_info=context.error)
    if not isinstance(update, Update):
        return
    user = update.effective_user
    language = pick_language(None, user.language_code if user else None)  # no store needed
    # A store outage is worth a second try in a moment; anything else is our fault.
    key = "errors.store_busy" if is_store_outage(context.error) else "errors.generic"
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t(language, key), show_alert=True)
        elif update.effective_chat is not None and update.effective_message is not None:
            await update.effective_chat.send_message(t(language, key))
    except Exception:  # the error reply itself failed (e.g. chat gone): logging is all we can do
        log.warning("could not tell the user about the error", exc_info=True)


def _describe(update: object) -> str:
    if not isinstance(update, Update):
        return repr(update)[:200]
    chat = update.effective_chat
    kind = next(
        (
            name
            for name in ("message", "callback_query", "inline_query", "my_chat_member")
            if getattr(update, name) is not None
        ),
        "update",
    )
    return f"{kind} #{update.update_id} in {chat.type if chat else 'no'} chat"
