"""The answer feedback store: votes replaced by what the buttons say (never by who voted), opened
answers, the retention purge, and nothing kept when the log is off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from bot.store.db import SessionFactory
from bot.store.feedback import change_vote, log_open, purge_feedback
from bot.store.models import AnswerVote, QueryOpen

NOW = datetime(2026, 11, 25, 12, 0, 0, 700_000, tzinfo=UTC)


def _votes(sessions: SessionFactory) -> list[tuple[str, str, str, datetime]]:
    with sessions() as session:
        rows = session.scalars(select(AnswerVote).order_by(AnswerVote.id))
        return [(row.query, row.record_id, row.vote, row.at) for row in rows]


def test_vote_change_and_withdraw(sessions: SessionFactory) -> None:
    with sessions.begin() as session:  # two members vote up on the same answer, same second
        first = change_vote(
            session,
            "烈酒税",
            "bpa24-6",
            old=None,
            old_at=None,
            new="up",
            retention_days=90,
            now=NOW,
        )
        change_vote(
            session,
            "烈酒税",
            "bpa24-6",
            old=None,
            old_at=None,
            new="up",
            retention_days=90,
            now=NOW,
        )
    assert first == NOW.replace(microsecond=0)
    assert [vote for *_, vote, _ in _votes(sessions)] == ["up", "up"]
    later = NOW + timedelta(minutes=5)
    with sessions.begin() as session:  # one of them switches to down
        switched = change_vote(
            session,
            "烈酒税",
            "bpa24-6",
            old="up",
            old_at=first,
            new="down",
            retention_days=90,
            now=later,
        )
    assert sorted(vote for *_, vote, _ in _votes(sessions)) == ["down", "up"]
    with sessions.begin() as session:  # and withdraws it
        gone = change_vote(
            session,
            "烈酒税",
            "bpa24-6",
            old="down",
            old_at=switched,
            new=None,
            retention_days=90,
            now=later,
        )
    assert gone is None
    assert [(q, r, v) for q, r, v, _ in _votes(sessions)] == [("烈酒税", "bpa24-6", "up")]


def test_change_of_a_purged_vote_never_goes_below_zero(sessions: SessionFactory) -> None:
    old = NOW - timedelta(days=100)
    with sessions.begin() as session:
        change_vote(
            session, "中试", "cma24-6", old=None, old_at=None, new="up", retention_days=90, now=old
        )
        assert purge_feedback(session, 90, now=NOW) == 1
    with sessions.begin() as session:  # the buttons still say 👍 from 100 days ago
        change_vote(
            session, "中试", "cma24-6", old="up", old_at=old, new="down", retention_days=90, now=NOW
        )
        change_vote(
            session, "中试", "cma24-6", old="up", old_at=old, new=None, retention_days=90, now=NOW
        )
    assert [vote for *_, vote, _ in _votes(sessions)] == ["down"]


def test_a_change_removes_only_the_matching_vote(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        at = change_vote(
            session, "人才", "bpa24-1", old=None, old_at=None, new="up", retention_days=90, now=NOW
        )
        change_vote(
            session, "人才", "bpa24-2", old=None, old_at=None, new="up", retention_days=90, now=NOW
        )
        change_vote(
            session, "人材", "bpa24-1", old=None, old_at=None, new="up", retention_days=90, now=NOW
        )
        # Wrong vote or wrong second: nothing matches, nothing is removed.
        change_vote(session, "人才", "bpa24-1", old="down", old_at=at, new=None, retention_days=90)
        assert at is not None
        change_vote(
            session,
            "人才",
            "bpa24-1",
            old="up",
            old_at=at + timedelta(seconds=1),
            new=None,
            retention_days=90,
        )
    assert len(_votes(sessions)) == 3
    with sessions.begin() as session:
        change_vote(session, "人才", "bpa24-1", old="up", old_at=at, new=None, retention_days=90)
    assert {(q, r) for q, r, _, _ in _votes(sessions)} == {("人才", "bpa24-2"), ("人材", "bpa24-1")}


def test_unknown_vote_is_refused(sessions: SessionFactory) -> None:
    with sessions.begin() as session, pytest.raises(ValueError, match="vote"):
        change_vote(session, "x", "y", old=None, old_at=None, new="meh", retention_days=90)  # type: ignore[arg-type]


def test_retention_zero_stores_nothing(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        assert (
            change_vote(session, "x", "bpa24-6", old=None, old_at=None, new="up", retention_days=0)
            is None
        )
        assert log_open(session, "x", "bpa24-6", retention_days=0) is None
        assert log_open(session, "  ", "bpa24-6", retention_days=90) is None
    assert _votes(sessions) == []


def test_purge_keeps_only_rows_within_retention(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        for days in (1, 29, 31, 400):
            at = NOW - timedelta(days=days)
            log_open(session, f"q{days}", "bpa24-6", retention_days=30, now=at)
            change_vote(
                session,
                f"q{days}",
                "bpa24-6",
                old=None,
                old_at=None,
                new="down",
                retention_days=30,
                now=at,
            )
    with sessions.begin() as session:
        assert purge_feedback(session, 30, now=NOW) == 4
    with sessions() as session:
        opens = sorted(row.query for row in session.scalars(select(QueryOpen)))
    assert opens == ["q1", "q29"]
    assert sorted(q for q, *_ in _votes(sessions)) == ["q1", "q29"]
    with sessions.begin() as session:  # 0 days: everything goes
        assert purge_feedback(session, 0, now=NOW) == 4


def test_no_column_could_hold_who_or_where(sessions: SessionFactory) -> None:
    with sessions() as session:
        inspector = inspect(session.get_bind())
        for table in ("answer_votes", "query_opens"):
            columns = {column["name"] for column in inspector.get_columns(table)}
            assert columns <= {"id", "at", "query", "record_id", "vote"}, columns
