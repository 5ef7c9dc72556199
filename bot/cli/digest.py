"""`digest preview --chat ID` and `digest send-due [--force]`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.cli.store import check_telegram, ingest_if_empty, open_store
from bot.core.config import Settings
from bot.store.db import SessionFactory

if TYPE_CHECKING:
    from bot.digest.deliver import DeliveryReport


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's commands to the parser."""
    digest = commands.add_parser("digest", help=cmd_digest.__doc__)
    digest_commands = digest.add_subparsers(dest="digest_command", required=True)
    preview = digest_commands.add_parser(
        "preview", help="print the digest the next `send-due` sends a chat (same period, same text)"
    )
    preview.add_argument("--chat", type=int, required=True, help="Telegram chat id")
    preview.add_argument(
        "--force", action="store_true", help="what `send-due --force` would send instead"
    )
    send = digest_commands.add_parser("send-due", help="send every due digest, then exit")
    send.add_argument(
        "--force",
        action="store_true",
        help="every active subscription is due now for its current period (never resends one "
        "recorded as sent for that period)",
    )
    digest.set_defaults(handler=cmd_digest)


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    """Digests: `preview --chat ID` renders the next one; `send-due [--force]` sends and exits."""
    if args.digest_command == "preview":
        return _preview_digest(open_store(settings), settings, args.chat, args.force)
    settings.require_token()
    sessions = open_store(settings, ensure_corpus=False)
    check_telegram(settings)
    ingest_if_empty(sessions)
    from handlers.startup_errors import explained_telegram_failures  # Telegram only when needed

    with explained_telegram_failures(settings):
        report = asyncio.run(_send_due(sessions, settings, args.force))
    print(
        " ".join(f"{name}={count}" for name, count in sorted(report.counts.items()))
        or "nothing due"
    )
    return 0


def _preview_digest(sessions: SessionFactory, settings: Settings, chat_id: int, force: bool) -> int:
    """Print what the next run would send the chat, composed by the function the run uses."""
    from bot.digest.deliver import DeliveryOptions, digest_for, due_slot
    from bot.store.models import DigestSchedule, utcnow
    from bot.ui.render import plain_of

    username = None
    if settings.bot_token is not None:  # links to the bot, as sent; without a token: /rec IDs
        username = check_telegram(settings)
    options = DeliveryOptions(zone=settings.timezone, bot_username=username, force=force)
    with sessions() as session:
        schedule = session.get(DigestSchedule, chat_id)
        if schedule is None:
            print(
                f"chat {chat_id} has no digest schedule (no subscriptions or followed topics)",
                file=sys.stderr,
            )
            return 1
        digest = digest_for(session, schedule, due_slot(schedule, options, utcnow()), options)
    if digest is None:
        print(
            "nothing to send: no new or unsent recommendations in the subscribed areas or "
            "followed topics"
        )
        return 0
    for message in digest.messages:
        print(plain_of(message.html))
    return 0


async def _send_due(sessions: SessionFactory, settings: Settings, force: bool) -> DeliveryReport:
    from bot.digest.alerts import alert_new_documents
    from bot.digest.deliver import DeliveryOptions, send_due
    from bot.search.index import SearchIndex
    from bot.store.topics import has_topics
    from handlers.app import build_application  # Telegram only when needed
    from handlers.telegram_sender import TelegramSender

    application = build_application(settings, sessions)
    stop = asyncio.Event()  # SIGTERM / SIGINT: finish the chat in flight, record it, exit
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with application:
        me = await application.bot.get_me()
        options = DeliveryOptions(
            zone=settings.timezone,
            bot_username=me.username,
            force=force,
            grace=timedelta(hours=settings.digest_grace_hours),
        )
        sender = TelegramSender(application.bot, settings.telegram_paid_broadcast)
        with sessions() as session:
            index = SearchIndex.load(session) if has_topics(session) else None
        if index is not None:  # "notify at once" alerts of new documents, then the digests
            alerts = await alert_new_documents(sessions, sender, options, index, stop.is_set)
            if alerts.counts:
                print("alerts: " + " ".join(f"{k}={v}" for k, v in sorted(alerts.counts.items())))
        return await send_due(sessions, sender, options, should_stop=stop.is_set, index=index)
