"""Builds the Application: every handler, in one place, in the order it is tried."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.config import Settings
from bot.search.engine import RECENT
from bot.search.kept_vectors import set_budget
from bot.search.live import LiveIndex
from bot.store.db import SessionFactory
from bot.store.deferred_writes import DeferredWrites
from bot.store.update_claims import UpdateClaims
from bot.ui import actions
from bot.ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from handlers import (
    admin,
    browse,
    compare,
    feedback,
    follow,
    inline,
    insight,
    membership,
    search,
    start,
    subscribe,
    upload,
)
from handlers.bot_api_request import AiohttpRequest
from handlers.common import NO_PREVIEW, DeepLink, mark_ignored, set_menu_button
from handlers.context import BotApplication, BotContext, Services
from handlers.errors import on_error
from handlers.flood import flood_handler
from handlers.jobs import TICK_SECONDS, digest_tick
from handlers.processing import (
    PURGE_SECONDS,
    ClaimingUpdateProcessor,
    purge_processed,
)
from handlers.query_log import PURGE_INTERVAL_SECONDS, purge_job

log = logging.getLogger(__name__)

COMMANDS = (
    "start", "help", "search", "s", "rec", "areas", "sources",
    "subscribe", "subscriptions", "unsubscribe", "follow", "following", "unfollow", "lang",
    "compare",
)  # fmt: skip
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.MY_CHAT_MEMBER,
]


class AddressedToBot(filters.MessageFilter):
    """A group message that mentions the bot or replies to one of its messages."""

    def __init__(self, services: Services) -> None:
        super().__init__(name="AddressedToBot")
        self._services = services

    def filter(self, message: Message) -> bool:
        username = self._services.bot_username.lower()
        if not username:
            return False
        replied = message.reply_to_message
        author = replied.from_user if replied is not None else None
        if author is not None and (author.username or "").lower() == username:
            return True
        return f"@{username}" in (message.text or "").lower()


# Flood control (429 retry_after) has one owner: this limiter waits retry_after out (pausing every
# other request meanwhile) and retries up to this many times; digest and broadcast delivery retry
# only network errors on top (bot.digest.deliver), so a 429 is never retried by two layers.
RETRIES_ON_429 = 3


def evenly_spaced_limiter(per_second: float) -> AIORateLimiter:
    """One message every 1/rate seconds. AIORateLimiter's default bucket lets a whole second's
    allowance out at once after any pause, which overshoots a sliding one-second window (measured:
    23 msg/s and a 429 every ~31 sends at 30/s; evenly spaced: 29 msg/s and none)."""
    limiter = AIORateLimiter(
        overall_max_rate=1, overall_time_period=1 / per_second, max_retries=RETRIES_ON_429
    )
    # PTB sends a paid broadcast (allow_paid_broadcast) through a limiter of its own at Telegram's
    # 1000/s, past the overall one. TELEGRAM_RATE_LIMIT stays the bot's rate for every message
    # (replicas split Telegram's cap between them): paid sends share the same evenly spaced one.
    if limiter._base_limiter is not None:
        limiter._apb_limiter = limiter._base_limiter
    return limiter


def build_application(
    settings: Settings,
    sessions: SessionFactory,
    index: LiveIndex | None = None,
    *,
    polling: bool = True,
) -> BotApplication:
    """The bot: Telegram settings from `settings`, services shared by every handler. Without
    `polling`, updates come from the webhook server instead (no Updater)."""
    writes = DeferredWrites(sessions, settings.query_log_retention_days)
    RECENT.resize(settings.search_cache_size)  # answers to recent searches, per index
    set_budget(settings.search_terms_mb)  # term vectors kept, per index
    services = Services(settings, sessions, index or LiveIndex(sessions), writes)
    # Each update claimed once across replicas, logged in one line; per-chat order kept; the
    # deferred writes flushed in the background and at shutdown.
    processor = ClaimingUpdateProcessor(
        UpdateClaims(sessions, settings.db_pool_size), writes, settings.update_concurrency
    )
    builder: Any = (
        ApplicationBuilder()
        .token(settings.require_token())
        .context_types(ContextTypes(context=BotContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
            )
        )
        .request(AiohttpRequest())  # the Bot API calls (getUpdates keeps PTB's own client)
        .rate_limiter(evenly_spaced_limiter(settings.telegram_rate_limit))
        .post_init(_post_init)
        .concurrent_updates(processor)
    )
    if not polling:
        builder = builder.updater(None)
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url).base_file_url(
            settings.telegram_base_url.removesuffix("/bot") + "/file/bot"
        )
    application: BotApplication = builder.build()
    application.bot_data["services"] = services
    _register(application, services)
    return application


def _register(application: BotApplication, services: Services) -> None:
    # Group -1, first: flood protection (stops an update from a user or group over its limit).
    application.add_handler(flood_handler(services), group=-1)
    # Group 0, tried in order; the first handler that matches an update handles it.
    # Plain text: a search in private chats; in groups only when addressed to the bot. Edited
    # messages and channel posts match nothing and are ignored. Tried before the commands, as
    # most updates are plain text: a command handler never matches a message without a command
    # at its start, and these never match one with it (~COMMAND), so the order decides nothing,
    # and a text message no longer goes through twenty command checks first.
    new_text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    application.add_handler(
        MessageHandler(new_text & filters.ChatType.PRIVATE, search.search_private)
    )
    application.add_handler(
        MessageHandler(
            new_text & filters.ChatType.GROUPS & AddressedToBot(services), search.search_mention
        )
    )
    # Commands (work in private chats and, with privacy mode on, in groups).
    # deep links first: /start rec_<id> and /start q_<key>; a plain /start is the welcome
    application.add_handler(
        CommandHandler("start", browse.record_link, DeepLink(actions.RECORD_LINK))
    )
    application.add_handler(
        CommandHandler("start", search.saved_query_link, DeepLink(actions.QUERY_LINK))
    )
    application.add_handler(CommandHandler("start", start.start))
    application.add_handler(CommandHandler("help", start.help_command))
    application.add_handler(CommandHandler("lang", start.lang_command))
    application.add_handler(CommandHandler(["search", "s"], search.search_command))
    application.add_handler(CommandHandler("rec", browse.rec_command))
    application.add_handler(CommandHandler("areas", browse.areas_command))
    application.add_handler(CommandHandler("sources", browse.sources_command))
    application.add_handler(CommandHandler("subscribe", subscribe.subscribe_command))
    application.add_handler(CommandHandler("subscriptions", subscribe.subscriptions_command))
    application.add_handler(CommandHandler("unsubscribe", subscribe.unsubscribe_command))
    application.add_handler(CommandHandler("follow", follow.follow_command))
    application.add_handler(CommandHandler("following", follow.following_command))
    application.add_handler(CommandHandler("unfollow", follow.unfollow_command))
    application.add_handler(CommandHandler("compare", compare.compare_command))
    # Admins only: for anyone else the filter fails and /stats is an unknown command.
    application.add_handler(
        CommandHandler("stats", insight.stats_command, filters=insight.FromAdmin(services))
    )
    # Admin commands: they match only for ADMIN_IDS in a private chat (else: as unknown commands).
    admins_here = admin.AdminPrivateChat(services)
    application.add_handler(CommandHandler("admin", admin.admin_command, filters=admins_here))
    application.add_handler(CommandHandler("reload", admin.reload_command, filters=admins_here))
    application.add_handler(
        CommandHandler("broadcast", admin.broadcast_command, filters=admins_here)
    )
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, membership.group_migrated))
    # Documents sent in a private chat: an admin's import (handlers/upload.py).
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.Document.ALL & filters.ChatType.PRIVATE,
            upload.document_message,
        )
    )
    # Anything else a member sends in a private chat (a sticker, photo, voice message, location…):
    # what the bot can do. In groups such messages are not for the bot: silence.
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.StatusUpdate.ALL,
            start.not_text_message,
        )
    )
    # Buttons, by callback_data prefix (see bot.ui.actions).
    for name, callback in (
        (actions.OPEN, browse.open_button),
        (actions.VOTE, feedback.vote_button),
        (actions.RELATED, browse.related_button),
        (actions.PAGE, search.page_button),
        (actions.NARROW, search.narrow_button),
        (actions.UNNARROW, search.unnarrow_button),
        (actions.FACETS, search.facets_button),
        (actions.LAYOUT, search.layout_button),
        (actions.COMPARE_MORE, compare.compare_more_button),
        (actions.AREA, browse.area_button),
        (actions.AREAS, browse.areas_button),
        (actions.LANGUAGE, start.lang_button),
        (actions.SUBSCRIBE, subscribe.subscribe_button),
        (actions.UNSUBSCRIBE, subscribe.unsubscribe_button),
        (actions.FOLLOW, follow.follow_button),
        (actions.FOLLOWING, follow.topic_button),
        (actions.IMPORT, upload.import_button),
    ):
        pattern = actions.pattern(name)
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    broadcast_pattern = actions.pattern(actions.ADMIN, actions.BROADCAST)
    application.add_handler(
        admin.AdminButtonHandler(services, admin.broadcast_button, broadcast_pattern)
    )
    application.add_handler(InlineQueryHandler(inline.answer_inline))
    application.add_handler(
        ChatMemberHandler(membership.my_membership, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    # Last in group 0: whatever nothing above matched is logged as ignored.
    application.add_handler(TypeHandler(Update, mark_ignored))
    application.add_error_handler(on_error)
    # The digest scheduler: one repeating tick; due times live in the store.
    if application.job_queue is not None:
        application.job_queue.run_repeating(digest_tick, interval=TICK_SECONDS, first=10)
        # Exactly-once claims (processed_updates) older than their retention are forgotten.
        application.job_queue.run_repeating(purge_processed, interval=PURGE_SECONDS, first=60)
        # The anonymous query log: entries past QUERY_LOG_RETENTION_DAYS go, daily.
        application.job_queue.run_repeating(purge_job, interval=PURGE_INTERVAL_SECONDS, first=60)
        application.job_queue.run_repeating(
            admin.resume_broadcasts, interval=admin.RESUME_SECONDS, first=admin.RESUME_SECONDS
        )


async def _post_init(application: BotApplication) -> None:
    """Learn our username, warm the index, publish the command menu."""
    services: Services = application.bot_data["services"]
    me = await application.bot.get_me()
    services.bot_username = me.username or ""
    services.index.get()
    for language in LANGUAGES:
        commands = [BotCommand(name, t(language, f"commands.{name}")) for name in COMMANDS]
        code = "en" if language == "en" else None
        await application.bot.set_my_commands(commands, language_code=code)
    await admin.publish_admin_menus(application, COMMANDS)  # admins' chats: public + admin
    # The Mini App's menu button for every private chat (each chat's own, in its language, is
    # set at /start and /lang); nothing without MINIAPP_URL.
    await set_menu_button(BotContext(application), None, DEFAULT_LANGUAGE)
    log.info("bot @%s ready: %d records indexed", services.bot_username, len(services.index.get()))
