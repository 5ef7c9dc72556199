"""Telegram handlers (python-telegram-bot v22): parse an update, call bot/, render, reply."""

from handlers.app import build_application

__all__ = ["build_application"]
