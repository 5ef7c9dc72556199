"""Followed topics: a chat's saved searches, their "notify at once" alerts per new document, and
the documents whose alerts have been queued (every document stored before this revision counts
as done, so upgrading alerts nobody).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followed_topics",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger(), sa.ForeignKey("chats.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("folded", sa.String(255), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("notify_now", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("chat_id", "folded", name="uq_followed_topics_chat_folded"),
    )
    op.create_index("ix_followed_topics_chat_id", "followed_topics", ["chat_id"])
    op.create_index("ix_followed_topics_folded", "followed_topics", ["folded"])
    op.create_index("ix_followed_topics_notify_now", "followed_topics", ["notify_now"])
    op.create_table(
        "topic_alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("source_id", sa.String(32), nullable=False),
        sa.Column("topic_ids", sa.JSON(), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message_ids", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("chat_id", "source_id", name="uq_topic_alerts_chat_source"),
    )
    op.create_index("ix_topic_alerts_chat_id", "topic_alerts", ["chat_id"])
    op.create_index("ix_topic_alerts_status", "topic_alerts", ["status"])
    alerted = op.create_table(
        "alerted_sources",
        sa.Column("source_id", sa.String(32), primary_key=True),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
    )
    now = datetime.now(UTC)
    existing = op.get_bind().execute(sa.text("SELECT id FROM sources")).scalars().all()
    if existing:
        op.bulk_insert(alerted, [{"source_id": slug, "checked_at": now} for slug in existing])


def downgrade() -> None:
    op.drop_table("alerted_sources")
    op.drop_table("topic_alerts")
    op.drop_table("followed_topics")
