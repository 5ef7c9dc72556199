"""What Telegram learns when an update happens: chats, users, messages, queries, memberships.

Pushing an update makes its chat and users known (so the bot can answer there), stores its
message (so it can be replied to), registers callback and inline query ids (so they can be
answered), and applies membership changes: the bot kicked from a group or blocked by a user
makes later sends fail with 403; a group's ``migrate_to_chat_id`` makes them fail with the
migration error, while the new supergroup becomes known.
"""

from __future__ import annotations

import time
from typing import Any

from .faults import Faults
from .state import QueryRecord, State, StoredMessage
from .update_queue import update_type

_MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post")


def absorb(state: State, faults: Faults, update: dict[str, Any]) -> None:
    """Apply the side effects of ``update`` to the fake's state and faults."""
    kind = update_type(update)
    body = update[kind]
    if not isinstance(body, dict):
        return
    for key in ("from", "user"):
        if isinstance(body.get(key), dict) and not body[key].get("is_bot"):
            state.register_user(body[key])
    if kind in _MESSAGE_KINDS:
        _absorb_message(state, faults, body)
    elif kind == "callback_query":
        state.callback_queries[str(body["id"])] = QueryRecord(body, time.monotonic())
        if isinstance(body.get("message"), dict):
            state.register_chat(body["message"]["chat"])
    elif kind == "inline_query":
        state.inline_queries[str(body["id"])] = QueryRecord(body, time.monotonic())
    elif kind == "my_chat_member":
        _absorb_membership(state, faults, body)
    elif isinstance(body.get("chat"), dict):
        state.register_chat(body["chat"])


def _absorb_message(state: State, faults: Faults, message: dict[str, Any]) -> None:
    chat = state.register_chat(message["chat"])
    chat_id = int(chat["id"])
    faults.missing_chats.discard(chat_id)
    if chat.get("type") == "private":
        faults.blocked_users.discard(chat_id)
    if "migrate_to_chat_id" in message:
        new_id = int(message["migrate_to_chat_id"])
        faults.migrated_chats[chat_id] = new_id
        title = chat.get("title", "")
        state.register_chat({"id": new_id, "type": "supergroup", "title": title})
    existing = state.message(chat_id, int(message["message_id"]))
    if existing is None:
        state.store_message(StoredMessage(message, from_bot=False))
    else:
        existing.history.append(existing.data)
        existing.data = message


def _absorb_membership(state: State, faults: Faults, body: dict[str, Any]) -> None:
    chat = state.register_chat(body["chat"])
    chat_id = int(chat["id"])
    status = body["new_chat_member"]["status"]
    gone = status in ("kicked", "left")
    if chat.get("type") == "private":
        (faults.blocked_users.add if gone else faults.blocked_users.discard)(chat_id)
    else:
        (faults.kicked_chats.add if gone else faults.kicked_chats.discard)(chat_id)
