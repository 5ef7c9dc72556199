"""The store as the commands open it: connect, migrate, ingest the bundled documents on first
use; a store that cannot be opened is one line naming DATABASE_URL."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.core.config import ConfigError, Settings
from bot.store.db import SessionFactory, make_engine, make_sessions, migrate
from bot.store.errors import describe_store_error
from bot.store.models import Source

log = logging.getLogger(__name__)


def open_store(settings: Settings, *, ensure_corpus: bool = True) -> SessionFactory:
    """Connect, migrate to the latest schema, and ingest data/ on first use. A store that cannot
    be opened is a ConfigError of one line naming DATABASE_URL."""
    try:
        engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
        with engine.connect():
            pass
    except (SQLAlchemyError, ImportError) as error:
        raise ConfigError(describe_store_error(error, settings.database_url)) from None
    migrate(engine)
    sessions = make_sessions(engine)
    if ensure_corpus:
        ingest_if_empty(sessions)
    return sessions


def ingest_if_empty(sessions: SessionFactory) -> None:
    """Ingest data/sources/ into a store that has no source yet."""
    with sessions() as session:
        empty = session.scalars(select(Source.id).limit(1)).first() is None
    if empty:
        from bot.ingest.pipeline import ingest  # the parser only when there is work for it

        log.info("empty store: ingesting the bundled sources")
        ingest(sessions)


def close_store(sessions: SessionFactory) -> None:
    """Release the connection pool of a one-shot command (in-process callers, e.g. tests)."""
    engine = sessions.kw.get("bind")
    if engine is not None:
        engine.dispose()


def check_telegram(settings: Settings) -> str:
    """getMe before anything starts: a rejected token or an unreachable Bot API is one line.
    The bot's username."""
    from handlers.startup_errors import check_telegram as check  # Telegram only when needed

    return asyncio.run(check(settings))
