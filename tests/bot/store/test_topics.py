"""Followed topics in the store: one per folded key and chat, at most MAX_TOPICS, the schedule
follows (created on the first topic, stopped with the last thing followed), groups migrate."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.core.filters import Filters
from bot.store.db import SessionFactory
from bot.store.models import DigestSchedule
from bot.store.subscriptions import move_subscriptions, subscribe, unsubscribe
from bot.store.topics import (
    MAX_TOPICS,
    FollowResult,
    follow,
    set_notify_now,
    topics_of,
    unfollow,
)

pytestmark = pytest.mark.db
ZONE = ZoneInfo("Asia/Hong_Kong")


def test_follow_limits_and_schedule(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        result, topic = follow(session, 1, "private", "北都", "北都", Filters(), ZONE)
        assert result is FollowResult.ADDED and topic is not None
        again, same = follow(session, 1, "private", "北部都會區", "北都", Filters(), ZONE)
        assert again is FollowResult.ALREADY and same is not None and same.id == topic.id
        assert session.get(DigestSchedule, 1).active
        for n in range(1, MAX_TOPICS):
            assert follow(session, 1, "private", f"t{n}", f"t{n}", Filters(), ZONE)[0] is (
                FollowResult.ADDED
            )
        assert follow(session, 1, "private", "one more", "one more", Filters(), ZONE) == (
            FollowResult.FULL,
            None,
        )
        assert set_notify_now(session, 1, topic.id, True)
        assert not set_notify_now(session, 2, topic.id, True)  # not that chat's topic
    with sessions() as session:
        topics = topics_of(session, 1)
        assert len(topics) == MAX_TOPICS and topics[0].notify_now and topics[0].text == "北都"


def test_the_schedule_stops_with_the_last_area_or_topic(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        subscribe(session, 3, "private", ["land"], ZONE)
        _, topic = follow(
            session, 3, "private", "鐵路", "鐵路|o:bpa", Filters(orgs=frozenset({"bpa"})), ZONE
        )
        assert topic is not None and topic.filters.orgs == {"bpa"}
        unsubscribe(session, 3)
        assert session.get(DigestSchedule, 3).active  # the topic still needs it
        assert unfollow(session, 3, topic.id) == 1
        assert not session.get(DigestSchedule, 3).active


def test_topics_move_with_a_migrated_group(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        follow(session, -5, "group", "北都", "北都", Filters(), ZONE)
        move_subscriptions(session, -5, -1005)
    with sessions() as session:
        assert topics_of(session, -5) == []
        assert [t.text for t in topics_of(session, -1005)] == ["北都"]
