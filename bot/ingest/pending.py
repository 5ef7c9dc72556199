"""Document imports waiting for an admin's confirmation, as PendingAction rows (kind "import"),
so that the Confirm tap may land on any replica and a second tap finds the import done."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.store.db import changed_rows
from bot.store.models import ActionStatus, PendingAction
from bot.store.pending_actions import PENDING, create_action

IMPORT = "import"
DONE: Final = "done"
CANCELLED: Final = "cancelled"
FAILED: Final = "failed"


def create_import(
    session: Session, chat_id: int, user_id: int, payload: dict[str, Any], now: datetime
) -> str:
    """Store a pending import; returns its short key (for callback data)."""
    return create_action(session, IMPORT, chat_id, user_id, payload, now)


def claim_import(
    session: Session, key: str, status: ActionStatus, now: datetime
) -> PendingAction | None:
    """Move a pending import to `status` (done or cancelled) if it still is pending: exactly one
    tap wins, on any replica. None when there is no such pending import."""
    claimed = changed_rows(
        session,
        update(PendingAction)
        .where(
            PendingAction.key == key,
            PendingAction.kind == IMPORT,
            PendingAction.status == PENDING,
        )
        .values(status=status, updated_at=now),
    )
    if claimed != 1:
        return None
    return session.get(PendingAction, key)


def mark(session: Session, key: str, status: ActionStatus, now: datetime) -> None:
    """Record how a claimed import ended (e.g. failed)."""
    session.execute(
        update(PendingAction).where(PendingAction.key == key).values(status=status, updated_at=now)
    )
