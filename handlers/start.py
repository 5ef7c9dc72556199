"""/start (with deep links), /help and /lang."""

from __future__ import annotations

from telegram import Update

from bot import actions
from bot.chats import set_language
from bot.i18n import LANGUAGES, html, t
from bot.render import Button, Message
from handlers.admin import is_admin
from handlers.browse import send_record
from handlers.common import edit, language_of, remember_chat, reply
from handlers.context import BotContext
from handlers.search import show_saved_query


async def start(update: Update, context: BotContext) -> None:
    """/start [rec_<id> | q_<key>]: a deep link opens what it names; otherwise a welcome."""
    remember_chat(update, context)
    payload = actions.parse_payload(context.args[0] if context.args else None)
    if payload is not None:
        kind, value = payload
        if kind == "rec":
            await send_record(update, context, value)
        else:
            await show_saved_query(update, context, value)
        return
    language = language_of(update, context)
    await reply(update, Message(html(language, "start.welcome_html")))


async def help_command(update: Update, context: BotContext) -> None:
    """/help — how to use the bot here and in groups."""
    language = language_of(update, context)
    bot = context.services.bot_username
    text = html(language, "help.text_html", bot=bot)
    if is_admin(context, update.effective_user):
        text += "\n" + html(language, "upload.help_admin_html")
    await reply(update, Message(text))


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
    if chat.type != "private" and not await _is_admin(context, chat.id, query.from_user.id):
        await query.answer(
            t(language_of(update, context), "errors.group_only_admins"), show_alert=True
        )
        return
    with context.services.sessions.begin() as session:
        set_language(session, chat.id, chat.type, chosen)
    await query.answer()
    await edit(update, Message(t(chosen, "lang.changed")))


async def _is_admin(context: BotContext, chat_id: int, user_id: int) -> bool:
    member = await context.bot.get_chat_member(chat_id, user_id)
    return member.status in ("administrator", "creator")
