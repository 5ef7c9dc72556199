"""The subscription picker and summaries, as neutral messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.schedule import FREQUENCIES, Frequency
from bot.store.areas import load_areas
from bot.store.subscriptions import ChatSubscriptions
from bot.ui import actions
from bot.ui.i18n import html, t
from bot.ui.render import Button, Message
from bot.ui.views import area_name

HOURS = tuple(range(6, 24))


def schedule_text(language: str, subscriptions: ChatSubscriptions) -> str:
    """'每週星期一 9:00' / 'every Monday at 9:00'."""
    weekday = t(language, f"subscribe.weekdays.{subscriptions.weekday}")
    return t(
        language,
        f"subscribe.schedule_{subscriptions.frequency}",
        hour=subscriptions.hour,
        weekday=weekday,
    )


def _areas_text(language: str, areas: Sequence[str]) -> str:
    separator = ", " if language == "en" else "、"
    return separator.join(area_name(language, area) for area in areas)


def _followed_text(language: str, subscriptions: ChatSubscriptions) -> str:
    """The areas, then how many topics share the digest."""
    parts = [_areas_text(language, subscriptions.areas)] if subscriptions.areas else []
    if subscriptions.topics:
        parts.append(t(language, "follow.done_topics", count=subscriptions.topics))
    return (", " if language == "en" else "；").join(parts) or "—"


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "—"


def area_picker(language: str, subscribed: Sequence[str]) -> Message:
    """Toggle buttons for every area (✅ subscribed), then "next"."""
    rows = []
    for area in load_areas():
        mark = "✅ " if area.id in subscribed else ""
        toggle = actions.subscribe_step(actions.SUB_TOGGLE, area.id)
        rows.append((Button(mark + area_name(language, area.id), toggle),))
    rows.append((Button(t(language, "subscribe.next"), actions.subscribe_step(actions.SUB_NEXT)),))
    return Message(html(language, "subscribe.pick_areas_html"), tuple(rows))


def frequency_picker(language: str) -> Message:
    """Daily / weekly / monthly."""
    row = tuple(
        Button(
            t(language, f"subscribe.{frequency}"),
            actions.subscribe_step(actions.SUB_FREQUENCY, frequency),
        )
        for frequency in FREQUENCIES
    )
    return Message(html(language, "subscribe.pick_frequency_html"), (row,))


def weekday_picker(language: str) -> Message:
    """Monday … Sunday."""
    days = [
        Button(
            t(language, f"subscribe.weekdays.{day}"),
            actions.subscribe_step(actions.SUB_WEEKDAY, day),
        )
        for day in range(7)
    ]
    return Message(
        html(language, "subscribe.pick_weekday_html"), (tuple(days[:4]), tuple(days[4:]))
    )


def hour_picker(language: str, frequency: Frequency, weekday: int, zone: ZoneInfo) -> Message:
    """Local hours, six a row."""
    buttons = [
        Button(
            t(language, "subscribe.hour", hour=hour),
            actions.subscribe_step(actions.SUB_HOUR, frequency, weekday, hour),
        )
        for hour in HOURS
    ]
    rows = tuple(tuple(buttons[i : i + 6]) for i in range(0, len(buttons), 6))
    return Message(html(language, "subscribe.pick_hour_html", zone=str(zone)), rows)


def done_message(language: str, subscriptions: ChatSubscriptions, zone: ZoneInfo) -> Message:
    """What the chat is now subscribed to and when the next digest comes."""
    return Message(
        html(
            language,
            "subscribe.done_html",
            areas=_followed_text(language, subscriptions),
            schedule=schedule_text(language, subscriptions),
            next=_when(subscriptions.next_due, zone),
        )
    )


def summary_message(language: str, subscriptions: ChatSubscriptions, zone: ZoneInfo) -> Message:
    """/subscriptions: areas, schedule, next digest, and buttons to change or remove."""
    if not subscriptions.areas and not subscriptions.topics:
        return Message(html(language, "subscribe.none"))
    text = html(
        language,
        "subscribe.summary_html",
        areas=_followed_text(language, subscriptions),
        schedule=schedule_text(language, subscriptions),
        next=_when(subscriptions.next_due if subscriptions.active else None, zone),
    )
    row = (
        Button(t(language, "subscribe.edit"), actions.subscribe_step(actions.SUB_EDIT)),
        Button(t(language, "subscribe.unsubscribe_all"), actions.unsubscribe(actions.ALL)),
    )
    return Message(text, (row,))


def unsubscribe_picker(language: str, subscribed: Sequence[str]) -> Message:
    """One button per subscribed area, and one for all."""
    if not subscribed:
        return Message(html(language, "subscribe.none"))
    rows = [
        (Button("✖ " + area_name(language, area), actions.unsubscribe(area)),)
        for area in subscribed
    ]
    rows.append(
        (Button(t(language, "subscribe.unsubscribe_all"), actions.unsubscribe(actions.ALL)),)
    )
    return Message(html(language, "subscribe.unsubscribe_pick_html"), tuple(rows))


def unsubscribed_message(language: str, removed: Sequence[str]) -> Message:
    """Confirmation of what was removed."""
    return Message(
        html(language, "subscribe.unsubscribed_html", areas=_areas_text(language, removed))
    )
