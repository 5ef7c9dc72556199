"""/compare 主題: which organisation proposed what on one topic, one block per organisation on
one screen (fewer lines in groups), and a "more" button per organisation."""

from __future__ import annotations

from telegram import Update

from bot.search import Filters
from bot.search.compare import PER_ORG, compare
from bot.ui import actions
from bot.ui.compare_view import compare_messages, compare_org_messages, compare_usage
from bot.ui.i18n import t
from bot.ui.render import Message
from handlers.common import language_of, load_saved, observe_chat, reply, send_all
from handlers.context import BotContext
from handlers.query_log import record_search

PER_ORG_MORE = 8  # proposals with quotes behind an organisation's "more" button


async def compare_command(update: Update, context: BotContext) -> None:
    """/compare TOPIC: the comparison; without a topic, how to use it."""
    language = language_of(update, context)
    topic = " ".join(context.args or []).strip()
    chat = update.effective_chat
    if not topic or chat is None:
        await reply(update, compare_usage(language))
        return
    services = context.services
    observe_chat(update, context)
    key = services.writes.save_query(topic, Filters())
    compact = chat.type != "private"
    index = services.index.get()
    comparison = compare(index, topic, per_org=PER_ORG, language=language)
    names = index.sources.org_names_en if language == "en" else None
    messages = compare_messages(language, comparison, services.bot_username, names, compact, key)
    await send_all(update, messages)
    record_search(services, topic, chat.type, comparison.total)


async def compare_more_button(update: Update, context: BotContext) -> None:
    """cm:<key>:<org> — one organisation's proposals on the compared topic, in a new message."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    language = language_of(update, context)
    stored = None
    if query is not None and action is not None and len(action.args) == 2:
        stored = load_saved(context, action.args[0])
    messages: list[Message] = []
    if stored is not None and action is not None:
        index = context.services.index.get()
        names = index.sources.org_names_en if language == "en" else None
        comparison = compare(index, stored.text, per_org=PER_ORG_MORE, language=language)
        bot_username = context.services.bot_username
        messages = compare_org_messages(language, comparison, action.args[1], bot_username, names)
    if query is None:
        return
    if not messages:
        await query.answer(t(language, "search.expired"), show_alert=True)
        return
    await query.answer()
    await send_all(update, messages)
