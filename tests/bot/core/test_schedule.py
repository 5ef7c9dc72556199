"""Due times and periods in Hong Kong time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.schedule import is_frequency, next_due, period_of, previous_due

HK = ZoneInfo("Asia/Hong_Kong")
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday 11:00 in Hong Kong


@pytest.mark.parametrize(
    ("frequency", "weekday", "expected"),
    [
        ("daily", 0, datetime(2026, 11, 26, 1, 0, tzinfo=UTC)),  # tomorrow 09:00 HKT
        ("weekly", 0, datetime(2026, 11, 30, 1, 0, tzinfo=UTC)),  # next Monday
        ("weekly", 2, datetime(2026, 12, 2, 1, 0, tzinfo=UTC)),  # today's 09:00 passed
        ("monthly", 0, datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
    ],
)
def test_next_due(frequency: str, weekday: int, expected: datetime) -> None:
    assert next_due(frequency, 9, weekday, NOW, HK) == expected


def test_later_today() -> None:
    assert next_due("daily", 18, 0, NOW, HK) == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_previous_and_periods() -> None:
    assert previous_due("weekly", 9, 0, NOW, HK) == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert period_of("daily", NOW, HK) == "2026-11-25"
    assert period_of("weekly", NOW, HK) == "2026-W48"
    assert period_of("monthly", NOW, HK) == "2026-11"
    late = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 01:00 on 1 December in Hong Kong
    assert period_of("monthly", late, HK) == "2026-12"


def test_unknown_frequency() -> None:
    with pytest.raises(ValueError, match="unknown frequency"):
        next_due("hourly", 9, 0, NOW, HK)


def test_is_frequency() -> None:
    """Callback data is checked with it before it reaches the schedule maths."""
    values = ("daily", "weekly", "monthly", "hourly", "Weekly", "weekly ", "")
    assert [value for value in values if is_frequency(value)] == ["daily", "weekly", "monthly"]
