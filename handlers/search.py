"""Searching: any text in a private chat, /search and /s anywhere, mentions and replies in groups,
and the paging / narrowing / "did you mean" buttons of a results page."""

from __future__ import annotations

import re

from telegram import Update

from bot.search import Filters, SearchResults
from bot.store.chats import compact_layout, compact_results, set_compact
from bot.store.saved_queries import StoredSearch
from bot.ui import actions
from bot.ui.i18n import t
from bot.ui.render import Message
from bot.ui.views import (
    COMPACT_SIZE,
    PAGE_SIZE,
    SearchPage,
    answer_message,
)
from handlers.common import (
    deep_link_value,
    edit,
    is_chat_admin,
    language_of,
    load_saved,
    miniapp_links,
    observe_chat,
    remember_chat,
    reply,
    search_answer,
)
from handlers.context import UNKNOWN, BotContext
from handlers.query_log import record_search

MAX_SUGGESTIONS = 3


async def search_private(update: Update, context: BotContext) -> None:
    """Any text in a private chat is a search."""
    message = update.effective_message
    if message is None or not message.text:
        return
    await start_search(update, context, message.text, compact=False)


async def search_command(update: Update, context: BotContext) -> None:
    """/search and /s: a search; compact in groups."""
    text = " ".join(context.args or [])
    if not text.strip():
        language = language_of(update, context)
        await reply(update, Message(t(language, "search.empty_query")))
        return
    await start_search(update, context, text, compact=_in_group(update))


async def search_mention(update: Update, context: BotContext) -> None:
    """A group message that mentions the bot or replies to it: search what it says."""
    message = update.effective_message
    if message is None or not message.text:
        return
    username = context.services.bot_username
    text = re.sub(rf"@{re.escape(username)}\b", " ", message.text, flags=re.IGNORECASE)
    if not text.strip():
        language = language_of(update, context)
        await reply(update, Message(t(language, "search.empty_query")))
        return
    await start_search(update, context, text, compact=True)


async def start_search(update: Update, context: BotContext, text: str, compact: bool) -> None:
    """Search, with one read of the chat (its language and layout); remembering the chat, saving
    the query (so buttons can refer to it) and logging it anonymously (paging and narrowing
    buttons are not logged again) go to the background writer; then send the first page."""
    observe_chat(update, context)
    stored = StoredSearch(text, Filters())
    answer = await _search_page(context, stored, 0, compact, language_of(update, context))
    chat = update.effective_chat
    key = context.services.writes.save_query(text, Filters())
    if chat is not None:
        record_search(context.services, text, chat.type, answer.total)
    await show_page(update, context, key, stored, 0, compact, editing=False, answer=answer)


async def _search_page(
    context: BotContext, stored: StoredSearch, page: int, compact: bool, language: str
) -> SearchResults:
    size = COMPACT_SIZE if compact else PAGE_SIZE
    return await search_answer(
        context,
        stored.text,
        limit=size,
        offset=page * size,
        filters=stored.filters,
        language=language,
    )


async def show_page(
    update: Update,
    context: BotContext,
    key: str,
    stored: StoredSearch,
    page: int,
    compact: bool,
    editing: bool,
    answer: SearchResults | None = None,
    all_facets: bool = False,
) -> SearchResults:
    """Render one page of a saved search (or the no-results answer) and send or edit it; returns
    the search's answer (`answer`: that page, when the caller has already searched)."""
    language = language_of(update, context)
    services = context.services
    answer = answer or await _search_page(context, stored, page, compact, language)
    if answer.total and not answer.results:  # a page past the end (results changed): the first
        return await show_page(update, context, key, stored, 0, compact, editing)
    sources = services.index.get().sources
    chat = update.effective_chat
    brief = compact
    if chat is not None and context.stored_compact is not UNKNOWN:  # read in this update
        brief = compact_layout(context.stored_compact, chat.type)
    elif chat is not None:
        with services.sessions() as session:
            brief = compact_results(session, chat.id, chat.type)
    names = sources.org_names_en if language == "en" else sources.org_names
    view = SearchPage(
        key,
        page,
        compact,
        services.bot_username,
        sources.kinds,
        names,
        sources.org_codes,
        removable=stored.filters,
        all_facets=all_facets,
        brief=brief,
        layout_toggle=answer.total > 1,  # one result reads the same either way
        miniapp=miniapp_links(update, context),
    )
    suggestions = _suggestion_keys(context, answer) if answer.total == 0 else []
    message = answer_message(language, answer, view, suggestions)
    await (edit(update, message) if editing else reply(update, message))
    return answer


def _suggestion_keys(context: BotContext, answer: SearchResults) -> list[tuple[str, str]]:
    writes = context.services.writes
    return [
        (suggestion, writes.save_query(suggestion, Filters()))
        for suggestion in answer.suggestions[:MAX_SUGGESTIONS]
    ]


