"""Send every due digest exactly once per chat and period.

Due times are rows (`digest_schedules.next_due`), not in-memory jobs, and every send is recorded
(`deliveries`, unique per chat and period), so a restart, a deploy or a crash loses nothing and a
rerun sends only what was not recorded as sent. A digest longer than one message is sent part by
part; each part is retried on its own and committed as sent (`deliveries.parts_sent`) before the
next, so a rerun after a failure part-way sends only the parts not yet sent (a rerun recomposes the
digest: nothing it depends on is recorded before the last part). The one part that can go out twice
is the one in flight when the process or the store connection dies before its commit.

Each chat is handled holding its schedule row (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL);
after committing a part the row is locked again, and if another process took it in between, or
moved the delivery on, this one stops. So several processes can run `send_due` at once and each
part is sent by exactly one. SQLite has no row locks: there a single sending process is assumed.

Retries: network errors and timeouts are retried here (per part, with backoff). Flood control
(429 `retry_after`) is owned by the messenger: python-telegram-bot's AIORateLimiter waits and
retries (`handlers.app.RETRIES_ON_429`), pausing every other request meanwhile; a RetryAfter that
still reaches delivery is not retried on top, the part is left for the next run.

`--force` makes every active schedule due now for the period of its latest regular due time; a
period recorded as sent is never sent again, and a forced send never moves `next_due`, so the next
regular digest still goes out when it is due.

`send_due` takes the session factory and commits per chat (and per part), by design.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.schedule import next_due, period_of, previous_due
from bot.digest.compose import Digest, RunData, compose
from bot.messaging.retry import send_with_retries
from bot.messaging.sender import (
    Blocked,
    ChatGone,
    Migrated,
    Outcome,
    Rejected,
    Sender,
    Sent,
)
from bot.search.index import SearchIndex
from bot.search.topics import TopicMatches, TopicQuery, match_topics
from bot.store.chats import chat_language
from bot.store.corpus import list_recommendations
from bot.store.db import SessionFactory
from bot.store.models import (
    Chat,
    Delivery,
    DeliveryStatus,
    DigestSchedule,
    SentItem,
    utcnow,
)
from bot.store.subscriptions import move_subscriptions, set_chat_reachable
from bot.store.topics import Topic, scheduled_topics, topics_of
from bot.ui.dates import period_label
from bot.ui.i18n import pick_language

log = logging.getLogger(__name__)

DONE: tuple[DeliveryStatus, ...] = ("sent", "empty", "skipped")
# What became of one chat in a run (the report counts these, "error" and "left for the next run").
ChatOutcome = Literal[
    "sent",
    "empty",
    "skipped",
    "failed",
    "blocked",
    "inactive",
    "not due",
    "already sent",
    "claimed elsewhere",
]


@dataclass
class DeliveryReport:
    """What one run did, per outcome (sent, empty, skipped, failed, blocked, claimed elsewhere)."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: str) -> None:
        """Count one chat's outcome."""
        self.counts[outcome] += 1


@dataclass(frozen=True)
class DeliveryOptions:
    """How a run behaves."""

    zone: ZoneInfo
    bot_username: str | None = None
    force: bool = False  # every active schedule is due now, for its latest regular period
    grace: timedelta = timedelta(hours=24)  # a missed digest older than this is skipped
    backoff: float = 0.5  # seconds before the first retry of a transient error


def due_chats(session: Session, now: datetime, force: bool) -> list[int]:
    """The chats whose digest is due (all active ones with `force`), most overdue first."""
    statement = select(DigestSchedule.chat_id).where(DigestSchedule.active.is_(True))
    if not force:
        statement = statement.where(DigestSchedule.next_due <= now)
    return list(session.scalars(statement.order_by(DigestSchedule.next_due)))


async def send_due(
    sessions: SessionFactory,
    sender: Sender,
    options: DeliveryOptions,
    now: datetime | None = None,
    should_stop: Callable[[], bool] | None = None,
    index: SearchIndex | None = None,
) -> DeliveryReport:
    """Send every due digest; one chat's failure never stops the others. `should_stop` (e.g. "a
    SIGTERM arrived") is asked before each chat: the chat in flight is finished and recorded, the
    rest are left, still due, for the next run. `index` answers the followed topics (the running
    bot's; without it, one is built from the store when a due chat follows a topic)."""
    now = now or utcnow()
    report = DeliveryReport()
    # The run's reading and its topic searches are CPU and store work: done in a worker thread,
    # so a running bot's event loop keeps answering members meanwhile.
    chats, run = await asyncio.to_thread(_prepare_run, sessions, options, now, index)
    for position, chat_id in enumerate(chats):
        if should_stop is not None and should_stop():
            report.counts["left for the next run"] += len(chats) - position
            log.info("stopping: %d due digests left for the next run", len(chats) - position)
            break
        try:
            report.add(await deliver_one(sessions, sender, chat_id, options, now, run))
        except Exception:
            log.exception("digest for chat %s failed; continuing with the others", chat_id)
            report.add("error")
    return report


