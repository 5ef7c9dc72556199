"""Followed topics as neutral messages: /follow's answer, /following, /unfollow and the "new
document" alert."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.text import clip
from bot.store.topics import MAX_TOPICS, FollowResult, Topic
from bot.ui import actions
from bot.ui.i18n import html, t
from bot.ui.render import Button, Message
from bot.ui.subscription_views import frequency_picker

TOPIC_SHOWN = 60  # UTF-16 units of a topic's text in a message
TOPIC_BUTTON_SHOWN = 24  # … on a button
TITLE_SHOWN = 80  # of a document's title in an alert


def topic_name(text: str, width: int = TOPIC_SHOWN) -> str:
    """A topic as shown: one line, clipped."""
    return clip(text, width, one_line=True)


def usage_message(language: str) -> Message:
    """/follow without a topic: how to use it."""
    return Message(html(language, "follow.usage_html", limit=MAX_TOPICS))


def too_long_message(language: str, limit: int) -> Message:
    """A topic past the length a search may have."""
    return Message(html(language, "follow.too_long", limit=limit))


def followed_message(
    language: str,
    result: FollowResult,
    text: str,
    count: int,
    schedule: str | None,
) -> Message:
    """The answer to /follow or the button: followed (with how many proposals match today, or
    that none do yet), already followed, or the chat is full. `schedule` describes the digest
    the topic joins; None: the chat had none, so the frequency picker follows."""
    name = topic_name(text)
    if result is FollowResult.FULL:
        return Message(html(language, "follow.full", limit=MAX_TOPICS))
    key = "follow.already_html" if result is FollowResult.ALREADY else "follow.followed_html"
    lines = [html(language, key, topic=name)]
    if count:
        lines.append(html(language, "follow.matches_now", count=count))
    else:
        lines.append(html(language, "follow.matches_none"))
    if schedule is not None:
        lines.append(html(language, "follow.joins_digest", schedule=schedule))
        return Message("\n".join(lines))
    picker = frequency_picker(language)
    return Message("\n".join(lines) + "\n\n" + picker.html, picker.buttons)


def following_message(language: str, topics: Sequence[tuple[Topic, int]]) -> Message:
    """/following: each topic with how many proposals match it now, and per topic an unfollow
    and a "notify at once" button."""
    if not topics:
        return Message(html(language, "follow.none"))
    lines = [html(language, "follow.list_title_html", count=len(topics), limit=MAX_TOPICS)]
    rows: list[tuple[Button, ...]] = []
    for number, (topic, count) in enumerate(topics, 1):
        mark = " ⚡" if topic.notify_now else ""
        lines.append(
            html(language, "follow.item_html", n=number, topic=topic_name(topic.text), count=count)
            + mark
        )
        notify = "follow.notify_on_button" if topic.notify_now else "follow.notify_off_button"
        rows.append(
            (
                Button(
                    t(language, notify, n=number),
                    actions.topic_step(actions.TOPIC_NOTIFY, topic.id),
                ),
                Button(
                    t(language, "follow.unfollow_button", n=number),
                    actions.topic_step(actions.TOPIC_REMOVE, topic.id),
                ),
            )
        )
    lines += ["", html(language, "follow.list_footer")]
    return Message("\n".join(lines), tuple(rows))


def unfollow_picker(language: str, topics: Sequence[Topic]) -> Message:
    """/unfollow: one button per topic, and one for all."""
    if not topics:
        return Message(html(language, "follow.none"))
    rows = [
        (
            Button(
                "✖ " + topic_name(topic.text, TOPIC_BUTTON_SHOWN),
                actions.topic_step(actions.TOPIC_REMOVE, topic.id),
            ),
        )
        for topic in topics
    ]
    rows.append(
        (
            Button(
                t(language, "follow.unfollow_all"), actions.topic_step(actions.TOPIC_REMOVE, "all")
            ),
        )
    )
    return Message(html(language, "follow.unfollow_pick_html"), tuple(rows))


def unfollowed_message(language: str, removed: Sequence[str]) -> Message:
    """What was removed (or that nothing was)."""
    if not removed:
        return Message(html(language, "follow.not_following"))
    separator = ", " if language == "en" else "、"
    names = separator.join(topic_name(text) for text in removed)
    return Message(html(language, "follow.unfollowed_html", topics=names))


def not_found_message(language: str, text: str) -> Message:
    """/unfollow TOPIC for a topic the chat does not follow."""
    return Message(html(language, "follow.not_found", topic=topic_name(text)))


def alert_message(
    language: str,
    count: int,
    topics: Sequence[str],
    document: str,
    org: str,
    see: Button | None,
) -> Message:
    """The short "new document" alert: how many of its proposals match which topics, and a
    button to see them."""
    separator = ", " if language == "en" else "、"
    names = separator.join(topic_name(text, TOPIC_BUTTON_SHOWN) for text in topics)
    text = html(
        language,
        "follow.alert_html",
        count=count,
        topics=names,
        document=clip(document, TITLE_SHOWN, one_line=True),
        org=clip(org, TITLE_SHOWN, one_line=True),
    )
    return Message(text, ((see,),) if see is not None else ())
