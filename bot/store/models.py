"""The store: typed SQLAlchemy 2 models. Schema changes go through an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.core.periods import document_period
from bot.core.schedule import Frequency

# The values some string columns may hold (types only: the columns stay plain strings).
DeliveryStatus = Literal["sending", "sent", "empty", "failed", "skipped"]
AlertStatus = Literal["queued", "sent", "failed", "blocked", "cancelled"]
ActionStatus = Literal["pending", "sending", "done", "cancelled", "failed"]
ChatType = Literal["private", "group", "supergroup", "channel"]  # Telegram's
QueryChatType = ChatType | Literal["inline", "cli"]  # where a search was typed
VoteKind = Literal["up", "down"]  # a member's verdict on an answer


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with the project's type map."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Source(Base):
    """One source document (a submission or report) and its provenance."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the manifest slug
    file: Mapped[str] = mapped_column(String(255), unique=True)
    org: Mapped[str] = mapped_column(String(255))
    org_short: Mapped[str] = mapped_column(String(64))
    org_en: Mapped[str] = mapped_column(String(255))
    org_short_en: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(64))
    date: Mapped[str] = mapped_column(
        String(16)
    )  # as the manifest gives it: 2023, 2023-09, 2024-07-10
    checksum: Mapped[str] = mapped_column(String(64))  # sha256 of the source file
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of file + parser + taxonomy
    ingested_at: Mapped[datetime]

    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="source", order_by="Recommendation.position"
    )

    @property
    def year(self) -> int:
        """The year of the document's date."""
        return int(self.date[:4])

    @property
    def period(self) -> str:
        """The year or fiscal year the document states in its title ("2024-25"), else its
        date's year: what a reader's label of the document names."""
        return document_period((self.title, self.title_en), self.date)


class Recommendation(Base):
    """One recommendation, quoted verbatim (cleaned) and citable to its place in the source."""

    __tablename__ = "recommendations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "<slug>-<key>", e.g. bpa24-148
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    key: Mapped[str] = mapped_column(String(48))
    label: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    section_path: Mapped[list[Any]] = mapped_column(default=list)
    bureaux: Mapped[list[Any]] = mapped_column(default=list)
    refs: Mapped[list[Any]] = mapped_column(default=list)  # [{"label": …, "text": …}]
    areas: Mapped[list[Any]] = mapped_column(default=list)  # area ids, primary first
    primary_area: Mapped[str] = mapped_column(String(32), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order within its document
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime]
    last_changed: Mapped[datetime] = mapped_column(index=True)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    source: Mapped[Source] = relationship(back_populates="recommendations")


class RecordVector(Base):
    """A recommendation's sentence vector for semantic search, computed at ingest. Keyed by the
    model and a hash of what was embedded, so it is recomputed only when either changes."""

    __tablename__ = "record_vectors"

    record_id: Mapped[str] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # little-endian float32


class SearchIndexSnapshot(Base):
    """One piece of a saved search index (bot.search.persist), keyed by the corpus key it was
    built from; a snapshot is written in one transaction, all its pieces or none."""

    __tablename__ = "search_index_snapshots"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0, 1, … parts - 1
    parts: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger)  # bytes of the whole snapshot
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the whole snapshot
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class Meta(Base):
    """Small key/value facts about the store, e.g. the corpus version other processes watch."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Chat(Base):
    """A chat the bot talks to (private, group or supergroup): its language, its results layout
    and whether the bot may still write to it."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))  # private, group, supergroup, channel
    title: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(16))  # chosen with /lang; None: auto
    # One line per result (True) or in full (False), as chosen; None: the chat type's default.
    compact: Mapped[bool | None] = mapped_column(Boolean, nullable=True, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: blocked or removed
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SavedQuery(Base):
    """A search behind a short key, so that paging and filter buttons fit in 64-byte
    callback_data and deep links, and work on every replica."""

    __tablename__ = "saved_queries"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)


