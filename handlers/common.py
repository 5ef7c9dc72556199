"""Small pieces every handler needs: the reader's language, replying, editing in place."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Message as TelegramMessage
from telegram import Update
from telegram.error import BadRequest

from bot.chats import chat_language, touch_chat
from bot.i18n import pick_language
from bot.models import Chat
from bot.render import Message
from bot.subscriptions import set_chat_reachable
from handlers.context import UNKNOWN, BotContext
from handlers.keyboards import markup


def language_of(update: Update, context: BotContext) -> str:
    """The chat's chosen language, else the user's Telegram language, else zh-Hant-HK."""
    chat = update.effective_chat
    user = update.effective_user
    if context.stored_language is not UNKNOWN:
        stored = context.stored_language  # read by remember_chat in this same update
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


async def reply(update: Update, message: Message) -> TelegramMessage | None:
    """Send a message to the update's chat (as a reply in groups, to keep threads readable)."""
    incoming = update.effective_message
    chat = update.effective_chat
    if chat is None:
        return None
    quote = incoming is not None and chat.type != "private" and update.callback_query is None
    return await chat.send_message(
        message.html,
        reply_markup=markup(message),
        reply_to_message_id=incoming.message_id if quote and incoming else None,
    )


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
