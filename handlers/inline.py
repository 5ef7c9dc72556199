"""Inline mode: `@bot 烈酒稅` in any chat, 20 results a page, each dropping the proposal and its
citation into the conversation."""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)

from bot.search import Filters, SearchResult
from bot.store.corpus import get_recommendations
from bot.ui import actions
from bot.ui.i18n import pick_language, t
from bot.ui.views import inline_description, inline_text, inline_title
from handlers.common import search_answer
from handlers.context import BotContext
from handlers.query_log import inline_logger

PAGE = 20
# Telegram caches an answer for CACHE_SECONDS (cache_time) for everyone typing the same query; a
# replica keeps its own pages as long, so a query that reaches it again (another replica's
# answer cached, a page asked twice) is not searched and rendered again. A page remembers the
# index it came from (weakly: an old index is not kept alive), so after a reload (new corpus) no
# query is answered from an older page.
CACHE_SECONDS = 60
CACHE_PAGES = 512
_PAGES = "inline_pages"

Page = tuple[list[InlineQueryResultArticle], str | None, int]  # articles, next offset, total


async def answer_inline(update: Update, context: BotContext) -> None:
    """Answer an inline query with one page of results and the offset of the next."""
    query = update.inline_query
    if query is None:
        return
    language = pick_language(None, query.from_user.language_code)
    offset = int(query.offset) if query.offset.isdigit() else 0
    index = context.services.index.get()
    pages: OrderedDict[tuple[str, str, int], tuple[float, weakref.ref[object], Page]] = (
        context.application.bot_data.setdefault(_PAGES, OrderedDict())
    )
    key = (language, query.query, offset)
    now = time.monotonic()
    cached = pages.get(key)
    if cached is not None and now - cached[0] < CACHE_SECONDS and cached[1]() is index:
        page = cached[2]
    else:
        page = await _page(context, language, query.query, offset)
        pages[key] = (now, weakref.ref(index), page)
        pages.move_to_end(key)
        while len(pages) > CACHE_PAGES:
            pages.popitem(last=False)
    articles, next_offset, total = page
    if query.query.strip() and offset == 0:  # later pages: the same query scrolled, not a new one
        inline_logger(context).saw(query.from_user.id, query.query, total)
    # Nothing found: a button above the (empty) list says so and opens the search in a private
    # chat, where "did you mean" and the closest proposals are offered.
    nothing = not articles and not offset and query.query.strip()
    button = _nothing_found(context, language, query.query) if nothing else None
    # Personal: the results are in the user's language, so Telegram must not serve one user's
    # cached answer to another.
    await query.answer(
        articles,
        next_offset=next_offset,
        cache_time=CACHE_SECONDS,
        is_personal=True,
        button=button,
    )


def _nothing_found(context: BotContext, language: str, text: str) -> InlineQueryResultsButton:
    key = context.services.writes.save_query(text, Filters())  # stored by the background writer
    return InlineQueryResultsButton(
        t(language, "inline.no_results_button"), start_parameter=actions.query_payload(key)
    )


async def _page(context: BotContext, language: str, text: str, offset: int) -> Page:
    """One page of inline results for `text` (the featured proposals for an empty query), in the
    reader's language."""
    if text.strip():
        answer = await search_answer(
            context, text, limit=PAGE, offset=offset, filters=None, language=language
        )
        results, total = answer.results, answer.total
    else:
        results = _featured(context)
        results, total = results[offset : offset + PAGE], len(results)
    more = offset + PAGE < total
    # None (not ""), or PTB's Defaults turn the empty string into [] and Telegram rejects it.
    return _articles(context, language, results), str(offset + PAGE) if more else None, total


def _featured(context: BotContext) -> list[SearchResult]:
    """For an empty query: the first proposal of each policy area."""
    seen: set[str] = set()
    featured = []
    for record in context.services.index.get().records:
        area = record.areas[0] if record.areas else ""
        if area not in seen:
            seen.add(area)
            featured.append(SearchResult(record, 0.0, ()))
    return featured


def _articles(
    context: BotContext, language: str, results: list[SearchResult]
) -> list[InlineQueryResultArticle]:
    username = context.services.bot_username
    with context.services.sessions() as session:
        rows = {row.id: row for row in get_recommendations(session, [r.record.id for r in results])}
        articles = []
        for result in results:
            row = rows.get(result.record.id)
            if row is None:
                continue
            # A featured proposal (empty query) matched nothing: no sentence to show for it.
            matched = result if result.highlights or result.passage else None
            link = actions.deep_link(username, actions.record_payload(row.id))
            articles.append(
                InlineQueryResultArticle(
                    id=row.id,
                    title=inline_title(row),
                    description=inline_description(language, row, matched),
                    input_message_content=InputTextMessageContent(
                        inline_text(language, row, matched)
                    ),
                    reply_markup=InlineKeyboardMarkup(
                        [[InlineKeyboardButton(t(language, "inline.read_full"), url=link)]]
                    ),
                )
            )
    return articles
