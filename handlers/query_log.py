"""Writing the anonymous query log from Telegram searches and which answer was opened after
which query, and the daily purge of both (and of answer votes, bot.store.feedback).

Only the text, the time, the kind of chat and the number of results are stored for a search,
and the folded query, the recommendation and the time for an opened answer; the user and chat
ids are used for nothing here except, for inline mode, to tell one typist's keystrokes apart in
memory (never stored)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from bot.search.normalize import fold_query
from bot.store.feedback import log_open, purge_feedback
from bot.store.query_log import purge_query_log
from handlers.context import BotContext, Services

log = logging.getLogger(__name__)

INLINE_PAUSE_SECONDS = 2.0  # an inline query counts once its typist has paused this long
PURGE_INTERVAL_SECONDS = 24 * 3600
_INLINE_LOGGER = "inline_query_logger"


def record_search(services: Services, text: str, chat_type: str, results: int) -> None:
    """Log one search: handed to the background writer (bot.store.deferred_writes), stored within
    a fraction of a second; a failure to log never spoils the search."""
    services.writes.log_query(text, chat_type, results)


def record_open(services: Services, text: str, record_id: str) -> None:
    """Log, anonymously, that `record_id` was opened from the results of query `text` (folded);
    a failure to log never spoils the opening."""
    try:
        with services.sessions.begin() as session:
            log_open(
                session,
                fold_query(text),
                record_id,
                retention_days=services.settings.query_log_retention_days,
            )
    except SQLAlchemyError:
        log.exception("could not log an opened answer")


@dataclass
class _Pending:
    text: str
    results: int
    timer: asyncio.TimerHandle


class InlineQueryLogger:
    """Telegram sends an inline query for every keystroke (烈, 烈酒, 烈酒稅…). This logs a
    typist's query only once they pause for INLINE_PAUSE_SECONDS, i.e. its final form; a query
    still pending when the process stops is lost (at most a few seconds' worth)."""

    def __init__(self, services: Services, pause: float = INLINE_PAUSE_SECONDS) -> None:
        self._services = services
        self._pause = pause
        self._pending: dict[int, _Pending] = {}  # in memory only, keyed by the typist

    def saw(self, typist: int, text: str, results: int) -> None:
        """A (first-page) inline query: replace the typist's pending one and restart the wait."""
        previous = self._pending.pop(typist, None)
        if previous is not None:
            previous.timer.cancel()
        if not text.strip():
            return
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self._pause, self._flush, typist)
        self._pending[typist] = _Pending(text, results, timer)

    def _flush(self, typist: int) -> None:
        pending = self._pending.pop(typist, None)
        if pending is not None:
            record_search(self._services, pending.text, "inline", pending.results)


def inline_logger(context: BotContext) -> InlineQueryLogger:
    """The application's inline query logger (created on first use)."""
    bot_data = context.application.bot_data
    if _INLINE_LOGGER not in bot_data:
        bot_data[_INLINE_LOGGER] = InlineQueryLogger(context.services)
    logger: InlineQueryLogger = bot_data[_INLINE_LOGGER]
    return logger


async def purge_job(context: BotContext) -> None:
    """Daily: delete query log entries, answer votes and opened-answer entries older than
    QUERY_LOG_RETENTION_DAYS."""
    services = context.services
    days = services.settings.query_log_retention_days
    with services.sessions.begin() as session:
        removed = purge_query_log(session, days)
        feedback = purge_feedback(session, days)
    if removed or feedback:
        log.info(
            "query log: purged %d entries and %d feedback rows past retention", removed, feedback
        )
