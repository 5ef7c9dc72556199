"""The query log's store side: what is kept, and the retention purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.core.config import ConfigError, load_settings
from bot.store.db import SessionFactory
from bot.store.models import QueryLogEntry, utcnow
from bot.store.query_log import MAX_LOGGED_CHARS, log_query, purge_query_log


def test_retention_setting_defaults_and_validates() -> None:
    assert load_settings({}).query_log_retention_days == 90
    assert load_settings({"QUERY_LOG_RETENTION_DAYS": "7"}).query_log_retention_days == 7
    with pytest.raises(ConfigError, match="QUERY_LOG_RETENTION_DAYS"):
        load_settings({"QUERY_LOG_RETENTION_DAYS": "-1"})


def test_text_is_trimmed_and_capped(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        log_query(session, "  北部  都會區 \n", "private", 3, retention_days=90)
        log_query(session, "字" * 2000, "group", 0, retention_days=90)
        assert log_query(session, "   ", "private", 0, retention_days=90) is None
    with sessions() as session:
        texts = [entry.text for entry in session.scalars(select(QueryLogEntry))]
    assert texts == ["北部 都會區", "字" * MAX_LOGGED_CHARS]


def test_retention_zero_keeps_no_log(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        assert log_query(session, "中試", "private", 1, retention_days=0) is None
    with sessions() as session:
        assert session.scalars(select(QueryLogEntry)).first() is None


def test_unknown_chat_type_is_refused(sessions: SessionFactory) -> None:
    with sessions.begin() as session, pytest.raises(ValueError, match="chat type"):
        log_query(session, "中試", "somewhere", 1, retention_days=90)


def test_purge_removes_only_entries_past_retention(sessions: SessionFactory) -> None:
    now = utcnow()
    with sessions.begin() as session:
        for days, text in ((1, "recent"), (29, "edge"), (31, "old"), (400, "ancient")):
            log_query(session, text, "private", 1, retention_days=30, at=now - timedelta(days=days))
    with sessions.begin() as session:
        assert purge_query_log(session, 30, now=now) == 2
    with sessions() as session:
        left = sorted(entry.text for entry in session.scalars(select(QueryLogEntry)))
    assert left == ["edge", "recent"]
    with sessions.begin() as session:
        assert purge_query_log(session, 0, now=now) == 2
