"""A digest's period and admin times as a reader reads them, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.schedule import Frequency
from bot.ui.dates import moment_label, period_label

HK = ZoneInfo("Asia/Hong_Kong")


@pytest.mark.parametrize(
    ("frequency", "due", "zh", "en"),
    [
        ("weekly", datetime(2026, 12, 8, 1, tzinfo=UTC), "12月2日至8日", "2–8 Dec"),
        ("weekly", datetime(2026, 12, 3, 1, tzinfo=UTC), "11月27日至12月3日", "27 Nov – 3 Dec"),
        (
            "weekly",
            datetime(2027, 1, 2, 1, tzinfo=UTC),
            "2026年12月27日至2027年1月2日",
            "27 Dec 2026 – 2 Jan 2027",
        ),
        ("daily", datetime(2026, 12, 7, 17, tzinfo=UTC), "2026年12月8日", "8 Dec 2026"),
        ("monthly", datetime(2026, 12, 1, 1, tzinfo=UTC), "2026年12月", "December 2026"),
    ],
)
def test_period_labels(frequency: Frequency, due: datetime, zh: str, en: str) -> None:
    assert period_label("zh-Hant-HK", frequency, due, HK) == zh
    assert period_label("en", frequency, due, HK) == en


def test_moments_state_their_zone() -> None:
    moment = datetime(2026, 12, 7, 17, 30, tzinfo=UTC)
    assert moment_label("en", moment, HK) == "2026-12-08 01:30 (HKT)"
    assert moment_label("zh-Hant-HK", moment, HK) == "2026-12-08 01:30（HKT）"
    assert moment_label("en", moment, ZoneInfo("Asia/Singapore")).endswith("(Asia/Singapore)")
