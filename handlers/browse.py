"""Reading: /rec and the result buttons (full view, similar proposals), /areas, /sources."""

from __future__ import annotations

from collections import Counter

from telegram import Update

from bot.core.text import clip
from bot.search import SearchResult, related
from bot.store.areas import get_area
from bot.store.corpus import get_recommendation, list_recommendations, list_sources
from bot.ui import actions
from bot.ui.i18n import html, t
from bot.ui.render import Message
from bot.ui.views import (
    PAGE_SIZE,
    Feedback,
    area_page_message,
    areas_message,
    record_messages,
    related_message,
    sources_messages,
)
from handlers.common import (
    deep_link_value,
    edit,
    language_of,
    load_saved,
    miniapp_links,
    remember_chat,
    reply,
    send_all,
)
from handlers.context import BotContext
from handlers.query_log import record_open

ID_SHOWN = 64  # UTF-16 units of an unknown ID repeated back


async def rec_command(update: Update, context: BotContext) -> None:
    """/rec ID — a recommendation in full."""
    language = language_of(update, context)
    if not context.args:
        await reply(update, Message(html(language, "rec.usage_html")))
        return
    remember_chat(update, context)
    await send_record(update, context, context.args[0])


async def record_link(update: Update, context: BotContext) -> None:
    """/start rec_<id> (a deep link): the recommendation's full view."""
    remember_chat(update, context)
    await send_record(update, context, deep_link_value(context))


async def send_record(
    update: Update, context: BotContext, record_id: str, feedback: Feedback | None = None
) -> None:
    """Send the full view of a recommendation (or say there is none with that ID); `feedback`:
    with the 👍/👎 row."""
    language = language_of(update, context)
    with context.services.sessions() as session:
        record = get_recommendation(session, record_id[:64])
        if record is None:
            shown = clip(record_id, ID_SHOWN, one_line=True)
            await reply(update, Message(html(language, "rec.not_found_html", id=shown)))
            return
        messages = record_messages(
            language,
            record,
            bot_username=context.services.bot_username,
            feedback=feedback,
            miniapp=miniapp_links(update, context),
        )
    await send_all(update, messages)


async def open_button(update: Update, context: BotContext) -> None:
    """r:<id>[:<key>] — open a result in full (a new message, so the list stays usable). From a
    search (`key`), the opening is logged anonymously against the folded query and, in a private
    chat, the full view asks whether it helped (👍/👎; in a group one message is shared by all,
    so one member's vote would stand for everyone's)."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    if query is None or action is None or len(action.args) not in (1, 2):
        return
    await query.answer()
    record_id = action.args[0]
    feedback = None
    if len(action.args) == 2:
        key = action.args[1]
        stored = load_saved(context, key)  # perhaps still with the background writer
        known = context.services.index.get().position_of(record_id) is not None
        if stored is not None and known:
            record_open(context.services, stored.text, record_id)
            chat = update.effective_chat
            if chat is not None and chat.type == "private":
                feedback = Feedback(key)
    await send_record(update, context, record_id, feedback)


async def related_button(update: Update, context: BotContext) -> None:
    """rel:<id> — similar proposals from other organisations."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    if query is None or action is None or len(action.args) != 1:
        return
    await query.answer()
    language = language_of(update, context)
    index = context.services.index.get()
    position = index.position_of(action.args[0])
    title = index.records[position].title if position is not None else action.args[0]
    found = related(index, action.args[0])
    await reply(update, related_message(language, title, found))


async def areas_command(update: Update, context: BotContext) -> None:
    """/areas — the policy areas with their counts."""
    remember_chat(update, context)
    await reply(update, _areas(update, context))


async def areas_button(update: Update, context: BotContext) -> None:
    """areas — back to the list of areas."""
    if update.callback_query:
        await update.callback_query.answer()
    await edit(update, _areas(update, context))


def _areas(update: Update, context: BotContext) -> Message:
    counts = Counter(
        area for record in context.services.index.get().records for area in record.areas[:1]
    )
    return areas_message(language_of(update, context), dict(counts))


async def area_button(update: Update, context: BotContext) -> None:
    """a:<area>:<page> — one page of an area's recommendations, in document order."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    if query is None or action is None or len(action.args) != 2 or not action.args[1].isdigit():
        return
    language = language_of(update, context)
    try:
        area = get_area(action.args[0])
    except KeyError:
        await query.answer(t(language, "areas.unknown"), show_alert=True)
        return
    await query.answer()
    records = [r for r in context.services.index.get().records if r.areas[:1] == (area.id,)]
    page = min(int(action.args[1]), max(0, (len(records) - 1) // PAGE_SIZE))
    shown = records[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    results = [SearchResult(record, 0.0, ()) for record in shown]
    await edit(update, area_page_message(language, area, results, page, len(records)))


async def sources_command(update: Update, context: BotContext) -> None:
    """/sources — the documents, with counts and ID prefixes."""
    remember_chat(update, context)
    language = language_of(update, context)
    with context.services.sessions() as session:
        counts = Counter(record.source_id for record in list_recommendations(session))
        sources = [(source, counts[source.id]) for source in list_sources(session)]
        messages = sources_messages(language, sources)
    await send_all(update, messages)
