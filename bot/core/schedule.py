"""Due times and periods (pure, time-zone aware): daily, weekly on a weekday, monthly on the 1st,
each at a local hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal, TypeGuard
from zoneinfo import ZoneInfo

Frequency = Literal["daily", "weekly", "monthly"]
FREQUENCIES: tuple[Frequency, ...] = ("daily", "weekly", "monthly")


def is_frequency(value: str) -> TypeGuard[Frequency]:
    """True for "daily", "weekly" or "monthly" (e.g. checking callback data)."""
    return value in FREQUENCIES


def next_due(
    frequency: Frequency, hour: int, weekday: int, after: datetime, zone: ZoneInfo
) -> datetime:
    """The first due time strictly after `after` (returned in UTC)."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")
    local = after.astimezone(zone)
    for offset in range(0, 62):
        day = (local + timedelta(days=offset)).date()
        if frequency == "weekly" and day.weekday() != weekday:
            continue
        if frequency == "monthly" and day.day != 1:
            continue
        slot = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
        if slot > local:
            return slot.astimezone(UTC)
    raise AssertionError("no due time within 62 days")  # unreachable for valid input


def period_of(frequency: Frequency, moment: datetime, zone: ZoneInfo) -> str:
    """The period a due time belongs to: 2026-11-25 (daily), 2026-W48 (weekly), 2026-11."""
    local = moment.astimezone(zone)
    if frequency == "daily":
        return local.strftime("%Y-%m-%d")
    if frequency == "weekly":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.strftime("%Y-%m")


def previous_due(
    frequency: Frequency, hour: int, weekday: int, before: datetime, zone: ZoneInfo
) -> datetime:
    """The last due time strictly before `before`."""
    local = before.astimezone(zone)
    for offset in range(0, 62):
        day = (local - timedelta(days=offset)).date()
        if frequency == "weekly" and day.weekday() != weekday:
            continue
        if frequency == "monthly" and day.day != 1:
            continue
        slot = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
        if slot < local:
            return slot.astimezone(UTC)
    raise AssertionError("no due time within 62 days")
