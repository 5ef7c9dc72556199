"""Neutral buttons (bot.ui.render.Button) → Telegram inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.ui.render import Button, Message


def button(spec: Button) -> InlineKeyboardButton:
    """One Telegram button."""
    if spec.url:
        return InlineKeyboardButton(spec.text, url=spec.url)
    if spec.web_app:
        return InlineKeyboardButton(spec.text, web_app=WebAppInfo(spec.web_app))
    if spec.switch_inline_query is not None:
        return InlineKeyboardButton(spec.text, switch_inline_query=spec.switch_inline_query)
    if spec.switch_inline_query_current_chat is not None:
        return InlineKeyboardButton(
            spec.text, switch_inline_query_current_chat=spec.switch_inline_query_current_chat
        )
    return InlineKeyboardButton(spec.text, callback_data=spec.callback_data)


def markup(message: Message) -> InlineKeyboardMarkup | None:
    """The message's keyboard, or None when it has no buttons."""
    rows = [[button(spec) for spec in row] for row in message.buttons if row]
    return InlineKeyboardMarkup(rows) if rows else None
