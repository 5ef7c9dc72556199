"""Admin actions waiting for a confirming tap (a broadcast, a document import), stored as
PendingAction rows so that the tap may land on any replica. Each kind adds its own steps."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from bot.store.models import PendingAction

PENDING: Final = "pending"


def create_action(
    session: Session, kind: str, chat_id: int, user_id: int, payload: dict[str, Any], now: datetime
) -> str:
    """Store an action awaiting confirmation; returns its short key (12 characters, for
    callback data)."""
    key = secrets.token_urlsafe(9)
    session.add(
        PendingAction(
            key=key,
            kind=kind,
            chat_id=chat_id,
            user_id=user_id,
            payload=payload,
            status=PENDING,
            created_at=now,
            updated_at=now,
        )
    )
    return key
