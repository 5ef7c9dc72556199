"""Admin messages (summary, reload report, broadcast confirmation and report) as neutral
messages; the only markup is the catalogue's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.admin.broadcast import BroadcastReport, Recipients
from bot.admin.reload import ReloadReport
from bot.admin.summary import StoreSummary
from bot.ui import actions
from bot.ui.dates import moment_label
from bot.ui.i18n import html, t
from bot.ui.render import Button, Message


def uptime_text(language: str, uptime: timedelta) -> str:
    """'2 d 3 h 4 min' / '2 日 3 小時 4 分鐘'."""
    minutes = int(uptime.total_seconds()) // 60
    return t(
        language,
        "admin.uptime",
        days=minutes // (24 * 60),
        hours=minutes // 60 % 24,
        minutes=minutes % 60,
    )


def summary_message(
    language: str,
    summary: StoreSummary,
    last_tick: datetime | None,
    uptime: timedelta,
    zone: ZoneInfo,
) -> Message:
    """/admin: the whole picture in one message."""
    chats = summary.chats
    tick = moment_label(language, last_tick, zone) if last_tick else t(language, "admin.never")
    return Message(
        html(
            language,
            "admin.summary_html",
            records=summary.records,
            withdrawn=summary.withdrawn,
            sources=t(language, "admin.sources", count=summary.sources),
            private=chats.get("private", 0),
            groups=t(
                language, "admin.groups", count=chats.get("group", 0) + chats.get("supergroup", 0)
            ),
            inactive=summary.inactive_chats,
            subscriptions=summary.subscriptions,
            subscribed_chats=t(language, "admin.chats", count=summary.subscribed_chats),
            daily=summary.schedules.get("daily", 0),
            weekly=summary.schedules.get("weekly", 0),
            monthly=summary.schedules.get("monthly", 0),
            sent=summary.digests_sent,
            failed=summary.digests_failed,
            tick=tick,
            version=version_text(language, summary.corpus_version, zone),
            pending=summary.pending_actions,
            uptime=uptime_text(language, uptime),
        )
    )


def version_text(language: str, version: str | None, zone: ZoneInfo) -> str:
    """The corpus version (the UTC moment of its last change) as a time in the bot's zone."""
    if not version:
        return "—"
    try:
        moment = datetime.fromisoformat(version)
    except ValueError:
        return version  # not a moment: shown as stored
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment_label(language, moment, zone)


def reload_message(language: str, report: ReloadReport, zone: ZoneInfo) -> Message:
    """/reload: the new corpus version, then one line per source."""
    version = version_text(language, report.version, zone)
    lines = [html(language, "admin.reload_done_html", version=version)]
    for source in report.sources:
        line = html(
            language,
            "admin.reload_source_html",
            slug=source.slug,
            added=source.added,
            updated=source.updated,
            withdrawn=source.withdrawn,
            unchanged=source.unchanged,
        )
        if source.skipped:
            line += " " + html(language, "admin.reload_skipped")
        lines.append(line)
    return Message("\n".join(lines))


def confirm_message(language: str, key: str, recipients: Recipients) -> Message:
    """Under the preview: how many chats, and Confirm / Cancel."""
    row = (
        Button(t(language, "admin.confirm"), actions.broadcast_choice(actions.CONFIRM, key)),
        Button(t(language, "admin.cancel"), actions.broadcast_choice(actions.CANCEL, key)),
    )
    text = html(
        language,
        "admin.broadcast_confirm_html",
        count=recipients.total,
        private=recipients.private,
        groups=t(language, "admin.groups", count=recipients.groups),
    )
    return Message(text, (row,))


def report_message(language: str, report: BroadcastReport) -> Message:
    """The final report to the admin who sent the broadcast."""
    return Message(
        html(
            language,
            "admin.broadcast_report_html",
            sent=report.sent,
            blocked=report.blocked,
            failed=report.failed,
        )
    )
