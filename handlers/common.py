"""Small pieces every handler needs: the reader's language, replying, editing in place, who may
do what, deep links. Handler modules share through this module, never by importing each other."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import Any

from sqlalchemy.orm import Session
from telegram import LinkPreviewOptions, MenuButtonWebApp, Update, User, WebAppInfo
from telegram import Message as TelegramMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import filters

from bot.core.filters import Filters
from bot.core.update_outcome import IGNORED, mark_outcome
from bot.search import SearchResults, search
from bot.search.engine import recent_search
from bot.search.semantic import ModelNeeded
from bot.store.chats import chat_language, chat_state, touch_chat
from bot.store.models import Chat, utcnow
from bot.store.saved_queries import StoredSearch, load_query
from bot.store.subscriptions import set_chat_reachable
from bot.ui import actions
from bot.ui.i18n import pick_language, t
from bot.ui.miniapp_links import MiniAppLinks
from bot.ui.render import Message
from handlers.context import UNKNOWN, BotContext, Services, prefetched_chat
from handlers.keyboards import keyboard_json, markup

log = logging.getLogger(__name__)

# Every message: the Defaults of handlers.app, and `reply`, which sends without them.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# The same as the Bot API's JSON, for calls built by hand (`reply`): as a PTB object, each call
# would merge it with the bot's defaults and serialise it again.
NO_PREVIEW_JSON = NO_PREVIEW.to_dict()


def language_of(update: Update, context: BotContext) -> str:
    """The chat's chosen language, else the user's Telegram language, else zh-Hant-HK."""
    chat = update.effective_chat
    user = update.effective_user
    known, state = prefetched_chat(chat.id) if chat is not None else (False, None)
    if context.stored_language is not UNKNOWN:
        stored = context.stored_language  # read by remember_chat in this same update
    elif known:
        stored = state.language if state is not None else None  # read with the claim
    elif chat is not None:
        with context.services.sessions() as session:
            stored = chat_language(session, chat.id)
    else:
        stored = None
    return pick_language(stored, user.language_code if user else None)


def remember_chat(update: Update, context: BotContext) -> None:
    """Record the chat we heard from (and reactivate it if it had blocked us), and note its
    language for this update: one unit of work instead of two."""
    if update.effective_chat is None:
        return
    with context.services.sessions.begin() as session:
        note_chat(session, update, context)


def observe_chat(update: Update, context: BotContext) -> None:
    """remember_chat for the hot path (searches): one read of the chat's state, and the write,
    when one is needed (first contact, or a touch an hour old), left to the background writer.
    A chat coming back after blocking the bot is reactivated at once (its digests resume)."""
    chat = update.effective_chat
    if chat is None:
        return
    known, state = prefetched_chat(chat.id)
    if not known:
        with context.services.sessions() as session:
            state = chat_state(session, chat.id)
    if state is not None and not state.active:
        remember_chat(update, context)
        context.stored_compact = state.compact
        return
    title = chat.title or chat.username
    if state is None or state.needs_touch(chat.type, title, utcnow()):
        context.services.writes.touch_chat(chat.id, chat.type, title)
    context.stored_language = state.language if state else None
    context.stored_compact = state.compact if state else None


# Searched on the event loop up to this many records: bench.search_speed measured a search of
# 3 570 records (ten times the bundled corpus) at p50 1.3 ms, p99 3.7 ms; of 35 700, p99 ~30 ms.
ON_LOOP_RECORDS = 5000


async def search_answer(
    context: BotContext,
    text: str,
    *,
    limit: int,
    offset: int = 0,
    filters: Filters | None = None,
    language: str,
) -> SearchResults:
    """`bot.search.search` on the current index for a handler: a recent answer at once; else,
    on an index of at most ON_LOOP_RECORDS records, searched on the event loop if the words
    and a query vector the model holds in memory decide it (about a millisecond of CPU, where
    handing it to a thread costs a quarter of that again); else in a worker thread, so that a
    query that needs the model (tens of milliseconds), or a search of a corpus many times ours,
    does not hold up the other chats' updates."""
    index = context.services.index.get()
    arguments: dict[str, Any] = {
        "limit": limit,
        "offset": offset,
        "filters": filters,
        "language": language,
    }
    kept = recent_search(index, text, **arguments)
    if kept is not None:
        return kept
    if len(index) <= ON_LOOP_RECORDS:
        try:
            return search(index, text, **arguments, wait_for_model=False)
        except ModelNeeded:
            pass
    return await asyncio.to_thread(partial(search, index, text, **arguments))


def load_saved(context: BotContext, key: str) -> StoredSearch | None:
    """The search behind a button's key: not stored yet (handed to the writer by this process),
    else from the store; None when unknown."""
    pending = context.services.writes.pending_query(key)
    if pending is not None:
        return pending
    with context.services.sessions() as session:
        return load_query(session, key)


