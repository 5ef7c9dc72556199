"""What the webhook accepts as an update: a body of at most MAX_BODY_BYTES (read incrementally,
never past the limit) holding a JSON object shaped as Telegram sends it. Anything Telegram would
never send is refused at the door (400, or 413 for size), before it reaches the update queue,
so a malformed update can never reach the handlers or the per-update log line.

The check is deliberately shallow: the fields the bot reads have the types Telegram documents;
fields it does not read are let through untouched (Telegram adds new ones)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

MAX_BODY_BYTES = 1024 * 1024  # Telegram's updates are a few kilobytes
MAX_UPDATE_ID = 2**63 - 1  # processed_updates.update_id is a BIGINT
MAX_TEXT_CHARS = 4096  # Telegram's limit for a message's text (UTF-16 units ≥ characters)
MAX_QUERY_CHARS = 256  # an inline query's text
UPDATE_KINDS = ("message", "callback_query", "inline_query", "my_chat_member")


class BodyTooLarge(Exception):
    """The body passed MAX_BODY_BYTES (answered 413)."""


async def read_limited(chunks: AsyncIterator[bytes], limit: int = MAX_BODY_BYTES) -> bytes:
    """The whole body, read chunk by chunk; BodyTooLarge as soon as it passes `limit`."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def parse_update(body: bytes) -> dict[str, Any] | str:
    """The update as a dict, or why it is not one Telegram would send."""
    try:
        payload = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        return f"not JSON ({type(error).__name__})"
    problem = update_problem(payload)
    return problem if problem is not None else payload


def update_problem(payload: object) -> str | None:
    """None for an update of a shape Telegram sends, else what is wrong with it."""
    if not isinstance(payload, dict):
        return "not a JSON object"
    update_id = payload.get("update_id")
    in_range = isinstance(update_id, int) and 0 <= update_id <= MAX_UPDATE_ID
    if not (_is_int(update_id) and in_range):
        return "update_id is not a non-negative integer"
    kinds = [key for key in payload if key != "update_id"]
    if len(kinds) != 1:
        return "an update holds exactly one object besides update_id"
    kind = kinds[0]
    body = payload[kind]
    if not isinstance(body, dict):
        return f"{kind} is not an object"
    check = _CHECKS.get(kind, _nothing)
    problem = check(body)
    return f"{kind}: {problem}" if problem else None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str(limit: int) -> Callable[[object], bool]:
    return lambda value: isinstance(value, str) and len(value) <= limit


def _fields(body: dict[str, Any], required: dict[str, Any], optional: dict[str, Any]) -> str | None:
    for name, valid in required.items():
        if name not in body:
            return f"{name} is missing"
        if not valid(body[name]):
            return f"{name} has the wrong type"
    for name, valid in optional.items():
        if name in body and not valid(body[name]):
            return f"{name} has the wrong type"
    return None


def _user(value: object) -> bool:
    return isinstance(value, dict) and _fields(value, _USER, _USER_OPTIONAL) is None


def _chat(value: object) -> bool:
    return isinstance(value, dict) and _fields(value, _CHAT, _CHAT_OPTIONAL) is None


def _object(value: object) -> bool:
    return isinstance(value, dict)


def _list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _check_message(body: dict[str, Any]) -> str | None:
    return _fields(body, _MESSAGE, _MESSAGE_OPTIONAL)


def _check_callback(body: dict[str, Any]) -> str | None:
    return _fields(body, _CALLBACK, _CALLBACK_OPTIONAL)


def _check_inline(body: dict[str, Any]) -> str | None:
    return _fields(body, _INLINE, {"chat_type": _is_str(64)})


def _check_member(body: dict[str, Any]) -> str | None:
    return _fields(body, _MEMBER, {})


def _nothing(body: dict[str, Any]) -> None:
    return None


_NAME = _is_str(1024)
_USER = {"id": _is_int, "is_bot": lambda value: isinstance(value, bool), "first_name": _NAME}
_USER_OPTIONAL = {"last_name": _NAME, "username": _NAME, "language_code": _is_str(64)}
_CHAT = {"id": _is_int, "type": _is_str(64)}
_CHAT_OPTIONAL = {"title": _NAME, "username": _NAME, "first_name": _NAME, "last_name": _NAME}
_MESSAGE = {"message_id": _is_int, "date": _is_int, "chat": _chat}
_MESSAGE_OPTIONAL = {
    "from": _user,
    "text": _is_str(MAX_TEXT_CHARS),
    "caption": _is_str(MAX_TEXT_CHARS),
    "entities": _list,
    "caption_entities": _list,
    "document": _object,
    "reply_to_message": lambda value: isinstance(value, dict) and _check_message(value) is None,
    "new_chat_members": _list,
    "left_chat_member": _user,
    "migrate_to_chat_id": _is_int,
    "migrate_from_chat_id": _is_int,
}
_CALLBACK = {"id": _is_str(256), "from": _user, "chat_instance": _is_str(256)}
_CALLBACK_OPTIONAL = {"data": _is_str(256), "message": _object, "inline_message_id": _NAME}
_INLINE = {"id": _is_str(256), "from": _user, "query": _is_str(MAX_QUERY_CHARS), "offset": _NAME}
_MEMBER = {
    "chat": _chat,
    "from": _user,
    "date": _is_int,
    "old_chat_member": _object,
    "new_chat_member": _object,
}
_CHECKS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "message": _check_message,
    "callback_query": _check_callback,
    "inline_query": _check_inline,
    "my_chat_member": _check_member,
}
