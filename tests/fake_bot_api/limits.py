"""Telegram's limits beyond the spec's types: buttons, inline results, commands, chat actions.

Wording follows the Bot API server and TDLib where they check (``Text buttons are unallowed in
the inline keyboard``, ``Command length must not exceed 32``) and Telegram's server error codes
where the check happens on Telegram's side (``BUTTON_DATA_INVALID``, ``RESULT_ID_DUPLICATE``).
"""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request
from .formatting import INLINE_MESSAGE_TEXT, FormatError, format_text
from .urls import UrlError, check_link, link_user_id

MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_NEXT_OFFSET_BYTES = 64
MAX_COMMANDS = 100
MAX_COMMAND_LENGTH = 32
MAX_COMMAND_DESCRIPTION = 256
_COMMAND = re.compile(r"^[a-z0-9_]+$")
_LANGUAGE_CODE = re.compile(r"^([a-z]{2})?$")
_BUTTON_KINDS = (
    "url", "callback_data", "callback_game", "pay", "switch_inline_query",
    "switch_inline_query_chosen_chat", "switch_inline_query_current_chat", "login_url",
    "web_app", "copy_text",
)  # fmt: skip
CHAT_ACTIONS = frozenset(
    {
        "cancel", "typing", "record_video", "upload_video", "record_audio", "record_voice",
        "upload_audio", "upload_voice", "upload_photo", "upload_document", "choose_sticker",
        "pick_up_location", "find_location", "record_video_note", "upload_video_note",
    }
)  # fmt: skip


def check_reply_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Check an inline keyboard's buttons; return the markup Telegram keeps (inline only)."""
    if not markup or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            _check_button(button)
    return markup if any(markup["inline_keyboard"]) else None


def check_web_app_buttons(markup: dict[str, Any] | None, private: bool) -> None:
    """``web_app`` buttons are "available only in private chats between a user and the bot":
    anywhere else (a group, an inline message) the server refuses the keyboard."""
    rows = (markup or {}).get("inline_keyboard") or []
    if not private and any("web_app" in button for row in rows for button in row):
        raise bad_request("BUTTON_TYPE_INVALID")


def check_web_app_url(url: object, what: str) -> None:
    """A Web App URL must be HTTPS, as Telegram requires of every Mini App."""
    if not isinstance(url, str) or not url.lower().startswith("https://") or len(url) <= 8:
        raise bad_request(f"{what} Web App URL '{url}' is invalid: Only HTTPS links are allowed")


def _check_button(button: dict[str, Any]) -> None:
    kind = _button_kind(button)
    if kind is None:
        raise bad_request(
            "Can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if not str(button.get("text", "")):
        raise bad_request("Inline keyboard button text must be non-empty")
    if kind == "callback_data":
        data = str(button["callback_data"]).encode("utf-8")
        if len(data) > MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif kind == "web_app":
        web_app = button["web_app"]
        check_web_app_url(
            web_app.get("url") if isinstance(web_app, dict) else None, "inline keyboard button"
        )
    elif kind == "url":
        url = str(button["url"])
        if link_user_id(url) is None:
            try:
                check_link(url)
            except UrlError as error:
                raise bad_request(f"Inline keyboard button {error}") from None


def _button_kind(button: dict[str, Any]) -> str | None:
    for kind in ("url", "callback_data"):  # the server skips these when empty
        if button.get(kind) not in ("", None):
            return kind
    return next((kind for kind in _BUTTON_KINDS[2:] if kind in button), None)


def check_inline_results(results: list[dict[str, Any]], next_offset: str) -> list[dict[str, Any]]:
    """Check ``answerInlineQuery`` results; return them with their texts processed."""
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("Too many inline query results specified")
    checked = [_checked_result(result) for result in results]
    seen: set[str] = set()
    for result in checked:
        result_id = str(result["id"])
        if not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID_BYTES:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        check_web_app_buttons(check_reply_markup(result.get("reply_markup")), private=False)
    if len(next_offset.encode("utf-8")) > MAX_NEXT_OFFSET_BYTES:
        raise bad_request("NEXT_OFFSET_INVALID")
    return checked


def _checked_result(result: dict[str, Any]) -> dict[str, Any]:
    content = result.get("input_message_content")
    if not content or "message_text" not in content:
        return result
    try:
        formatted = format_text(
            str(content["message_text"]),
            content.get("parse_mode"),
            content.get("entities"),
            INLINE_MESSAGE_TEXT,
        )
    except FormatError as error:
        detail = str(error)
        if detail.isupper():  # a Telegram server code, not a parse failure
            raise bad_request(detail) from None
        raise bad_request(f"Can't parse inline query result: {detail}") from None
    assert formatted is not None
    processed = {"text": formatted.text, "entities": formatted.entity_dicts()}
    return {**result, "input_message_content": {**content, "_processed": processed}}


def check_commands(commands: list[dict[str, Any]], language_code: str) -> list[dict[str, str]]:
    """Check ``setMyCommands`` commands; return them as Telegram stores them."""
    if not _LANGUAGE_CODE.match(language_code):
        raise bad_request("Invalid language code specified")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    return [_checked_command(command) for command in commands]


def _checked_command(command: dict[str, Any]) -> dict[str, str]:
    name = str(command["command"]).strip().removeprefix("/")
    description = str(command["description"]).strip()
    if not name:
        raise bad_request("Command must be non-empty")
    if len(name) > MAX_COMMAND_LENGTH:
        raise bad_request(f"Command length must not exceed {MAX_COMMAND_LENGTH}")
    if not description:
        raise bad_request("Command description must be non-empty")
    if len(description) > MAX_COMMAND_DESCRIPTION:
        raise bad_request(f"Command description length must not exceed {MAX_COMMAND_DESCRIPTION}")
    if not _COMMAND.match(name):
        raise bad_request("BOT_COMMAND_INVALID")
    return {"command": name, "description": description}


def check_chat_action(action: str) -> None:
    """Reject an unknown ``sendChatAction`` action."""
    if action not in CHAT_ACTIONS:
        raise bad_request("Wrong parameter action in request")
