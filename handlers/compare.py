"""/compare 主題: which organisation proposed what on one topic, one block per organisation
(compact in groups)."""

from __future__ import annotations

from telegram import Update

from bot.search.compare import PER_ORG, PER_ORG_COMPACT, compare
from bot.ui.compare_view import compare_messages, compare_usage
from handlers.common import language_of, remember_chat, reply, send_all
from handlers.context import BotContext
from handlers.query_log import record_search


async def compare_command(update: Update, context: BotContext) -> None:
    """/compare TOPIC: the comparison; without a topic, how to use it."""
    language = language_of(update, context)
    topic = " ".join(context.args or []).strip()
    chat = update.effective_chat
    if not topic or chat is None:
        await reply(update, compare_usage(language))
        return
    remember_chat(update, context)
    services = context.services
    compact = chat.type != "private"
    index = services.index.get()
    per_org = PER_ORG_COMPACT if compact else PER_ORG
    comparison = compare(index, topic, per_org=per_org, language=language)
    names = index.sources.org_names_en if language == "en" else None
    messages = compare_messages(language, comparison, services.bot_username, names, compact)
    await send_all(update, messages)
    record_search(services, topic, chat.type, comparison.total)
