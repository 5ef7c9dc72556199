"""Dates as a reader reads them, in the reader's language: a digest's period ("2–8 Dec",
「12月2日至8日」) instead of an ISO week number, and admin times with their zone stated."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.schedule import Frequency
from bot.ui.i18n import t

WEEK = timedelta(days=6)  # a weekly digest covers its due day and the six days before it


def day_label(language: str, day: date) -> str:
    """One day: 「2026年12月8日」, "8 Dec 2026"."""
    return t(language, "dates.day", **_parts(language, day, "1"))


def period_label(language: str, frequency: Frequency, due: datetime, zone: ZoneInfo) -> str:
    """The days a digest due at `due` covers: the day (daily), the seven days ending on the due
    day (weekly), the month of the due day (monthly)."""
    last = due.astimezone(zone).date()
    if frequency == "daily":
        return day_label(language, last)
    if frequency == "monthly":
        return t(language, "dates.month", **_parts(language, last, "1"))
    first = last - WEEK
    if first.year != last.year:
        key = "dates.days_across_years"
    elif first.month != last.month:
        key = "dates.days_across_months"
    else:
        key = "dates.days_in_month"
    return t(language, key, **_parts(language, first, "1"), **_parts(language, last, "2"))


def moment_label(language: str, moment: datetime, zone: ZoneInfo) -> str:
    """A date and time in `zone`, with the zone stated: "2026-12-08 09:30 (HKT)"."""
    local = moment.astimezone(zone)
    return t(language, "dates.moment", when=local.strftime("%Y-%m-%d %H:%M"), zone=zone_name(local))


def date_in_zone(language: str, moment: datetime, zone: ZoneInfo) -> str:
    """The date of `moment` in `zone`, with the zone stated: "2026-12-08 (HKT)" (Chinese: no
    brackets, as it is usually shown inside brackets)."""
    local = moment.astimezone(zone)
    return t(language, "dates.date_in_zone", when=local.strftime("%Y-%m-%d"), zone=zone_name(local))


def zone_name(local: datetime) -> str:
    """The zone's abbreviation when it has a readable one (HKT), else its IANA name."""
    abbreviation = local.tzname() or ""
    if abbreviation.isalpha():
        return abbreviation
    return str(local.tzinfo)


def _parts(language: str, day: date, suffix: str) -> dict[str, object]:
    names = t(language, "dates.month_names").split()
    abbreviations = t(language, "dates.month_abbreviations").split()
    return {
        f"y{suffix}": day.year,
        f"d{suffix}": day.day,
        f"month{suffix}": names[day.month - 1],
        f"mon{suffix}": abbreviations[day.month - 1],
    }
