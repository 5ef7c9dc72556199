"""Bot API errors as Telegram words them, and the JSON bodies it answers them with.

The official server (tdlib/telegram-bot-api) answers ``{"ok": false, "error_code": N,
"description": "...", "parameters": {...}}`` with the HTTP status equal to ``error_code``.
Descriptions start with "Bad Request: ", "Forbidden: ", ... and the first letter of the
detail is lower-cased unless the detail is an UPPER_CASE server code (``BUTTON_DATA_INVALID``).
"""

from __future__ import annotations

from typing import Any

_PREFIXES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def telegram_description(code: int, detail: str) -> str:
    """Prefix ``detail`` as the Bot API server does ("Bad Request: message text is empty")."""
    prefix = _PREFIXES.get(code, "Bad Request")
    if detail.startswith(prefix):
        return detail
    if not detail:
        return prefix
    is_server_code = len(detail) >= 2 and (detail[1] == "_" or detail[1].isupper())
    return f"{prefix}: {detail if is_server_code else detail[0].lower() + detail[1:]}"


class ApiError(Exception):
    """A Bot API error answer; raise it anywhere while handling a call."""

    def __init__(
        self, code: int, detail: str, parameters: dict[str, Any] | None = None, *, raw: bool = False
    ) -> None:
        self.code = code
        self.description = detail if raw else telegram_description(code, detail)
        self.parameters = parameters
        super().__init__(self.description)

    def body(self) -> dict[str, Any]:
        """The JSON object Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 "Bad Request: ..." error."""
    return ApiError(400, detail)


def forbidden(detail: str) -> ApiError:
    """A 403 "Forbidden: ..." error."""
    return ApiError(403, detail)


def retry_after(seconds: int) -> ApiError:
    """A 429 flood-control error with ``parameters.retry_after``."""
    return ApiError(
        429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}, raw=True
    )


def migrated(new_chat_id: int) -> ApiError:
    """The error for a basic group that was upgraded to a supergroup."""
    return ApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


NOT_FOUND = ApiError(404, "Not Found", raw=True)
UNAUTHORIZED = ApiError(401, "Unauthorized", raw=True)
QUERY_ID_INVALID = "query is too old and response timeout expired or query ID is invalid"
MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