async def page_button(update: Update, context: BotContext) -> None:
    """p:<key>:<page> — another page of a saved search."""
    action = actions.decode(update.callback_query.data if update.callback_query else None)
    if action is None or len(action.args) != 2 or not action.args[1].isdigit():
        await _expired(update, context)
        return
    key, page = action.args[0], int(action.args[1])
    await _show_saved(update, context, key, page)


async def narrow_button(update: Update, context: BotContext) -> None:
    """n:<key>:<o|a>:<value> — the same search limited to one organisation or area."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    if query is None or action is None or len(action.args) != 3:
        await _expired(update, context)
        return
    key, kind, value = action.args
    stored = load_saved(context, key)
    org = (
        context.services.index.get().sources.org_codes.get(value)
        if kind == actions.NARROW_ORG
        else None
    )
    if stored is None or (kind == actions.NARROW_ORG and org is None):
        await _expired(update, context)
        return
    extra = Filters(orgs=frozenset({org})) if org else Filters(areas=frozenset({value}))
    await _show_filtered(update, context, stored.text, stored.filters.merge(extra))


async def unnarrow_button(update: Update, context: BotContext) -> None:
    """u:<key>[:<o|a>:<value>] — the same search without one narrowing filter, or without any."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    if query is None or action is None or len(action.args) not in (1, 3):
        await _expired(update, context)
        return
    stored = load_saved(context, action.args[0])
    if stored is None:
        await _expired(update, context)
        return
    filters = Filters()
    if len(action.args) == 3:
        _, kind, value = action.args
        codes = context.services.index.get().sources.org_codes
        kept = stored.filters
        filters = Filters(
            kept.orgs - {codes.get(value, "")} if kind == actions.NARROW_ORG else kept.orgs,
            kept.areas - {value} if kind == actions.NARROW_AREA else kept.areas,
            kept.sources,
            kept.years,
        )
    await _show_filtered(update, context, stored.text, filters)


async def facets_button(update: Update, context: BotContext) -> None:
    """f:<key>:<page> — the same page with every narrowing button."""
    action = actions.decode(update.callback_query.data if update.callback_query else None)
    if action is None or len(action.args) != 2 or not action.args[1].isdigit():
        await _expired(update, context)
        return
    await _show_saved(update, context, action.args[0], int(action.args[1]), all_facets=True)


async def layout_button(update: Update, context: BotContext) -> None:
    """v:<key>:<page>:<c|f> — a chat switches its results layout (in groups, an administrator
    only: anyone else is told so); then the page again, as the chat shows it."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    chat = update.effective_chat
    if (
        query is None
        or action is None
        or chat is None
        or len(action.args) != 3
        or not action.args[1].isdigit()
        or action.args[2] not in (actions.LAYOUT_COMPACT, actions.LAYOUT_FULL)
    ):
        await _expired(update, context)
        return
    key, page, layout = action.args
    group = chat.type != "private"
    if group and not await is_chat_admin(context, chat.id, query.from_user.id):
        language = language_of(update, context)
        await query.answer(t(language, "layout.group_only_admins"), show_alert=True)
        return
    with context.services.sessions.begin() as session:
        set_compact(session, chat.id, chat.type, layout == actions.LAYOUT_COMPACT)
    await _show_saved(update, context, key, int(page), compact=group)


async def _show_filtered(update: Update, context: BotContext, text: str, filters: Filters) -> None:
    """The first page of `text` under `filters` (saved under its own key), in place."""
    new_key = context.services.writes.save_query(text, filters)
    if update.callback_query:
        await update.callback_query.answer()
    stored = StoredSearch(text, filters)
    await show_page(update, context, new_key, stored, 0, compact=False, editing=True)


async def _show_saved(
    update: Update,
    context: BotContext,
    key: str,
    page: int,
    all_facets: bool = False,
    compact: bool = False,
) -> None:
    stored = load_saved(context, key)
    if stored is None:
        await _expired(update, context)
        return
    if update.callback_query:
        await update.callback_query.answer()
    await show_page(
        update, context, key, stored, page, compact=compact, editing=True, all_facets=all_facets
    )


async def saved_query_link(update: Update, context: BotContext) -> None:
    """/start q_<key> (a deep link, e.g. a group's "all results" button): the saved search."""
    remember_chat(update, context)
    await show_saved_query(update, context, deep_link_value(context))


async def show_saved_query(update: Update, context: BotContext, key: str) -> None:
    """Deep link q_<key> (the group's "all results" button): the full list, in a new message."""
    stored = load_saved(context, key)
    if stored is None:
        await _expired(update, context)
        return
    await show_page(update, context, key, stored, 0, compact=False, editing=False)


async def _expired(update: Update, context: BotContext) -> None:
    language = language_of(update, context)
    if update.callback_query:
        await update.callback_query.answer(t(language, "search.expired"), show_alert=True)
    else:
        await reply(update, Message(t(language, "search.expired")))


def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in ("group", "supergroup")
