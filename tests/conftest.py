"""Shared fixtures: a fresh, migrated store per test (SQLite file by default; PostgreSQL when
TEST_DATABASE_URL is set), and the real corpus ingested once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.search import SearchIndex
from bot.store.db import SessionFactory, make_engine, make_sessions, migrate

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
DB_FIXTURES = {"engine", "sessions", "corpus_sessions", "search_index", "running_bot"}
pytest_plugins = ["tests.fake_bot_api.fixtures"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that touches the store as `db`, so .ci/run can rerun them on PostgreSQL."""
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def _fresh_engine(directory: Path, schema: str = "test_store") -> Engine:
    if TEST_DATABASE_URL:
        schema = f"{schema}_{os.getpid()}"  # parallel runs (several checkouts) never collide
        # A PostgreSQL run must not silently fall back to SQLite: connection errors fail the test.
        # Each store gets its own schema, so the shared corpus survives the per-test resets.
        admin = make_engine(TEST_DATABASE_URL)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        separator = "&" if "?" in TEST_DATABASE_URL else "?"
        engine = make_engine(f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}")
    else:
        engine = make_engine(f"sqlite:///{directory / 'test.db'}")
    migrate(engine)
    return engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated, empty store."""
    engine = _fresh_engine(tmp_path)
    yield engine
    _drop_schema(engine)


def _drop_schema(engine: Engine) -> None:
    """Dispose of the engine; on PostgreSQL also drop its schema, so no run leaves tables behind."""
    engine.dispose()
    if TEST_DATABASE_URL:
        schema = engine.url.query["options"].removeprefix("-csearch_path=")
        admin = make_engine(TEST_DATABASE_URL)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def sessions(engine: Engine) -> SessionFactory:
    """Session factory on a fresh, empty store."""
    return make_sessions(engine)


@pytest.fixture(scope="session")
def _corpus_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from bot.ingest.pipeline import ingest  # imported here: the parsers load only when needed

    engine = _fresh_engine(tmp_path_factory.mktemp("corpus"), schema="test_corpus")
    ingest(make_sessions(engine))
    yield engine
    _drop_schema(engine)


@pytest.fixture
def corpus_sessions(_corpus_engine: Engine) -> SessionFactory:
    """Session factory on a store holding the real corpus (shared: do not modify it)."""
    return make_sessions(_corpus_engine)


@pytest.fixture(scope="session")
def search_index(_corpus_engine: Engine) -> SearchIndex:
    """The search index over the real corpus (built once)."""
    with make_sessions(_corpus_engine)() as session:
        return SearchIndex.load(session)
