"""Followed topics of the user's private chat, for the API: listed with how many proposals
match each now, followed, unfollowed and switched to "notify at once" through the same store
functions as /follow, /following and /unfollow (bot.store.topics), with the same folded key
and limit, and the same schedule behaviour: following a topic in a chat without a digest
schedule creates the default one (weekly), as /follow does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.filters import Filters
from bot.search.query import clean_input
from bot.search.topics import TopicQuery, count_matches, match_topics, topic_key
from bot.store.topics import (
    FollowResult,
    Topic,
    find_topic,
    follow,
    has_schedule,
    set_notify_now,
    topics_of,
    unfollow,
)
from miniapp.services import MiniAppServices

CHAT_TYPE = "private"  # the Mini App changes the user's private chat with the bot


@dataclass(frozen=True)
class Followed:
    """What following did: added, already followed or full; the topic (None when full), how
    many proposals match it now, and whether its digest schedule was created just now."""

    result: FollowResult
    topic: dict[str, Any] | None
    schedule_created: bool


def topic_text(raw: str) -> str:
    """The topic as typed, on one line (control characters and runs of spaces collapsed), as
    /follow keeps it."""
    return " ".join(clean_input(raw).split())


def filter_codes(services: MiniAppServices, filters: Filters) -> dict[str, list[str]]:
    """Stored filters as the API names them (organisation codes, not folded names)."""
    codes = {folded: code for code, folded in services.index.get().sources.org_codes.items()}
    return {
        "org": sorted(codes.get(org, org) for org in filters.orgs),
        "area": sorted(filters.areas),
        "year": sorted(str(year) for year in filters.years),
        "doc": sorted(filters.sources),
    }


def topic_payload(services: MiniAppServices, topic: Topic, count: int) -> dict[str, Any]:
    """`{id, text, filters, count, notify_now}`."""
    return {
        "id": topic.id,
        "text": topic.text,
        "filters": filter_codes(services, topic.filters),
        "count": count,
        "notify_now": topic.notify_now,
    }


def topics_payload(services: MiniAppServices, chat_id: int) -> list[dict[str, Any]]:
    """The chat's topics, oldest first, each with how many proposals match it now (one search
    per distinct topic, as /following counts them)."""
    with services.sessions() as session:
        topics = topics_of(session, chat_id)
    matches = match_topics(
        services.index.get(), (TopicQuery(t.folded, t.text, t.filters) for t in topics)
    )
    return [topic_payload(services, t, len(matches.get(t.folded, ()))) for t in topics]


def follow_topic(services: MiniAppServices, chat_id: int, text: str, filters: Filters) -> Followed:
    """Follow `text` (already checked: not empty, at most MAX_TOPIC_CHARS) under `filters`."""
    count = count_matches(services.index.get(), text, filters)
    with services.sessions.begin() as session:
        had_schedule = has_schedule(session, chat_id)
        result, topic = follow(
            session,
            chat_id,
            CHAT_TYPE,
            text,
            topic_key(text, filters),
            filters,
            services.settings.timezone,
        )
        payload = topic_payload(services, topic, count) if topic is not None else None
    created = result is FollowResult.ADDED and not had_schedule
    return Followed(result, payload, created)


def unfollow_topic(services: MiniAppServices, chat_id: int, topic_id: int) -> bool:
    """Stop following one of the chat's topics; False if it is not the chat's."""
    with services.sessions.begin() as session:
        if find_topic(session, chat_id, topic_id) is None:
            return False
        unfollow(session, chat_id, topic_id)
    return True


def notify_topic(services: MiniAppServices, chat_id: int, topic_id: int, on: bool) -> bool:
    """Switch "notify at once" of one of the chat's topics; False if it is not the chat's."""
    with services.sessions.begin() as session:
        return set_notify_now(session, chat_id, topic_id, on)
