"""Inline mode: `@bot 烈酒稅` in any chat, 20 results a page, each dropping the proposal and its
citation into the conversation."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)

from bot.search import Filters, SearchResult, search
from bot.store.corpus import get_recommendations
from bot.store.saved_queries import save_query
from bot.ui import actions
from bot.ui.i18n import pick_language, t
from bot.ui.views import inline_description, inline_text, inline_title
from handlers.context import BotContext
from handlers.query_log import inline_logger

PAGE = 20


async def answer_inline(update: Update, context: BotContext) -> None:
    """Answer an inline query with one page of results and the offset of the next."""
    query = update.inline_query
    if query is None:
        return
    language = pick_language(None, query.from_user.language_code)
    offset = int(query.offset) if query.offset.isdigit() else 0
    index = context.services.index.get()
    if query.query.strip():
        answer = search(index, query.query, limit=PAGE, offset=offset, language=language)
        results, total = answer.results, answer.total
        if offset == 0:  # later pages are the same query scrolled, not a new one
            inline_logger(context).saw(query.from_user.id, query.query, total)
    else:
        results = _featured(context)
        results, total = results[offset : offset + PAGE], len(results)
    articles = _articles(context, language, results)
    more = offset + PAGE < total
    # Nothing found: a button above the (empty) list says so and opens the search in a private
    # chat, where "did you mean" and the closest proposals are offered.
    nothing = not articles and not offset and query.query.strip()
    button = _nothing_found(context, language, query.query) if nothing else None
    # None (not ""), or PTB's Defaults turn the empty string into [] and Telegram rejects it.
    # Personal: the results are in the user's language, so Telegram must not serve one user's
    # cached answer to another.
    await query.answer(
        articles,
        next_offset=str(offset + PAGE) if more else None,
        cache_time=60,
        is_personal=True,
        button=button,
    )


def _nothing_found(context: BotContext, language: str, text: str) -> InlineQueryResultsButton:
    with context.services.sessions.begin() as session:
        key = save_query(session, text, Filters())
    return InlineQueryResultsButton(
        t(language, "inline.no_results_button"), start_parameter=actions.query_payload(key)
    )


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
