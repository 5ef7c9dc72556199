""" "Notify at once": when a new document is added (by `python -m bot ingest`, an admin's upload,
or another replica), each chat with a matching "notify at once" topic gets one short alert: how
many of the document's proposals match, from which document, a button to see them.

Exactly once, like digests: queueing records the document (`alerted_sources`, one row per
document, so it is examined once whoever gets there first) and one `topic_alerts` row per chat
and document (unique), in one transaction; sending takes each queued row under its lock, sends
through the same messenger and retries as digests (bot.messaging: network errors retried with
backoff, 429s owned by the rate limiter, blocked and migrated chats), and records it as sent in
the same transaction. A crash before that commit can repeat only the alert in flight; a 429 or a
network failure leaves the row queued for the next run (at most MAX_ATTEMPTS runs).

Every document stored when this feature arrived counts as examined (migration 0008), so an
upgrade alerts nobody. Each topic's search runs once per document for every chat following it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.filters import Filters
from bot.digest.deliver import DeliveryOptions, DeliveryReport
from bot.messaging.retry import send_with_retries
from bot.messaging.sender import Blocked, ChatGone, Migrated, Rejected, Sender, Sent
from bot.search.index import SearchIndex
from bot.search.topics import TopicQuery, match_topics
from bot.store.chats import chat_language
from bot.store.db import SessionFactory
from bot.store.models import (
    AlertedSource,
    Chat,
    FollowedTopic,
    Recommendation,
    Source,
    TopicAlert,
    utcnow,
)
from bot.store.saved_queries import save_query
from bot.store.subscriptions import move_subscriptions, set_chat_reachable
from bot.store.topics import filters_of, instant_topics
from bot.ui import actions
from bot.ui.follow_views import TOPIC_BUTTON_SHOWN, alert_message, topic_name
from bot.ui.i18n import pick_language, t
from bot.ui.render import Button, Message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # runs that may try one alert before it is given up as failed
SEE_BUTTONS = 3  # at most this many "see them" buttons (one per matching topic)


@dataclass
class _Match:
    topic_ids: list[int]
    record_ids: list[str]


def new_documents(session: Session, index: SearchIndex) -> tuple[list[str], list[str]]:
    """Documents not examined yet: (those the index already holds, those without proposals).
    A document whose proposals the index does not hold yet waits for the next run."""
    examined = select(AlertedSource.source_id)
    slugs = list(session.scalars(select(Source.id).where(Source.id.not_in(examined))))
    if not slugs:
        return [], []
    stored = set(
        session.scalars(
            select(Recommendation.source_id)
            .where(Recommendation.source_id.in_(slugs), Recommendation.withdrawn.is_(False))
            .distinct()
        )
    )
    indexed = {record.source_id for record in index.records}
    ready = [slug for slug in slugs if slug in stored and slug in indexed]
    empty = [slug for slug in slugs if slug not in stored]
    return ready, empty


def queue_alerts(session: Session, index: SearchIndex, now: datetime | None = None) -> int:
    """Examine every new document: one alert row per chat whose "notify at once" topics match
    some of its proposals; returns how many were queued. The caller commits (and on a unique
    violation, another process examined the same document: roll back, nothing lost)."""
    now = now or utcnow()
    ready, empty = new_documents(session, index)
    queued = 0
    topics = instant_topics(session) if ready else []
    for slug in ready:
        source = session.get(Source, slug)
        assert source is not None
        # Only topics followed before the document arrived: it is news to them.
        watching = [topic for topic in topics if topic.created_at <= source.ingested_at]
        only = Filters(sources=frozenset({slug}))
        queries = [
            TopicQuery(topic.folded, topic.text, topic.filters.merge(only)) for topic in watching
        ]
        matches = match_topics(index, queries)
        per_chat: dict[int, _Match] = {}
        for topic in watching:
            found = matches.get(topic.folded, ())
            if not found:
                continue
            match = per_chat.setdefault(topic.chat_id, _Match([], []))
            match.topic_ids.append(topic.id)
            match.record_ids += [r for r in found if r not in match.record_ids]
        for chat_id, match in per_chat.items():
            session.add(
                TopicAlert(
                    chat_id=chat_id,
                    source_id=slug,
                    topic_ids=match.topic_ids,
                    record_ids=match.record_ids,
                    status="queued",
                    attempts=0,
                    message_ids=[],
                    created_at=now,
                    updated_at=now,
                )
            )
            queued += 1
    for slug in ready + empty:
        session.add(AlertedSource(source_id=slug, checked_at=now))
    return queued


def queue_new_documents(sessions: SessionFactory, index: SearchIndex) -> int:
    """`queue_alerts` in its own transaction; 0 when another process got there first."""
    try:
        with sessions.begin() as session:
            return queue_alerts(session, index)
    except IntegrityError:
        log.info("new documents' alerts were queued by another process")
        return 0


# One sending run at a time per event loop: the digest tick and an upload's confirmation may both
# send alerts from one process, and SQLite has no row locks to keep them apart.
_running: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _run_lock() -> asyncio.Lock:
    return _running.setdefault(asyncio.get_running_loop(), asyncio.Lock())


async def alert_new_documents(
    sessions: SessionFactory,
    sender: Sender,
    options: DeliveryOptions,
    index: SearchIndex,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Queue the alerts of every new document the index holds, then send every queued alert."""
    queue_new_documents(sessions, index)
    return await send_alerts(sessions, sender, options, should_stop)


