"""Anonymous answer feedback: 👍/👎 votes and which recommendation was opened after which query.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_votes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("vote", sa.String(4), nullable=False),
    )
    op.create_index("ix_answer_votes_at", "answer_votes", ["at"])
    op.create_index("ix_answer_votes_record_id", "answer_votes", ["record_id"])
    op.create_table(
        "query_opens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_query_opens_at", "query_opens", ["at"])


def downgrade() -> None:
    op.drop_index("ix_query_opens_at", table_name="query_opens")
    op.drop_table("query_opens")
    op.drop_index("ix_answer_votes_record_id", table_name="answer_votes")
    op.drop_index("ix_answer_votes_at", table_name="answer_votes")
    op.drop_table("answer_votes")
