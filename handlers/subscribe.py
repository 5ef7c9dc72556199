"""Subscriptions: /subscribe (areas → frequency → weekday → hour), /subscriptions, /unsubscribe,
and "subscribe to this area" from a recommendation. In groups only administrators may change
them (checked with getChatMember on every change); anyone may read them."""

from __future__ import annotations

from telegram import Update

from bot.core.schedule import is_frequency
from bot.store.subscriptions import areas_of, describe, set_schedule, subscribe, unsubscribe
from bot.ui import actions
from bot.ui.i18n import t
from bot.ui.subscription_views import (
    area_picker,
    done_message,
    frequency_picker,
    hour_picker,
    summary_message,
    unsubscribe_picker,
    unsubscribed_message,
    weekday_picker,
)
from bot.ui.views import area_name
from handlers.common import edit, language_of, may_change, remember_chat, reply
from handlers.context import BotContext


async def subscribe_command(update: Update, context: BotContext) -> None:
    """/subscribe — the area picker."""
    remember_chat(update, context)
    chat = update.effective_chat
    if chat is None or not await may_change(update, context):
        return
    with context.services.sessions() as session:
        subscribed = areas_of(session, chat.id)
    await reply(update, area_picker(language_of(update, context), subscribed))


async def subscriptions_command(update: Update, context: BotContext) -> None:
    """/subscriptions — what this chat follows and when (anyone may look)."""
    remember_chat(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    with context.services.sessions() as session:
        current = describe(session, chat.id)
    zone = context.services.settings.timezone
    await reply(update, summary_message(language_of(update, context), current, zone))


async def unsubscribe_command(update: Update, context: BotContext) -> None:
    """/unsubscribe — pick areas to remove, or all."""
    chat = update.effective_chat
    if chat is None or not await may_change(update, context):
        return
    with context.services.sessions() as session:
        subscribed = areas_of(session, chat.id)
    await reply(update, unsubscribe_picker(language_of(update, context), subscribed))


async def subscribe_button(update: Update, context: BotContext) -> None:
    """sub:… — every step of the picker."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    chat = update.effective_chat
    if query is None or action is None or chat is None or not await may_change(update, context):
        return
    language = language_of(update, context)
    step, *args = action.args or ("",)
    zone = context.services.settings.timezone
    with context.services.sessions.begin() as session:
        if step == actions.SUB_TOGGLE and args:
            if args[0] in areas_of(session, chat.id):
                unsubscribe(session, chat.id, args[0])
            else:
                subscribe(session, chat.id, chat.type, [args[0]], zone)
            session.flush()
            message = area_picker(language, areas_of(session, chat.id))
        elif step in (actions.SUB_NEXT, actions.SUB_EDIT):
            message = (
                frequency_picker(language)
                if step == actions.SUB_NEXT
                else area_picker(language, areas_of(session, chat.id))
            )
        elif step == actions.SUB_FREQUENCY and args and is_frequency(args[0]):
            message = (
                weekday_picker(language)
                if args[0] == "weekly"
                else hour_picker(language, args[0], 0, zone)
            )
        elif step == actions.SUB_WEEKDAY and args and args[0].isdigit():
            message = hour_picker(language, "weekly", int(args[0]), zone)
        elif (
            step == actions.SUB_HOUR and len(args) == 3 and args[1].isdigit() and args[2].isdigit()
        ):
            set_schedule(session, chat.id, args[0], int(args[2]), int(args[1]), zone)
            session.flush()
            message = done_message(language, describe(session, chat.id), zone)
        elif step == actions.SUB_ONE and args:
            await _subscribe_one(update, context, args[0])
            return
        else:
            await query.answer()
            return
    await query.answer()
    await edit(update, message)


async def _subscribe_one(update: Update, context: BotContext, area: str) -> None:
    """sub:s:<area> from a recommendation: one tap, default weekly schedule if none yet."""
    chat = update.effective_chat
    query = update.callback_query
    assert chat is not None and query is not None
    language = language_of(update, context)
    with context.services.sessions.begin() as session:
        added = subscribe(session, chat.id, chat.type, [area], context.services.settings.timezone)
    key = "subscribe.subscribed_toast" if added else "subscribe.already_toast"
    await query.answer(t(language, key, area=area_name(language, area)))


async def unsubscribe_button(update: Update, context: BotContext) -> None:
    """unsub:<area> or unsub:all."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    chat = update.effective_chat
    if query is None or action is None or chat is None or not action.args:
        return
    if not await may_change(update, context):
        return
    target = action.args[0]
    with context.services.sessions.begin() as session:
        before = areas_of(session, chat.id)
        unsubscribe(session, chat.id, None if target == actions.ALL else target)
        session.flush()
        removed = [area for area in before if area not in areas_of(session, chat.id)]
    await query.answer()
    await edit(update, unsubscribed_message(language_of(update, context), removed))
