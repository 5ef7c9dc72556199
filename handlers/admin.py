"""Admin commands (/admin, /reload, /broadcast) and their buttons, for ADMIN_IDS only.

Who is an admin is decided by `is_admin` on every command and every button press, from the
settings (never remembered from an earlier call). For anyone else the admin handlers simply do
not match (see `AdminPrivateChat` and `AdminButtonHandler`), so their /admin or a forged confirm
button gets exactly what an unknown command or unknown button gets, and nothing reveals that the
commands exist. Admin commands work in private chats only.

Long work (re-ingesting, sending a broadcast) runs as a background task, so the bot keeps
answering everyone else meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, filters

from bot.admin import broadcast
from bot.admin.reload import reload_corpus
from bot.admin.summary import store_summary
from bot.admin.views import confirm_message, reload_message, report_message, summary_message
from bot.core.text import utf16_len
from bot.store.models import utcnow
from bot.ui import actions
from bot.ui.i18n import LANGUAGES, html, t
from bot.ui.render import MESSAGE_LIMIT
from bot.ui.render import Message as OutgoingMessage
from handlers.common import edit, is_admin, is_admin_user, language_of, reply
from handlers.context import BotApplication, BotContext, Services
from handlers.telegram_sender import TelegramSender

log = logging.getLogger(__name__)

# The admin menu is the public commands plus these (descriptions: admin.commands.<name> in the
# catalogues). Add a command here, and its handler in handlers/app.py, to extend it.
ADMIN_COMMANDS: tuple[str, ...] = ("admin", "stats", "reload", "broadcast")
RESUME_SECONDS = 60  # how often to look for broadcasts whose sending process died

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


class AdminPrivateChat(filters.UpdateFilter):
    """An update from an admin in their private chat with the bot."""

    def __init__(self, services: Services) -> None:
        super().__init__(name="AdminPrivateChat")
        self._services = services

    def filter(self, update: Update) -> bool:
        chat = update.effective_chat
        private = chat is not None and chat.type == ChatType.PRIVATE
        return private and is_admin_user(self._services, update.effective_user)


class AdminButtonHandler(CallbackQueryHandler[BotContext, None]):
    """A CallbackQueryHandler that matches admins' presses only: anyone else's press on admin
    callback data is left unhandled, as unknown callback data is."""

    def __init__(self, services: Services, callback: Handler, pattern: str) -> None:
        super().__init__(callback, pattern=pattern)
        self._services = services

    def check_update(self, update: object) -> bool | object | None:
        if not isinstance(update, Update) or not is_admin_user(
            self._services, update.effective_user
        ):
            return None
        return super().check_update(update)


def admin_only(handler: Handler) -> Handler:
    """Check again inside the handler, so a registration without the filter cannot leak."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        chat = update.effective_chat
        if (
            chat is None
            or chat.type != ChatType.PRIVATE
            or not is_admin(context, update.effective_user)
        ):
            return
        await handler(update, context)

    return guarded


# /admin


@admin_only
async def admin_command(update: Update, context: BotContext) -> None:
    """/admin — counts from the store plus this process's scheduler tick and uptime."""
    services = context.services
    language = language_of(update, context)
    now = utcnow()
    with services.sessions() as session:
        summary = store_summary(session, now)
    uptime = now - services.started_at
    zone = services.settings.timezone
    await reply(update, summary_message(language, summary, services.last_tick, uptime, zone))


# /reload


@admin_only
async def reload_command(update: Update, context: BotContext) -> None:
    """/reload — re-ingest data/ in the background; the report follows when it is done."""
    language = language_of(update, context)
    await reply(update, OutgoingMessage(html(language, "admin.reload_started")))
    context.application.create_task(_reload(update, context, language), update=update)


async def _reload(update: Update, context: BotContext, language: str) -> None:
    services = context.services
    lock: asyncio.Lock = context.bot_data.setdefault("admin_reload_lock", asyncio.Lock())
    async with lock:  # one re-ingest at a time in this process
        try:
            report = await asyncio.to_thread(reload_corpus, services.sessions)
            await asyncio.to_thread(services.index.refresh)  # this process at once
        except Exception as error:
            log.exception("reload failed")
            text = html(language, "admin.reload_failed", error=type(error).__name__)
            await reply(update, OutgoingMessage(text))
            return
    log.info("reload by admin: corpus version %s", report.version)
    await reply(update, reload_message(language, report, services.settings.timezone))


# /broadcast


def command_text(message: Message | None) -> str:
    """What follows the command, line breaks kept (context.args would lose them)."""
    if message is None or not message.text:
        return ""
    command = next(
        (
            entity
            for entity in message.entities
            if entity.type == "bot_command" and entity.offset == 0
        ),
        None,
    )
    if command is None:
        return ""
    return message.text[len(message.parse_entity(command)) :].strip()


