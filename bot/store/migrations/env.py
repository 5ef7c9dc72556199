"""Alembic environment: runs migrations on the engine handed over by `bot.store.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine: Engine | None = config.attributes.get("engine")
    if engine is not None:
        return engine
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic: no engine handed over and no sqlalchemy.url set")
    return create_engine(url)


def run_migrations() -> None:
    """Online migrations only: the engine comes from bot.store.db (or a URL for the alembic CLI)."""
    with _engine().begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations()