def _prepare_run(
    sessions: SessionFactory, options: DeliveryOptions, now: datetime, index: SearchIndex | None
) -> tuple[list[int], RunData]:
    """The chats due now and what their digests share: the records (read once for every digest
    of this run, and only when some chat is due) and each followed topic's matches (searched
    once for every chat following it)."""
    with sessions() as session:
        chats = due_chats(session, now, options.force)
        if not chats:
            return [], RunData([], {}, {})
        records = list_recommendations(session)
        topics = scheduled_topics(session, None if options.force else now)
        if topics and index is None:
            index = SearchIndex.load(session)
    matches = topic_matches(index, topics) if index is not None else {}
    return chats, RunData(records, matches, by_chat(topics))


async def deliver_one(
    sessions: SessionFactory,
    sender: Sender,
    chat_id: int,
    options: DeliveryOptions,
    now: datetime,
    run: RunData,
) -> ChatOutcome:
    """Claim one chat's schedule, send its digest for the period unless already sent, record."""
    with sessions() as session:
        result = await _claim_and_send(session, sender, chat_id, options, now, run)
        session.commit()
        return result


async def _claim_and_send(
    session: Session,
    sender: Sender,
    chat_id: int,
    options: DeliveryOptions,
    now: datetime,
    run: RunData,
) -> ChatOutcome:
    schedule = _lock(session, chat_id)
    if schedule is None:
        return "claimed elsewhere"
    if not schedule.active or (not options.force and schedule.next_due > now):
        return "not due"  # another process got here first, or it was switched off
    slot = due_slot(schedule, options, now)
    period = period_of(schedule.frequency, slot, options.zone)
    if not options.force and now - schedule.next_due > options.grace:
        _record(session, chat_id, period, "skipped", now)
        _advance(schedule, options, now)
        return "skipped"
    done = _delivery(session, chat_id, period)
    if done is not None and done.status in DONE:
        _advance(schedule, options, now)
        return "already sent"
    return await _compose_and_send(session, sender, schedule, slot, options, now, run)