async def send_alerts(
    sessions: SessionFactory,
    sender: Sender,
    options: DeliveryOptions,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send every queued alert; one chat's failure never stops the others."""
    async with _run_lock():
        return await _send_queued(sessions, sender, options, should_stop)


async def _send_queued(
    sessions: SessionFactory,
    sender: Sender,
    options: DeliveryOptions,
    should_stop: Callable[[], bool] | None,
) -> DeliveryReport:
    report = DeliveryReport()
    with sessions() as session:
        queued = list(
            session.scalars(
                select(TopicAlert.id).where(TopicAlert.status == "queued").order_by(TopicAlert.id)
            )
        )
    for alert_id in queued:
        if should_stop is not None and should_stop():
            report.counts["left for the next run"] += 1
            continue
        try:
            with sessions() as session:
                report.add(await _send_one(session, sender, alert_id, options))
                session.commit()
        except Exception:
            log.exception("alert %s failed; continuing with the others", alert_id)
            report.add("error")
    return report


async def _send_one(
    session: Session, sender: Sender, alert_id: int, options: DeliveryOptions
) -> str:
    alert = session.scalars(
        select(TopicAlert)
        .where(TopicAlert.id == alert_id, TopicAlert.status == "queued")
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).first()
    if alert is None:
        return "claimed elsewhere"
    now = utcnow()
    alert.updated_at = now
    chat = session.get(Chat, alert.chat_id)
    if chat is None or not chat.active:
        alert.status = "blocked"
        return "inactive"
    message = alert_for(session, alert, options)
    if message is None:  # the topics were unfollowed or switched to "digest only" meanwhile
        alert.status = "cancelled"
        return "cancelled"
    alert.attempts += 1
    outcome = await send_with_retries(sender, alert.chat_id, [message], options.backoff)
    if isinstance(outcome, Migrated):
        move_subscriptions(session, alert.chat_id, outcome.new_chat_id, now)
        session.flush()
        alert.chat_id = outcome.new_chat_id
        outcome = await send_with_retries(sender, alert.chat_id, [message], options.backoff)
    if isinstance(outcome, Sent):
        alert.status, alert.error, alert.message_ids = "sent", None, list(outcome.message_ids)
        return "sent"
    alert.error = str(getattr(outcome, "reason", None) or outcome)
    if isinstance(outcome, Blocked | ChatGone):
        set_chat_reachable(session, alert.chat_id, False)
        alert.status = "blocked"
        return "blocked"
    if isinstance(outcome, Rejected) or alert.attempts >= MAX_ATTEMPTS:
        alert.status = "failed"
    return "failed"  # transient or still rate-limited: queued for the next run


def alert_for(session: Session, alert: TopicAlert, options: DeliveryOptions) -> Message | None:
    """The alert's text and "see them" buttons, in the chat's language; None when none of its
    topics still asks to hear at once."""
    topics = list(
        session.scalars(
            select(FollowedTopic)
            .where(
                FollowedTopic.id.in_(alert.topic_ids),
                FollowedTopic.chat_id == alert.chat_id,
                FollowedTopic.notify_now.is_(True),
            )
            .order_by(FollowedTopic.id)
        )
    )
    source = session.get(Source, alert.source_id)
    if not topics or source is None:
        return None
    language = pick_language(chat_language(session, alert.chat_id), None)
    english = language == "en"
    buttons = []
    for topic in topics[:SEE_BUTTONS]:
        filters = Filters(sources=frozenset({source.id}))
        key = save_query(session, topic.text, filters_of(topic.filters).merge(filters))
        label = t(language, "follow.see")
        if len(topics) > 1:  # one button per topic: say which
            label += ": " + topic_name(topic.text, TOPIC_BUTTON_SHOWN)
        if options.bot_username:
            url = actions.deep_link(options.bot_username, actions.query_payload(key))
            buttons.append(Button(label, url=url))
        else:
            buttons.append(Button(label, actions.search_page(key, 0)))
    message = alert_message(
        language,
        len(alert.record_ids),
        [topic.text for topic in topics],
        source.title_en if english else source.title,
        source.org_short_en if english else source.org_short,
        None,
    )
    return Message(message.html, tuple((button,) for button in buttons))