class DigestSchedule(Base):
    """When a chat gets its digest: one schedule per chat covering all its subscribed areas."""

    __tablename__ = "digest_schedules"

    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id"), primary_key=True)
    frequency: Mapped[Frequency] = mapped_column(String(8))
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday (weekly)
    hour: Mapped[int] = mapped_column(Integer, default=9)  # local hour (BOT_TIMEZONE)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    next_due: Mapped[datetime] = mapped_column(index=True)
    last_sent_at: Mapped[datetime | None]  # when the last digest went out (None: never)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Subscription(Base):
    """A chat follows a policy area."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "area", name="uq_subscriptions_chat_area"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id"), index=True)
    area: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Delivery(Base):
    """One digest for one chat and period: the record that makes sending idempotent."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("chat_id", "period", name="uq_deliveries_chat_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    period: Mapped[str] = mapped_column(String(16))  # 2026-11-25, 2026-W48, 2026-11
    status: Mapped[DeliveryStatus] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The digest's messages already delivered, in order (their ids in message_ids): a rerun after
    # a failure part-way sends only the rest.
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    message_ids: Mapped[list[Any]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SentItem(Base):
    """A recommendation that went to a chat in a digest (so it is not sent again unchanged)."""

    __tablename__ = "sent_items"
    __table_args__ = (UniqueConstraint("chat_id", "recommendation_id", name="uq_sent_items"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    recommendation_id: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """A Telegram update some replica has taken on: the insert that makes handling exactly-once
    when Telegram retries a webhook call or several replicas see the same update."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(index=True)


class QueryLogEntry(Base):
    """One search as members typed it: the text, when, and in which kind of chat, never who
    asked. Purged after QUERY_LOG_RETENTION_DAYS."""

    __tablename__ = "query_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    chat_type: Mapped[QueryChatType] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    results: Mapped[int] = mapped_column(Integer)  # how many recommendations it found


class AnswerVote(Base):
    """One member's current 👍 or 👎 on a recommendation opened from a search: the folded query,
    the recommendation, the vote and when, never who voted or in which chat. A changed or
    withdrawn vote deletes its row (the message's buttons say which). Purged after
    QUERY_LOG_RETENTION_DAYS."""

    __tablename__ = "answer_votes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)  # whole seconds (a change finds it by them)
    query: Mapped[str] = mapped_column(Text)  # folded (bot.search.normalize.fold_query)
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    vote: Mapped[VoteKind] = mapped_column(String(4))  # up, down


class QueryOpen(Base):
    """A recommendation opened from the results of a search: the folded query, the
    recommendation and when, never who or where. Purged after QUERY_LOG_RETENTION_DAYS."""

    __tablename__ = "query_opens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    query: Mapped[str] = mapped_column(Text)  # folded
    record_id: Mapped[str] = mapped_column(String(64))


class PendingAction(Base):
    """Something an admin asked for that waits for their confirmation (a broadcast, a document
    import), kept in the store so that the confirming tap may land on any replica."""

    __tablename__ = "pending_actions"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # broadcast, import
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[ActionStatus] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class FollowedTopic(Base):
    """A chat follows a search in its own words ("北都", "liquor duty", "org:經民聯 鐵路"): the
    text as typed, its folded form (the key shared by every chat following the same search, so
    the search runs once for all of them) and explicit filters (from a narrowed result list)."""

    __tablename__ = "followed_topics"
    __table_args__ = (UniqueConstraint("chat_id", "folded", name="uq_followed_topics_chat_folded"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("chats.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    folded: Mapped[str] = mapped_column(String(255), index=True)
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notify_now: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime]


class TopicAlert(Base):
    """One "new document" alert for one chat (unique per chat and document, so it is queued and
    sent exactly once): how many of the document's proposals match the chat's topics."""

    __tablename__ = "topic_alerts"
    __table_args__ = (UniqueConstraint("chat_id", "source_id", name="uq_topic_alerts_chat_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    source_id: Mapped[str] = mapped_column(String(32))
    topic_ids: Mapped[list[Any]] = mapped_column(default=list)  # the chat's matching topics
    record_ids: Mapped[list[Any]] = mapped_column(default=list)  # the matching proposals
    status: Mapped[AlertStatus] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_ids: Mapped[list[Any]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AlertedSource(Base):
    """A document whose "notify at once" alerts have been queued (or that predates the feature):
    a document without this row is new."""

    __tablename__ = "alerted_sources"

    source_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    checked_at: Mapped[datetime]
