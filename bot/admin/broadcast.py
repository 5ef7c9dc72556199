"""Admin broadcasts: one message to every active chat, at most once per chat.

A broadcast is a PendingAction (kind "broadcast") whose payload holds the text and the progress:

    {"text", "language" (the admin's), "owner" (the run sending it), "cursor" (the last chat id
     taken), "sent", "blocked", "failed"}

Its status goes pending → sending → done, or pending → cancelled. Confirming flips pending to
sending under a row lock, so a second tap or another replica finds it already sending. Chats are
visited in ascending id order; before each send the run moves the cursor past the chat in its own
committed transaction (the row locked, the owner checked), so whatever happens next (a crash, a
second run) no chat is ever taken twice. The price is at-most-once: a crash between taking a chat
and sending to it leaves that one chat without the message. A run that stops heartbeating (its
process died) is taken over by another after LEASE, from the cursor.

Recipients are the active private chats, groups and supergroups (channels are never written to).
Functions take the session factory and commit per step, by design (like digest delivery).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.text import utf16_len
from bot.messaging.retry import send_with_retries
from bot.messaging.sender import Blocked, ChatGone, Migrated, Outcome, Sender, Sent
from bot.store.chats import move_chat
from bot.store.db import SessionFactory
from bot.store.models import ActionStatus, Chat, ChatType, PendingAction, utcnow
from bot.store.pending_actions import PENDING, create_action
from bot.store.subscriptions import move_subscriptions, set_chat_reachable
from bot.ui.render import MESSAGE_LIMIT, Message, escape

log = logging.getLogger(__name__)

KIND = "broadcast"
RECIPIENT_TYPES: tuple[ChatType, ...] = ("private", "group", "supergroup")
LEASE = timedelta(minutes=10)  # longer than one chat's retries (network backoff, 429 waits)

SENDING: Final = "sending"
DONE: Final = "done"
CANCELLED: Final = "cancelled"


@dataclass(frozen=True)
class Recipients:
    """How many chats a broadcast would reach now."""

    private: int
    groups: int

    @property
    def total(self) -> int:
        """Every recipient."""
        return self.private + self.groups


@dataclass(frozen=True)
class BroadcastReport:
    """A finished broadcast: where to report, in which language, and what happened."""

    key: str
    chat_id: int
    language: str
    sent: int
    blocked: int
    failed: int


@dataclass(frozen=True)
class Started:
    """The outcome of a confirm: `status` is the broadcast's status before the tap (PENDING: this
    tap started it and `owner` names the run), or None if there is no such broadcast."""

    status: ActionStatus | None
    owner: str | None = None


@dataclass(frozen=True)
class ChatFailed:
    """An unexpected error while sending to one chat."""

    reason: str


def broadcast_message(text: str) -> Message:
    """The message every recipient gets (and the admin previews): the text, escaped."""
    return Message(escape(text))


def text_fits(text: str) -> bool:
    """True when the text fits in one Telegram message."""
    return 0 < utf16_len(text) <= MESSAGE_LIMIT


def count_recipients(session: Session) -> Recipients:
    """Active chats by kind."""
    rows = session.execute(
        select(Chat.type, func.count())
        .where(Chat.active.is_(True), Chat.type.in_(RECIPIENT_TYPES))
        .group_by(Chat.type)
    ).all()
    counts = {chat_type: int(count) for chat_type, count in rows}
    return Recipients(
        counts.get("private", 0), counts.get("group", 0) + counts.get("supergroup", 0)
    )


def create(
    session: Session, chat_id: int, user_id: int, text: str, language: str, now: datetime
) -> str:
    """Store a broadcast awaiting confirmation; return its key (for the buttons)."""
    payload: dict[str, Any] = {"text": text, "language": language, "owner": None, "cursor": None}
    payload |= {"sent": 0, "blocked": 0, "failed": 0}
    return create_action(session, KIND, chat_id, user_id, payload, now)


def _locked(session: Session, key: str) -> PendingAction | None:
    return session.scalars(
        select(PendingAction)
        .where(PendingAction.key == key, PendingAction.kind == KIND)
        .with_for_update()
    ).first()


def _update(action: PendingAction, now: datetime, **changes: Any) -> None:
    action.payload = {**action.payload, **changes}  # a new dict: JSON columns track assignment
    action.updated_at = now


def load(sessions: SessionFactory, key: str) -> PendingAction | None:
    """A broadcast by key."""
    with sessions() as session:
        return session.scalars(
            select(PendingAction).where(PendingAction.key == key, PendingAction.kind == KIND)
        ).first()


def confirm(
    sessions: SessionFactory, key: str, user_id: int, now: datetime | None = None
) -> Started:
    """pending → sending, for the admin who asked for it; only the first confirm starts a run."""
    now = now or utcnow()
    with sessions.begin() as session:
        action = _locked(session, key)
        if action is None or action.user_id != user_id:
            return Started(None)
        if action.status != PENDING:
            return Started(action.status)
        owner = secrets.token_hex(8)
        action.status = SENDING
        _update(action, now, owner=owner)
        return Started(PENDING, owner)


def cancel(
    sessions: SessionFactory, key: str, user_id: int, now: datetime | None = None
) -> ActionStatus | None:
    """pending → cancelled; returns the status before (None: no such broadcast)."""
    now = now or utcnow()
    with sessions.begin() as session:
        action = _locked(session, key)
        if action is None or action.user_id != user_id:
            return None
        before = action.status
        if before == PENDING:
            action.status, action.updated_at = CANCELLED, now
        return before


def stale(sessions: SessionFactory, now: datetime | None = None) -> list[str]:
    """Broadcasts still sending whose run has not heartbeaten within LEASE (its process died)."""
    now = now or utcnow()
    with sessions() as session:
        return list(
            session.scalars(
                select(PendingAction.key).where(
                    PendingAction.kind == KIND,
                    PendingAction.status == SENDING,
                    PendingAction.updated_at < now - LEASE,
                )
            )
        )


def take_over(sessions: SessionFactory, key: str, now: datetime | None = None) -> str | None:
    """Become the owner of a stale broadcast; returns the new owner, or None if it is not stale
    (any more)."""
    now = now or utcnow()
    with sessions.begin() as session:
        action = _locked(session, key)
        if action is None or action.status != SENDING or action.updated_at >= now - LEASE:
            return None
        owner = secrets.token_hex(8)
        _update(action, now, owner=owner)
        return owner


async def run(
    sessions: SessionFactory, sender: Sender, key: str, owner: str, backoff: float = 0.5
) -> BroadcastReport | None:
    """Send the broadcast to every remaining chat; the report when done, None if another run
    took it over (or it vanished)."""
    action = load(sessions, key)
    if action is None:
        return None
    messages = [broadcast_message(str(action.payload["text"]))]
    while True:
        taken = _take_next(sessions, key, owner)
        if taken is None:
            return None
        if taken is True:
            return _report(sessions, key)
        outcome = await _send(sender, taken, messages, backoff)
        follow = _record(sessions, key, owner, taken, outcome)
        if follow is not None:  # migrated to a chat the broadcast will not visit: send there now
            outcome = await _send(sender, follow, messages, backoff)
            _record(sessions, key, owner, follow, outcome)


async def _send(
    sender: Sender, chat_id: int, messages: Sequence[Message], backoff: float
) -> Outcome | ChatFailed:
    try:
        return await send_with_retries(sender, chat_id, messages, backoff)
    except Exception as error:  # one chat's failure never stops the others
        log.exception("broadcast to chat %s failed", chat_id)
        return ChatFailed(str(error))


def _take_next(
    sessions: SessionFactory, key: str, owner: str, now: datetime | None = None
) -> int | bool | None:
    """Move the cursor past the next recipient and return its id; True when none is left (the
    broadcast is then done); None when this run no longer owns the broadcast."""
    now = now or utcnow()
    with sessions.begin() as session:
        action = _locked(session, key)
        if action is None or action.status != SENDING or action.payload.get("owner") != owner:
            return None
        cursor = action.payload.get("cursor")
        statement = select(Chat.id).where(Chat.active.is_(True), Chat.type.in_(RECIPIENT_TYPES))
        if cursor is not None:
            statement = statement.where(Chat.id > int(cursor))
        chat_id = session.scalars(statement.order_by(Chat.id).limit(1)).first()
        if chat_id is None:
            action.status, action.updated_at = DONE, now
            return True
        _update(action, now, cursor=chat_id)
        return int(chat_id)


def _record(
    sessions: SessionFactory, key: str, owner: str, chat_id: int, outcome: Outcome | ChatFailed
) -> int | None:
    """Count one chat's outcome (deactivating chats that blocked the bot); for a migrated group,
    the new chat id if it still has to be sent to now."""
    now = utcnow()
    with sessions.begin() as session:
        action = _locked(session, key)
        if action is None or action.payload.get("owner") != owner:
            return None
        if isinstance(outcome, Migrated):
            return _migrated(session, action, chat_id, outcome.new_chat_id, now)
        if isinstance(outcome, Sent):
            counter = "sent"
        elif isinstance(outcome, Blocked | ChatGone):
            set_chat_reachable(session, chat_id, False)
            counter = "blocked"
        else:
            log.warning("broadcast %s to chat %s failed: %s", key, chat_id, outcome)
            counter = "failed"
        _update(action, now, **{counter: int(action.payload.get(counter, 0)) + 1})
        return None


def _migrated(
    session: Session, action: PendingAction, old_id: int, new_id: int, now: datetime
) -> int | None:
    """Move the group to its supergroup id. Send there now only if the visit order will not reach
    it (its id is behind the cursor) and it was not an active recipient already visited."""
    before = session.get(Chat, new_id)
    was_recipient = before is not None and before.active and before.type in RECIPIENT_TYPES
    move_chat(session, old_id, new_id, now)
    move_subscriptions(session, old_id, new_id, now)
    if new_id > int(action.payload["cursor"]) or was_recipient:
        return None
    return new_id


def _report(sessions: SessionFactory, key: str) -> BroadcastReport | None:
    action = load(sessions, key)
    if action is None:
        return None
    payload = action.payload
    return BroadcastReport(
        key=key,
        chat_id=action.chat_id,
        language=str(payload.get("language", "")),
        sent=int(payload.get("sent", 0)),
        blocked=int(payload.get("blocked", 0)),
        failed=int(payload.get("failed", 0)),
    )
