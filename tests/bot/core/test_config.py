"""Settings: defaults, normalisation, and error messages that say what to set."""

from __future__ import annotations

import logging

import pytest

from bot.core.config import DEFAULT_DATABASE_URL, ConfigError, load_settings
from bot.core.log import RedactingFormatter

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.bot_timezone == "Asia/Hong_Kong"
    assert settings.admin_ids == frozenset()
    assert settings.bot_token is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example:5432/app", "postgresql+psycopg://u:p@db.example:5432/app"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///var/bot.store.db", "sqlite:///var/bot.store.db"),
    ],
)
def test_database_url_normalised(given: str, expected: str) -> None:
    assert load_settings({"DATABASE_URL": given}).database_url == expected


def test_values_parsed() -> None:
    settings = load_settings(
        {
            "BOT_TOKEN": TOKEN,
            "ADMIN_IDS": "12345, 67890",
            "LOG_LEVEL": "debug",
            "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot/",
        }
    )
    assert settings.admin_ids == frozenset({12345, 67890})
    assert settings.log_level == "DEBUG"
    assert settings.telegram_base_url == "http://127.0.0.1:8081/bot"
    assert settings.require_token() == TOKEN
    assert TOKEN not in repr(settings)


def test_every_bad_variable_is_named() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "BOT_TOKEN": "not-a-token",
                "ADMIN_IDS": "12, abc",
                "BOT_TIMEZONE": "Mars/Olympus",
                "LOG_LEVEL": "LOUD",
                "DATABASE_URL": "bot.store.db",
            }
        )
    message = str(caught.value)
    for name in ("BOT_TOKEN", "ADMIN_IDS", "BOT_TIMEZONE", "LOG_LEVEL", "DATABASE_URL"):
        assert name in message
    assert "not-a-token" not in message  # a mistyped token is never echoed


def test_missing_token_says_how_to_set_it() -> None:
    with pytest.raises(ConfigError, match=r"BOT_TOKEN is not set.*BotFather"):
        load_settings({}).require_token()


def test_token_redacted_from_logs() -> None:
    record = logging.LogRecord(
        "test.redact", logging.INFO, __file__, 1, "POST https://x/bot%s/getMe", (TOKEN,), None
    )
    line = RedactingFormatter("%(message)s", [TOKEN]).format(record)
    assert TOKEN not in line
    assert "[REDACTED]" in line


def test_flood_settings() -> None:
    defaults = load_settings({})
    assert (defaults.flood_rate_per_minute, defaults.flood_burst) == (30.0, 15)
    assert defaults.flood_cooldown_seconds == 60.0
    chosen = load_settings(
        {"FLOOD_RATE_PER_MINUTE": "12.5", "FLOOD_BURST": "4", "FLOOD_COOLDOWN_SECONDS": "30"}
    )
    assert (chosen.flood_rate_per_minute, chosen.flood_burst) == (12.5, 4)
    assert chosen.flood_cooldown_seconds == 30.0
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {"FLOOD_RATE_PER_MINUTE": "0", "FLOOD_BURST": "many", "FLOOD_COOLDOWN_SECONDS": "-1"}
        )
    for name in ("FLOOD_RATE_PER_MINUTE", "FLOOD_BURST", "FLOOD_COOLDOWN_SECONDS"):
        assert name in str(caught.value)


def test_miniapp_settings() -> None:
    settings = load_settings({"MINIAPP_URL": " https://bot.example.org/app "})
    assert settings.miniapp_url == "https://bot.example.org/app"
    assert load_settings({}).miniapp_url is None
    assert (load_settings({}).miniapp_rate_per_minute, load_settings({}).miniapp_burst) == (120, 40)
    for bad in ("http://bot.example.org/app", "bot.example.org/app", "https://h/app?x=1"):
        with pytest.raises(ConfigError) as error:
            load_settings({"MINIAPP_URL": bad})
        message = str(error.value)
        assert (
            message.startswith("MINIAPP_URL must be a public https:// URL") and "\n" not in message
        )
        assert "set it to the public https:// URL of the Mini App page" in message
    with pytest.raises(ConfigError, match=r"^MINIAPP_BURST"):
        load_settings({"MINIAPP_BURST": "0"})


def test_rate_above_the_free_limit_needs_paid_broadcasts() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"TELEGRAM_RATE_LIMIT": "100"})
    message = str(caught.value)
    assert "\n" not in message
    assert "TELEGRAM_RATE_LIMIT=100" in message and "TELEGRAM_PAID_BROADCAST=true" in message
    assert "Stars" in message
    settings = load_settings({"TELEGRAM_RATE_LIMIT": "100", "TELEGRAM_PAID_BROADCAST": "true"})
    assert (settings.telegram_rate_limit, settings.telegram_paid_broadcast) == (100, True)
    assert load_settings({"TELEGRAM_RATE_LIMIT": "30"}).telegram_paid_broadcast is False


def test_paid_broadcast_must_be_true_or_false() -> None:
    with pytest.raises(ConfigError, match=r"^TELEGRAM_PAID_BROADCAST .*: set it to true or false"):
        load_settings({"TELEGRAM_PAID_BROADCAST": "sometimes"})
