"""Callback data and deep-link payloads: short, ASCII, versionless prefixes, always ≤ 64 bytes.

    r:<id>               open a recommendation in full
    rel:<id>             similar proposals from other organisations
    p:<key>:<page>       a page of a saved search
    n:<key>:<kind>:<v>   narrow a saved search (kind o = organisation code, a = area id)
    a:<area>:<page>      browse a policy area
    areas                the list of areas
    l:<lang>             choose the language

Deep links (`/start <payload>`): rec_<id> opens a recommendation, q_<key> a saved search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CALLBACK_LIMIT = 64  # bytes, Telegram's limit for callback_data and /start payloads
_SAFE = re.compile(r"^[A-Za-z0-9_:.\-]+$")
_PAYLOAD = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


@dataclass(frozen=True)
class Action:
    """A decoded callback: what to do and its arguments."""

    name: str
    args: tuple[str, ...]


def encode(name: str, *args: object) -> str:
    """`name:arg1:arg2` (raises if it would exceed Telegram's 64 bytes or holds unsafe text)."""
    data = ":".join([name, *(str(arg) for arg in args)])
    if len(data.encode("utf-8")) > CALLBACK_LIMIT or not _SAFE.match(data):
        raise ValueError(f"callback data not encodable: {data!r}")
    return data


def decode(data: str | None) -> Action | None:
    """The action in callback data, or None for anything malformed."""
    if not data or len(data.encode("utf-8")) > CALLBACK_LIMIT or not _SAFE.match(data):
        return None
    name, *args = data.split(":")
    return Action(name, tuple(args))


def open_record(record_id: str) -> str:
    """Callback data that opens a recommendation."""
    return encode("r", record_id)


def related_records(record_id: str) -> str:
    """Callback data that lists similar proposals."""
    return encode("rel", record_id)


def search_page(key: str, page: int) -> str:
    """Callback data for a page of a saved search."""
    return encode("p", key, page)


def narrow(key: str, kind: str, value: str) -> str:
    """Callback data that narrows a saved search by organisation code or area id."""
    return encode("n", key, kind, value)


def area_page(area_id: str, page: int) -> str:
    """Callback data for a page of a policy area."""
    return encode("a", area_id, page)


def choose_language(language: str) -> str:
    """Callback data that sets the chat's language."""
    return encode("l", language)


def record_payload(record_id: str) -> str:
    """Deep-link payload for a recommendation (`t.me/<bot>?start=rec_<id>`)."""
    return _payload(f"rec_{record_id}")


def query_payload(key: str) -> str:
    """Deep-link payload for a saved search."""
    return _payload(f"q_{key}")


def _payload(payload: str) -> str:
    if not _PAYLOAD.match(payload):
        raise ValueError(f"deep-link payload not encodable: {payload!r}")
    return payload


def parse_payload(payload: str | None) -> tuple[str, str] | None:
    """("rec", id) or ("q", key) from a /start payload, or None."""
    if not payload or not _PAYLOAD.match(payload):
        return None
    kind, _, value = payload.partition("_")
    return (kind, value) if kind in ("rec", "q") and value else None


def deep_link(bot_username: str, payload: str) -> str:
    """The t.me link that opens a private chat with the bot and sends /start <payload>."""
    return f"https://t.me/{bot_username}?start={payload}"
