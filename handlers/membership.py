"""The bot's own membership: added to a group (say hello), removed or blocked (stop writing)."""

from __future__ import annotations

from telegram import ChatMember, Update

from bot.store.chats import move_chat, touch_chat
from bot.store.subscriptions import move_subscriptions, set_chat_reachable
from bot.ui.i18n import html
from bot.ui.render import Message
from handlers.common import language_of, reply
from handlers.context import BotContext

_PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)


async def my_membership(update: Update, context: BotContext) -> None:
    """my_chat_member: remember whether the bot may write to the chat; greet a new group."""
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    was_in = change.old_chat_member.status in _PRESENT
    is_in = change.new_chat_member.status in _PRESENT
    with context.services.sessions.begin() as session:
        touch_chat(session, chat.id, chat.type, chat.title or chat.username)
        set_chat_reachable(session, chat.id, is_in)
    if is_in and not was_in and chat.type in ("group", "supergroup"):
        language = language_of(update, context)
        bot = context.services.bot_username
        await reply(update, Message(html(language, "start.group_welcome_html", bot=bot)))


async def group_migrated(update: Update, context: BotContext) -> None:
    """A group became a supergroup: its settings move to the new chat id."""
    message = update.effective_message
    if message is None or not message.migrate_to_chat_id:
        return
    with context.services.sessions.begin() as session:
        move_chat(session, message.chat_id, message.migrate_to_chat_id)
        move_subscriptions(session, message.chat_id, message.migrate_to_chat_id)