@admin_only
async def broadcast_command(update: Update, context: BotContext) -> None:
    """/broadcast <text> — a preview as recipients will see it, then Confirm / Cancel."""
    services = context.services
    language = language_of(update, context)
    text = command_text(update.effective_message)
    if not text:
        await reply(update, OutgoingMessage(html(language, "admin.broadcast_usage_html")))
        return
    if not broadcast.text_fits(text):
        length = utf16_len(text)
        message = html(language, "admin.broadcast_too_long", length=length, limit=MESSAGE_LIMIT)
        await reply(update, OutgoingMessage(message))
        return
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None  # admin_only checked both
    with services.sessions.begin() as session:
        key = broadcast.create(session, chat.id, user.id, text, language, utcnow())
        recipients = broadcast.count_recipients(session)
    await reply(update, broadcast.broadcast_message(text))
    await reply(update, confirm_message(language, key, recipients))


_STATUS_TEXT = {
    broadcast.SENDING: "admin.broadcast_running",
    broadcast.DONE: "admin.broadcast_finished",
    broadcast.CANCELLED: "admin.broadcast_was_cancelled",
}


async def broadcast_button(update: Update, context: BotContext) -> None:
    """adm:bc:ok:<key> starts sending (once, whoever taps twice); adm:bc:no:<key> cancels."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or not is_admin(context, user):
        return
    language = language_of(update, context)
    action = actions.decode(query.data)
    if (
        action is None
        or len(action.args) != 3
        or action.args[1] not in (actions.CONFIRM, actions.CANCEL)
    ):
        await query.answer(t(language, "admin.broadcast_missing"), show_alert=True)
        return
    _, verb, key = action.args
    sessions = context.services.sessions
    if verb == actions.CONFIRM:
        started = broadcast.confirm(sessions, key, user.id)
        before, owner = started.status, started.owner
    else:
        before, owner = broadcast.cancel(sessions, key, user.id), None
    if before != broadcast.PENDING:
        status_key = _STATUS_TEXT.get(before or "", "admin.broadcast_missing")
        await query.answer(t(language, status_key), show_alert=True)
        return
    await query.answer()
    if owner is None:
        await edit(update, OutgoingMessage(html(language, "admin.broadcast_cancelled")))
        return
    await edit(update, OutgoingMessage(html(language, "admin.broadcast_sending")))
    context.application.create_task(_send_broadcast(context.application, key, owner))


async def _send_broadcast(application: BotApplication, key: str, owner: str) -> None:
    """Send to every remaining chat through the Application's rate-limited bot, then report."""
    services: Services = application.bot_data["services"]
    try:
        sender = TelegramSender(application.bot, services.settings.telegram_paid_broadcast)
        report = await broadcast.run(services.sessions, sender, key, owner)
    except Exception:
        log.exception("broadcast %s stopped; another process resumes it after the lease", key)
        return
    if report is None:
        return  # taken over by another run, which reports
    log.info("broadcast %s done: %s sent, %s blocked, %s failed", key, *_counts(report))
    language = report.language if report.language in LANGUAGES else LANGUAGES[0]
    try:
        await application.bot.send_message(report.chat_id, report_message(language, report).html)
    except TelegramError:
        log.warning("could not send the broadcast report to %s", report.chat_id, exc_info=True)


def _counts(report: broadcast.BroadcastReport) -> tuple[int, int, int]:
    return report.sent, report.blocked, report.failed


async def resume_broadcasts(context: BotContext) -> None:
    """JobQueue: take over broadcasts whose sending process stopped heartbeating (crashed)."""
    sessions = context.services.sessions
    for key in broadcast.stale(sessions):
        owner = broadcast.take_over(sessions, key)
        if owner is not None:
            log.info("resuming broadcast %s", key)
            context.application.create_task(_send_broadcast(context.application, key, owner))


# Command menus


def admin_menu(language: str, public: Sequence[str]) -> list[BotCommand]:
    """The public commands, then the admin ones."""
    commands = [BotCommand(name, t(language, f"commands.{name}")) for name in public]
    return commands + [
        BotCommand(name, t(language, f"admin.commands.{name}")) for name in ADMIN_COMMANDS
    ]


async def publish_admin_menus(application: BotApplication, public: Sequence[str]) -> None:
    """setMyCommands for each admin's private chat, in both languages. An admin who never started
    the bot makes Telegram answer "chat not found": logged, and the others still get theirs."""
    services: Services = application.bot_data["services"]
    for admin_id in sorted(services.settings.admin_ids):
        for language in LANGUAGES:
            code: Any = "en" if language == "en" else None
            try:
                await application.bot.set_my_commands(
                    admin_menu(language, public),
                    scope=BotCommandScopeChat(admin_id),
                    language_code=code,
                )
            except TelegramError as error:
                log.warning(
                    "admin %s gets no admin command menu (%s): they must /start the bot first",
                    admin_id,
                    error.message,
                )
                break
