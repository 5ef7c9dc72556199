"""Small pieces every handler needs: the reader's language, replying, editing in place."""

from __future__ import annotations

from telegram import Message as TelegramMessage
from telegram import Update
from telegram.error import BadRequest

from bot.chats import chat_language, touch_chat
from bot.i18n import pick_language
from bot.render import Message
from bot.subscriptions import set_chat_reachable
from handlers.context import BotContext
from handlers.keyboards import markup


def language_of(update: Update, context: BotContext) -> str:
    """The chat's chosen language, else the user's Telegram language, else zh-Hant-HK."""
    chat = update.effective_chat
    user = update.effective_user
    stored = None
    if chat is not None:
        with context.services.sessions() as session:
            stored = chat_language(session, chat.id)
    return pick_language(stored, user.language_code if user else None)


def remember_chat(update: Update, context: BotContext) -> None:
    """Record the chat we heard from (and reactivate it if it had blocked us)."""
    chat = update.effective_chat
    if chat is None:
        return
    with context.services.sessions.begin() as session:
        touch_chat(session, chat.id, chat.type, chat.title or chat.username)
        set_chat_reachable(session, chat.id, True)  # e.g. /start after blocking the bot


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
