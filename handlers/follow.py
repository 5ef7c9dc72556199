"""Followed topics: /follow TOPIC, the "🔔 Follow this search" button under results, /following
(each topic with how many proposals match it now, unfollow and "notify at once" buttons) and
/unfollow [TOPIC]. A topic is a search (the same engine: aliases, Simplified, English, typos,
`org:` filters); it joins the chat's digest schedule, or the chat picks one. In groups only
administrators may change them (checked with getChatMember on every change); anyone may read."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Update

from bot.core.filters import Filters
from bot.search.query import clean_input
from bot.search.topics import MAX_TOPIC_CHARS, TopicQuery, count_matches, match_topics, topic_key
from bot.store.subscriptions import describe
from bot.store.topics import (
    Topic,
    find_by_key,
    find_topic,
    follow,
    has_schedule,
    set_notify_now,
    topics_of,
    unfollow,
)
from bot.ui import actions
from bot.ui.follow_views import (
    followed_message,
    following_message,
    not_found_message,
    too_long_message,
    topic_name,
    unfollow_picker,
    unfollowed_message,
    usage_message,
)
from bot.ui.i18n import t
from bot.ui.render import Message
from bot.ui.subscription_views import schedule_text
from handlers.common import edit, language_of, load_saved, may_change, remember_chat, reply
from handlers.context import BotContext


def _topic_text(raw: str) -> str:
    """The topic as typed, on one line (control characters and runs of spaces collapsed)."""
    return " ".join(clean_input(raw).split())


async def follow_command(update: Update, context: BotContext) -> None:
    """/follow TOPIC."""
    remember_chat(update, context)
    text = _topic_text(" ".join(context.args or []))
    if not text:
        await reply(update, usage_message(language_of(update, context)))
        return
    if not await may_change(update, context):
        return
    await reply(update, await _follow(update, context, text, Filters()))


async def follow_button(update: Update, context: BotContext) -> None:
    """fl:<key> under a result list: follow that search (with its narrowing filters)."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    if query is None or action is None or len(action.args) != 1:
        return
    language = language_of(update, context)
    stored = load_saved(context, action.args[0])  # perhaps still with the background writer
    if stored is None:
        await query.answer(t(language, "search.expired"), show_alert=True)
        return
    if not await may_change(update, context):
        return
    text = _topic_text(stored.text)
    if not text:
        await query.answer(t(language, "search.expired"), show_alert=True)
        return
    message = await _follow(update, context, text, stored.filters)
    await query.answer()
    await reply(update, message)


async def _follow(update: Update, context: BotContext, text: str, filters: Filters) -> Message:
    """Follow `text` under `filters` in this chat; the answer to show."""
    chat = update.effective_chat
    assert chat is not None
    language = language_of(update, context)
    if len(text) > MAX_TOPIC_CHARS:
        return too_long_message(language, MAX_TOPIC_CHARS)
    services = context.services
    count = count_matches(services.index.get(), text, filters)
    zone = services.settings.timezone
    with services.sessions.begin() as session:
        had_schedule = has_schedule(session, chat.id)
        result, _ = follow(
            session, chat.id, chat.type, text, topic_key(text, filters), filters, zone
        )
        schedule = schedule_text(language, describe(session, chat.id)) if had_schedule else None
    return followed_message(language, result, text, count, schedule)


async def following_command(update: Update, context: BotContext) -> None:
    """/following — the chat's topics (anyone may look)."""
    remember_chat(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    await reply(update, _following(context, chat.id, language_of(update, context)))


def _following(context: BotContext, chat_id: int, language: str) -> Message:
    with context.services.sessions() as session:
        topics = topics_of(session, chat_id)
    matches = match_topics(
        context.services.index.get(), (TopicQuery(t.folded, t.text, t.filters) for t in topics)
    )
    return following_message(language, [(t, len(matches.get(t.folded, ()))) for t in topics])


async def unfollow_command(update: Update, context: BotContext) -> None:
    """/unfollow — pick a topic to remove, or all; /unfollow TOPIC removes that one."""
    chat = update.effective_chat
    if chat is None or not await may_change(update, context):
        return
    language = language_of(update, context)
    text = _topic_text(" ".join(context.args or []))
    with context.services.sessions.begin() as session:
        if not text:
            message = unfollow_picker(language, topics_of(session, chat.id))
        else:
            topic = find_by_key(session, chat.id, topic_key(text))
            if topic is None:
                message = not_found_message(language, text)
            else:
                unfollow(session, chat.id, topic.id)
                message = unfollowed_message(language, [topic.text])
    await reply(update, message)


async def topic_button(update: Update, context: BotContext) -> None:
    """fw:x:<id>|all removes, fw:n:<id> switches "notify at once"; then the list again."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    chat = update.effective_chat
    if query is None or action is None or chat is None or len(action.args) != 2:
        return
    step, target = action.args
    if step not in (actions.TOPIC_REMOVE, actions.TOPIC_NOTIFY):
        await query.answer()
        return
    if not await may_change(update, context):
        return
    language = language_of(update, context)
    with context.services.sessions.begin() as session:
        if step == actions.TOPIC_REMOVE and target == actions.ALL:
            removed = [topic.text for topic in topics_of(session, chat.id)]
            unfollow(session, chat.id)
            toast = None
        else:
            topic = find_topic(session, chat.id, int(target)) if target.isdigit() else None
            removed, toast = [], _toggle(session, chat.id, topic, step, language) or None
            if topic is not None and step == actions.TOPIC_REMOVE:
                unfollow(session, chat.id, topic.id)
                removed = [topic.text]
    await query.answer(toast)
    listing = _following(context, chat.id, language)
    if step == actions.TOPIC_REMOVE:
        done = unfollowed_message(language, removed)
        listing = Message(done.html + "\n\n" + listing.html, listing.buttons)
    await edit(update, listing)


def _toggle(session: Session, chat_id: int, topic: Topic | None, step: str, language: str) -> str:
    """Switch "notify at once" (fw:n:…); the toast that says how it is now."""
    if topic is None or step != actions.TOPIC_NOTIFY:
        return ""
    on = not topic.notify_now
    set_notify_now(session, chat_id, topic.id, on)
    key = "follow.notify_on_toast" if on else "follow.notify_off_toast"
    return t(language, key, topic=topic_name(topic.text))
