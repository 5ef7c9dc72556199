"""Why the store cannot be opened, as one line that names DATABASE_URL and says what to do
(instead of the driver's traceback). Never repeats the URL's password."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.store.db import CONNECT_TIMEOUT_SECONDS as CONNECT_TIMEOUT


def describe_store_error(error: Exception, url: str) -> str:
    """One line for an error met while connecting to the store at `url`."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return (
            "DATABASE_URL is not a database URL: set it to sqlite:///bot.store.db or postgres://…"
        )
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(error, parsed)
    return _postgres(error, parsed)


def _reason(error: Exception) -> str:
    """The driver's own message, first line only."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


def _sqlite(error: Exception, url: URL) -> str:
    path = Path(url.database or "")
    if url.database and not path.parent.is_dir():
        return (
            f"DATABASE_URL names an SQLite file in the folder {path.parent}, which does not "
            "exist: create the folder, or set DATABASE_URL to a file in an existing folder"
        )
    return (
        f"DATABASE_URL: cannot open the SQLite file {path} ({_reason(error)}): check that the "
        "file and its folder are writable by this process"
    )


def _postgres(error: Exception, url: URL) -> str:
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    reason = _reason(error)
    lowered = reason.lower()
    if "connection refused" in lowered:
        return (
            f"DATABASE_URL: the PostgreSQL server at {where} refuses connections: check the "
            "host and port in DATABASE_URL, and that the server is running"
        )
    if "does not exist" in lowered and "database" in lowered:
        return (
            f"DATABASE_URL: the database {url.database!r} does not exist on the PostgreSQL "
            f"server at {where}: create it (createdb {url.database}) or fix its name in "
            "DATABASE_URL"
        )
    if "resolve host" in lowered or "translate host name" in lowered:
        return (
            f"DATABASE_URL: the host {url.host!r} cannot be found: check the host name in "
            "DATABASE_URL"
        )
    if "timeout" in lowered or "timed out" in lowered:
        return (
            f"DATABASE_URL: the PostgreSQL server at {where} did not answer within "
            f"{CONNECT_TIMEOUT} s: check the host and port in DATABASE_URL and the network"
        )
    if "authentication" in lowered or "password" in lowered:
        return (
            f"DATABASE_URL: the PostgreSQL server at {where} refused the user "
            f"{url.username!r}: check the user name and password in DATABASE_URL"
        )
    return f"DATABASE_URL: cannot connect to the database at {where} ({reason}): check DATABASE_URL"