def _lock(session: Session, chat_id: int) -> DigestSchedule | None:
    """The chat's schedule, locked for this transaction (None: another process holds it)."""
    return session.scalars(
        select(DigestSchedule)
        .where(DigestSchedule.chat_id == chat_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    ).first()


def due_slot(schedule: DigestSchedule, options: DeliveryOptions, now: datetime) -> datetime:
    """The regular due time whose period a run at `now` delivers: the schedule's next due time,
    or with `force` the latest regular due time up to now."""
    if options.force:
        return previous_due(
            schedule.frequency,
            schedule.hour,
            schedule.weekday,
            now + timedelta(seconds=1),
            options.zone,
        )
    return schedule.next_due


def by_chat(topics: Sequence[Topic]) -> dict[int, list[Topic]]:
    """Topics grouped by chat, each chat's oldest first (as `topics_of` lists them)."""
    grouped: dict[int, list[Topic]] = {}
    for topic in sorted(topics, key=lambda t: (t.created_at, t.id)):
        grouped.setdefault(topic.chat_id, []).append(topic)
    return grouped


def topic_matches(index: SearchIndex, topics: Sequence[Topic]) -> TopicMatches:
    """Each distinct topic searched once."""
    return match_topics(index, (TopicQuery(t.folded, t.text, t.filters) for t in topics))


def run_data_for(session: Session, chat_id: int, index: SearchIndex | None = None) -> RunData:
    """What a run would share, for one chat (`digest preview`): the search index is built from
    the store when the chat follows a topic and none is given."""
    records = list_recommendations(session)
    topics = topics_of(session, chat_id)
    if topics and index is None:
        index = SearchIndex.load(session)
    matches = topic_matches(index, topics) if index is not None else {}
    return RunData(records, matches)


def digest_for(
    session: Session,
    schedule: DigestSchedule,
    slot: datetime,
    options: DeliveryOptions,
    run: RunData | None = None,
) -> Digest | None:
    """The chat's digest for the period of the due time `slot`: what a run sends, and what
    `digest preview` prints (one function, so the two cannot differ). `run`: what the run
    shares (else gathered for this chat alone)."""
    chat_id = schedule.chat_id
    run = run or run_data_for(session, chat_id)
    language = pick_language(chat_language(session, chat_id), None)
    since = schedule.last_sent_at or schedule.created_at
    heading = period_label(language, schedule.frequency, slot, options.zone)
    return compose(session, chat_id, language, heading, since, options.bot_username, run=run)


def _advance(schedule: DigestSchedule, options: DeliveryOptions, now: datetime) -> None:
    if options.force and schedule.next_due > now:
        return  # a forced digest is extra: the next regular one stays where it is
    after = max(now, schedule.next_due)
    schedule.next_due = next_due(
        schedule.frequency, schedule.hour, schedule.weekday, after, options.zone
    )
    schedule.updated_at = now


def _delivery(session: Session, chat_id: int, period: str) -> Delivery | None:
    return session.scalars(
        select(Delivery).where(Delivery.chat_id == chat_id, Delivery.period == period)
    ).first()


def _record(
    session: Session,
    chat_id: int,
    period: str,
    status: DeliveryStatus,
    now: datetime,
    error: str | None = None,
) -> Delivery:
    delivery = _delivery(session, chat_id, period)
    if delivery is None:
        delivery = Delivery(
            chat_id=chat_id, period=period, attempts=0, message_ids=[], created_at=now
        )
        session.add(delivery)
    delivery.status, delivery.error, delivery.updated_at = status, error, now
    return delivery


async def _compose_and_send(
    session: Session,
    sender: Sender,
    schedule: DigestSchedule,
    slot: datetime,
    options: DeliveryOptions,
    now: datetime,
    run: RunData,
) -> ChatOutcome:
    chat_id = schedule.chat_id
    chat = session.get(Chat, chat_id)
    if chat is None or not chat.active:
        schedule.active = False
        return "inactive"
    period = period_of(schedule.frequency, slot, options.zone)
    digest = digest_for(session, schedule, slot, options, run)
    if digest is None:
        _record(session, chat_id, period, "empty", now)
        _advance(schedule, options, now)
        return "empty"
    delivery = _record(session, chat_id, period, "sending", now)  # keeps the parts already sent
    delivery.attempts += 1
    session.flush()
    target = chat_id
    while delivery.parts_sent < len(digest.messages):
        part = digest.messages[delivery.parts_sent]
        outcome = await send_with_retries(sender, target, [part], options.backoff)
        if isinstance(outcome, Migrated):
            # The group is now a supergroup: move everything there and deliver there instead.
            target = outcome.new_chat_id
            move_subscriptions(session, chat_id, target, now)
            session.flush()
            delivery.chat_id = target
            schedule = session.get(DigestSchedule, target) or schedule
            outcome = await send_with_retries(sender, target, [part], options.backoff)
        if not isinstance(outcome, Sent):
            return _failed(session, schedule, delivery, outcome, options, now)
        delivery.parts_sent += 1
        delivery.message_ids = [*delivery.message_ids, *outcome.message_ids]  # a new list
        delivery.updated_at = now
        if delivery.parts_sent < len(digest.messages) and not _commit_part(
            session, schedule.chat_id, delivery
        ):
            return "claimed elsewhere"
    return _sent(session, schedule, delivery, digest, options, now)


def _commit_part(session: Session, schedule_id: int, delivery: Delivery) -> bool:
    """Commit the part just sent, then take the schedule's lock again; False if another process
    took the chat over meanwhile (it sends the remaining parts)."""
    parts_sent = delivery.parts_sent
    session.commit()
    if _lock(session, schedule_id) is None:
        return False
    session.refresh(delivery)
    return delivery.status == "sending" and delivery.parts_sent == parts_sent


def _sent(
    session: Session,
    schedule: DigestSchedule,
    delivery: Delivery,
    digest: Digest,
    options: DeliveryOptions,
    now: datetime,
) -> ChatOutcome:
    delivery.status, delivery.error, delivery.updated_at = "sent", None, now
    _remember_sent(session, delivery.chat_id, digest.record_ids, now)
    schedule.last_sent_at = now
    _advance(schedule, options, now)
    return "sent"


def _failed(
    session: Session,
    schedule: DigestSchedule,
    delivery: Delivery,
    outcome: Outcome,
    options: DeliveryOptions,
    now: datetime,
) -> ChatOutcome:
    reason = getattr(outcome, "reason", None) or str(outcome)
    delivery.status, delivery.error, delivery.updated_at = "failed", str(reason), now
    if isinstance(outcome, Blocked | ChatGone):
        set_chat_reachable(session, delivery.chat_id, False)
        return "blocked"
    if isinstance(outcome, Rejected):
        _advance(schedule, options, now)  # retrying the same message would fail the same way
    return "failed"  # transient or still rate-limited: the next run sends the remaining parts


def _remember_sent(session: Session, chat_id: int, record_ids: list[str], now: datetime) -> None:
    existing = {
        item.recommendation_id: item
        for item in session.scalars(select(SentItem).where(SentItem.chat_id == chat_id))
    }
    for record_id in record_ids:
        if record_id in existing:
            existing[record_id].sent_at = now
        else:
            session.add(SentItem(chat_id=chat_id, recommendation_id=record_id, sent_at=now))
