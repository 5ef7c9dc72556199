"""Engine, sessions and migrations. Core functions take a Session and never commit; callers own
the unit of work (`with sessions.begin() as session:`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import CursorResult, Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.dml import Delete, Update

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

SessionFactory = sessionmaker[Session]


# A store that does not answer must not hold a member (or /healthz) for the whole outage.
CONNECT_TIMEOUT_SECONDS = 2  # PostgreSQL: give up connecting after this (libpq's minimum)
POOL_TIMEOUT_SECONDS = 5  # PostgreSQL: wait at most this for a free pooled connection
BUSY_TIMEOUT_SECONDS = 5  # SQLite: wait at most this for another writer's lock


def make_engine(
    url: str, pool_size: int = 5, *, sync_every_commit: bool = True, wait_for_lock: bool = True
) -> Engine:
    """An engine for SQLite (foreign keys on, WAL, busy timeout) or PostgreSQL (pooled,
    pre-ping, connect and pool timeouts). On SQLite, `sync_every_commit=False` commits with
    `synchronous=NORMAL` instead of FULL (see `claim_sessions`), and `wait_for_lock=False`
    fails at once ("database is locked") where another writer holds the lock, and leaves the
    write-ahead log's checkpoints to the other connections (see `inline_claim_sessions`)."""
    if url.startswith("sqlite"):
        busy = BUSY_TIMEOUT_SECONDS if wait_for_lock else 0
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy})
        event.listen(engine, "connect", _sqlite_pragmas)
        if not sync_every_commit:
            event.listen(engine, "connect", _sqlite_normal_sync)
        if not wait_for_lock:
            event.listen(engine, "connect", _sqlite_never_wait)
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


def _sqlite_never_wait(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")
    cursor.execute("PRAGMA wal_autocheckpoint=0")  # a checkpoint syncs: the others run them
    cursor.close()


def _sqlite_normal_sync(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def claim_sessions(sessions: SessionFactory) -> SessionFactory:
    """Sessions for the per-update claim (and the chat read that shares its transaction).

    On an SQLite file: a second engine on the same file whose commits are not synced to disk one
    by one (`synchronous=NORMAL` in WAL mode; every other write keeps FULL). Such a commit is
    atomic and survives the process crashing or being killed, but a power cut or an OS crash may
    undo the commits made since the write-ahead log was last synced. For a claim that is
    harmless: every replica of an SQLite store goes down with the machine, and Telegram resends
    only an update whose webhook call it did not see answered 200, so an undone claim can at
    worst let such a resend be answered a second time (where a kept claim would have let it be
    lost). It saves one fsync per update.
    Elsewhere (PostgreSQL, an in-memory SQLite): `sessions` itself."""
    engine = sessions.kw.get("bind")
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return sessions
    database = engine.url.database
    if not database or database == ":memory:" or "mode=memory" in str(engine.url):
        return sessions
    relaxed = make_engine(engine.url.render_as_string(hide_password=False), sync_every_commit=False)
    return make_sessions(relaxed)


def inline_claim_sessions(sessions: SessionFactory) -> SessionFactory | None:
    """On an SQLite file, sessions for claiming an update on the event loop itself: as
    `claim_sessions`, but never waiting for the write lock (a claim that finds it held fails at
    once with "database is locked", see `is_lock_held`, and the caller claims in a worker thread
    instead) and never checkpointing the write-ahead log (its sync stays off the loop). An
    uncontended claim takes a fraction of a millisecond, less than handing it to a thread and
    back. None elsewhere (PostgreSQL: a claim is a network round trip, always in a thread)."""
    relaxed = claim_sessions(sessions)
    if relaxed is sessions:
        return None
    engine = relaxed.kw["bind"]
    url = engine.url.render_as_string(hide_password=False)
    return make_sessions(make_engine(url, sync_every_commit=False, wait_for_lock=False))


def is_lock_held(error: BaseException) -> bool:
    """Whether an SQLite error says another connection holds the lock (so waiting might help)."""
    text = str(getattr(error, "orig", error)).lower()
    return isinstance(error, sa_exc.OperationalError) and ("locked" in text or "busy" in text)


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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent; run on every start). A store already at the
    single head revision is left alone without loading alembic (a tenth of a second or more of
    every command's start)."""
    if revision == "head" and _current_revision(engine) in {_head_revision()} - {None}:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*"([^"]*)"', re.MULTILINE)


def _head_revision() -> str | None:
    """The one revision no other revision follows, read from the migration files; None when
    there is not exactly one (then alembic decides)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if name == "revision" else followed).add(value)
    heads = revisions - followed
    return heads.pop() if len(heads) == 1 else None


def _current_revision(engine: Engine) -> str | None:
    """The store's revision (alembic_version), None when it has none or cannot say."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except sa_exc.SQLAlchemyError:
        return None
    return rows[0][0] if len(rows) == 1 else None


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
