"""/start (with deep links), /help, /lang, and the answer to a message that is not text."""

from __future__ import annotations

from telegram import Update

from bot.store.chats import set_language
from bot.ui import actions
from bot.ui.i18n import LANGUAGES, html, t
from bot.ui.render import Button, Message
from handlers.common import (
    edit,
    is_admin,
    is_chat_admin,
    language_of,
    remember_chat,
    reply,
    set_menu_button,
)
from handlers.context import BotContext


async def start(update: Update, context: BotContext) -> None:
    """/start without a deep link (those go to browse.record_link and search.saved_query_link)."""
    remember_chat(update, context)
    language = language_of(update, context)
    await reply(update, Message(html(language, "start.welcome_html")))
    chat = update.effective_chat
    if chat is not None and chat.type == "private":  # the Mini App's button, in its language
        await set_menu_button(context, chat.id, language)


async def help_command(update: Update, context: BotContext) -> None:
    """/help — how to use the bot here and in groups."""
    language = language_of(update, context)
    bot = context.services.bot_username
    text = html(language, "help.text_html", bot=bot)
    if is_admin(context, update.effective_user):
        text += "\n" + html(language, "upload.help_admin_html")
    await reply(update, Message(text))


async def not_text_message(update: Update, context: BotContext) -> None:
    """A sticker, photo, voice message… in a private chat: what the bot can do instead."""
    remember_chat(update, context)
    await reply(update, Message(html(language_of(update, context), "not_text.reply_html")))


def _language_buttons() -> tuple[tuple[Button, ...], ...]:
    return (
        tuple(
            Button(t(language, "language.name"), actions.choose_language(language))
            for language in LANGUAGES
        ),
    )


async def lang_command(update: Update, context: BotContext) -> None:
    """/lang — choose the chat's language."""
    language = language_of(update, context)
    await reply(update, Message(t(language, "lang.choose"), _language_buttons()))


async def lang_button(update: Update, context: BotContext) -> None:
    """l:<language> — remember the choice (in groups, only administrators may change it)."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    chat = update.effective_chat
    if query is None or chat is None or action is None or action.args[:1] == ():
        return
    chosen = action.args[0]
    if chosen not in LANGUAGES:
        await query.answer()
        return
    if chat.type != "private" and not await is_chat_admin(context, chat.id, query.from_user.id):
        await query.answer(
            t(language_of(update, context), "errors.group_only_admins"), show_alert=True
        )
        return
    with context.services.sessions.begin() as session:
        set_language(session, chat.id, chat.type, chosen)
    await query.answer()
    await edit(update, Message(t(chosen, "lang.changed")))
    if chat.type == "private":
        await set_menu_button(context, chat.id, chosen)
