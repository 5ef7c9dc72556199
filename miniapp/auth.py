"""Who is calling: Telegram's Mini App `initData`, checked as Telegram documents it.

The page sends the raw query string Telegram gave it in `Authorization: tma <initData>`. Its
`hash` must be HMAC-SHA256 of the data-check string (every other field, `key=value`, sorted by
key, joined by newlines) under the secret HMAC-SHA256(key="WebAppData", msg=<bot token>), so
only Telegram, for this bot, can have signed it; `auth_date` must be at most `max_age` old.
Nothing in initData is trusted before this check passes."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

SCHEME = "tma"
MAX_AGE_SECONDS = 24 * 3600
MAX_INIT_DATA = 4096  # bytes; Telegram's initData is far smaller
CLOCK_SKEW_SECONDS = 60  # an auth_date this far in the future is still accepted


@dataclass(frozen=True)
class WebAppUser:
    """The checked user, and what the launch said about where it came from."""

    id: int
    first_name: str
    language_code: str | None
    start_param: str | None
    auth_date: int


def secret_key(bot_token: str) -> bytes:
    """HMAC-SHA256 of the token with the key "WebAppData"."""
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def sign(fields: dict[str, str], bot_token: str) -> str:
    """initData for `fields`, signed for `bot_token` (what Telegram does; tests and benches)."""
    from urllib.parse import urlencode

    digest = hmac.new(secret_key(bot_token), _check_string(fields).encode(), hashlib.sha256)
    return urlencode({**fields, "hash": digest.hexdigest()})


def _check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields))


def from_header(header: str | None) -> str | None:
    """The initData of an `Authorization: tma <initData>` header, or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != SCHEME or not value.strip():
        return None
    return value.strip()


def check_init_data(
    raw: str | None, secret: bytes, now: float, max_age: float = MAX_AGE_SECONDS
) -> WebAppUser | None:
    """The user of valid, fresh initData signed with `secret`; None for anything else."""
    if not raw or len(raw.encode("utf-8", "surrogatepass")) > MAX_INIT_DATA:
        return None
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a repeated key: not what Telegram sends
        return None
    given = fields.pop("hash", "")
    expected = hmac.new(secret, _check_string(fields).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return None
    try:
        auth_date = int(fields.get("auth_date", ""))
        user = json.loads(fields.get("user", ""))
        user_id = int(user["id"])
    except (ValueError, TypeError, KeyError):
        return None
    if not now - max_age <= auth_date <= now + CLOCK_SKEW_SECONDS or user_id <= 0:
        return None
    language = user.get("language_code")
    return WebAppUser(
        id=user_id,
        first_name=str(user.get("first_name", "")),
        language_code=language if isinstance(language, str) else None,
        start_param=fields.get("start_param") or None,
        auth_date=auth_date,
    )
