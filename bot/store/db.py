"""Engine, sessions and migrations. Core functions take a Session and never commit; callers own
the unit of work (`with sessions.begin() as session:`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import CursorResult, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.dml import Delete, Update

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

SessionFactory = sessionmaker[Session]


# A store that does not answer must not hold a member (or /healthz) for the whole outage.
CONNECT_TIMEOUT_SECONDS = 2  # PostgreSQL: give up connecting after this (libpq's minimum)
POOL_TIMEOUT_SECONDS = 5  # PostgreSQL: wait at most this for a free pooled connection
BUSY_TIMEOUT_SECONDS = 5  # SQLite: wait at most this for another writer's lock


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """An engine for SQLite (foreign keys on, WAL, busy timeout) or PostgreSQL (pooled,
    pre-ping, connect and pool timeouts)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


def changed_rows(session: Session, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE (without RETURNING) and return how many rows it changed."""
    result = session.execute(statement)
    # Such a statement always yields a CursorResult, which has the row count; Session.execute is
    # typed for any statement, so the narrowing happens here, once.
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} has no row count")
    return result.rowcount


def make_sessions(engine: Engine) -> SessionFactory:
    """The session factory; `expire_on_commit=False` so rows stay readable after a unit of work."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration pointing at the packaged migrations and this engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent; run on every start)."""
    command.upgrade(alembic_config(engine), revision)


def is_store_outage(error: BaseException | None) -> bool:
    """True for a transient failure to reach the store (connection refused or lost, timeout,
    database locked or unopenable, pool exhausted), as opposed to a bug or a bad query. Looks
    through the exception's causes, since callers may wrap it."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, sa_exc.OperationalError | sa_exc.TimeoutError):
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False
