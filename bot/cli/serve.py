"""Commands that serve Telegram: `run` (long polling) and `webhook`."""

from __future__ import annotations

import argparse
from collections.abc import Coroutine
from typing import Any

import uvloop

from bot.cli.store import check_telegram, ingest_if_empty, open_store
from bot.core.config import ConfigError, Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's commands to the parser."""
    commands.add_parser("run", help=cmd_run.__doc__).set_defaults(handler=cmd_run)
    commands.add_parser("webhook", help=cmd_webhook.__doc__).set_defaults(handler=cmd_webhook)


def run_event_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run a server to completion on uvloop's event loop (libuv) rather than asyncio's own:
    the loop's work per webhook request and Bot API call (callbacks, sockets) costs less CPU."""
    uvloop.run(main)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot with long polling (deletes any webhook first); with MINIAPP_URL set, the web
    server (Mini App, /healthz) runs beside it on $PORT."""
    settings.require_token()
    sessions = open_store(settings, ensure_corpus=False)
    check_telegram(settings)
    ingest_if_empty(sessions)
    from handlers.app import ALLOWED_UPDATES, build_application  # Telegram only when needed
    from handlers.startup_errors import explained_telegram_failures

    application = build_application(settings, sessions)
    with explained_telegram_failures(settings):
        if settings.miniapp_url:
            from handlers.webhook import serve_polling

            run_event_loop(serve_polling(application, settings))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


def cmd_webhook(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot behind a webhook on $PORT (with /healthz), registered at WEBHOOK_URL."""
    settings.require_token()
    if not settings.webhook_url:
        raise ConfigError("WEBHOOK_URL is not set: set it to the public https:// URL of this app")
    sessions = open_store(settings, ensure_corpus=False)
    check_telegram(settings)
    ingest_if_empty(sessions)
    from handlers.app import build_application  # Telegram only when needed
    from handlers.startup_errors import explained_telegram_failures
    from handlers.webhook import serve

    with explained_telegram_failures(settings):
        run_event_loop(serve(build_application(settings, sessions, polling=False), settings))
    return 0