def note_chat(session: Session, update: Update, context: BotContext) -> None:
    """remember_chat inside the caller's unit of work."""
    chat = update.effective_chat
    if chat is None:
        return
    known = session.get(Chat, chat.id)
    came_back = known is not None and not known.active
    row = touch_chat(session, chat.id, chat.type, chat.title or chat.username)
    if came_back:  # e.g. /start after blocking the bot: its digests resume
        set_chat_reachable(session, chat.id, True)
    context.stored_language = row.language


async def reply(update: Update, message: Message) -> None:
    """Send a message to the update's chat (as a reply in groups, to keep threads readable).

    The hot path of every answer: the call is made with the keyboard as the Bot API's JSON and
    its answer is not turned into a `telegram.Message` (nothing reads it, and building it, with
    an object per entity and per button, cost more than the rest of the call). It goes through
    the bot's own request path (`Bot._post`: defaults, the rate limiter, PTB's errors) as
    `send_message` does."""
    incoming = update.effective_message
    chat = update.effective_chat
    if chat is None:
        return
    quote = incoming is not None and chat.type != "private" and update.callback_query is None
    data: dict[str, object] = {
        "chat_id": chat.id,
        "text": message.html,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": NO_PREVIEW_JSON,
    }
    keyboard = keyboard_json(message)
    if keyboard is not None:
        data["reply_markup"] = keyboard
    if quote and incoming is not None:
        data["reply_parameters"] = {"message_id": incoming.message_id}
    await update.get_bot()._post("sendMessage", data)


async def send_all(update: Update, messages: list[Message]) -> None:
    """Send several messages in order."""
    for message in messages:
        await reply(update, message)


async def edit(update: Update, message: Message) -> None:
    """Replace the message a button was pressed on (ignoring "not modified")."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_text(message.html, reply_markup=markup(message))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


def miniapp_links(update: Update, context: BotContext) -> MiniAppLinks | None:
    """Where buttons to the Mini App lead from this chat; None when MINIAPP_URL is not set."""
    url = context.services.settings.miniapp_url
    chat = update.effective_chat
    if not url or chat is None:
        return None
    return MiniAppLinks(url, context.services.bot_username, chat.type == "private")


async def set_menu_button(context: BotContext, chat_id: int | None, language: str) -> None:
    """The private chat's menu button (or, with no chat, the default one) opens the Mini App,
    labelled in `language`; nothing when MINIAPP_URL is not set. A refusal is logged, never
    fatal: the chat works without it."""
    url = context.services.settings.miniapp_url
    if not url:
        return
    button = MenuButtonWebApp(t(language, "miniapp.menu_button"), WebAppInfo(url))
    try:
        await context.bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramError:
        log.warning("could not set the Mini App menu button", exc_info=True)


def is_admin_user(services: Services, user: User | None) -> bool:
    """True when `user` is one of ADMIN_IDS (read from the settings on every call)."""
    return user is not None and not user.is_bot and user.id in services.settings.admin_ids


def is_admin(context: BotContext, user: User | None) -> bool:
    """True when `user` is one of ADMIN_IDS (checked on every call)."""
    return is_admin_user(context.services, user)


async def is_chat_admin(context: BotContext, chat_id: int, user_id: int) -> bool:
    """True when the user administers the group (asked of Telegram on every call)."""
    member = await context.bot.get_chat_member(chat_id, user_id)
    return member.status in ("administrator", "creator")


async def may_change(update: Update, context: BotContext) -> bool:
    """Whether this user may change the chat's subscriptions and followed topics: in private
    chats always; in groups only administrators (the others are told why not)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == "private":
        return True
    if await is_chat_admin(context, chat.id, user.id):
        return True
    text = t(language_of(update, context), "errors.group_only_admins")
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await reply(update, Message(text))
    return False


class DeepLink(filters.MessageFilter):
    """`/start <payload>` whose payload is a deep link of one kind (an `actions.…_LINK`)."""

    def __init__(self, kind: str) -> None:
        super().__init__(name=f"DeepLink({kind})")
        self._kind = kind

    def filter(self, message: TelegramMessage) -> bool:
        words = (message.text or "").split(maxsplit=2)
        payload = actions.parse_payload(words[1] if len(words) > 1 else None)
        return payload is not None and payload[0] == self._kind


def deep_link_value(context: BotContext) -> str:
    """The value of the deep link a DeepLink-filtered /start carries (the id or the key)."""
    payload = actions.parse_payload(context.args[0] if context.args else None)
    return payload[1] if payload else ""


async def mark_ignored(update: object, context: object) -> None:
    """The last handler of group 0: reached only when no other handler matched the update."""
    mark_outcome(IGNORED)
