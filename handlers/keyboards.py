"""Neutral buttons (bot.ui.render.Button) → Telegram inline keyboards: as the Bot API's JSON (one
mapping, `button_json`), and as python-telegram-bot objects built from it for the calls that take
them."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.ui.render import Button, Message


def button_json(spec: Button) -> dict[str, Any]:
    """One button as the Bot API's InlineKeyboardButton object."""
    if spec.url:
        return {"text": spec.text, "url": spec.url}
    if spec.web_app:
        return {"text": spec.text, "web_app": {"url": spec.web_app}}
    if spec.switch_inline_query is not None:
        return {"text": spec.text, "switch_inline_query": spec.switch_inline_query}
    if spec.switch_inline_query_current_chat is not None:
        return {
            "text": spec.text,
            "switch_inline_query_current_chat": spec.switch_inline_query_current_chat,
        }
    return {"text": spec.text, "callback_data": spec.callback_data}


def keyboard_json(message: Message) -> dict[str, Any] | None:
    """The message's keyboard as the Bot API's InlineKeyboardMarkup object, or None when it has
    no buttons."""
    rows = [[button_json(spec) for spec in row] for row in message.buttons if row]
    return {"inline_keyboard": rows} if rows else None


def button(spec: Button) -> InlineKeyboardButton:
    """One Telegram button."""
    built = InlineKeyboardButton.de_json(button_json(spec), None)
    assert built is not None
    return built


def markup(message: Message) -> InlineKeyboardMarkup | None:
    """The message's keyboard, or None when it has no buttons."""
    rows = [[button(spec) for spec in row] for row in message.buttons if row]
    return InlineKeyboardMarkup(rows) if rows else None
