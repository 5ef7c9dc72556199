"""Settings: read once from the environment, validated, with messages that say what to set."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///bot.store.db"
# Telegram: about 30 messages/s for free; paid broadcasts (allow_paid_broadcast) up to 1000/s,
# each message charged 0.1 Stars to the bot's balance.
FREE_BROADCAST_RATE = 30
PAID_BROADCAST_STARS = 0.1
_TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The stores the bot runs on (after normalize_database_url): SQLite and PostgreSQL via psycopg 3.
DATABASE_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")

# What each variable is for, used in error messages (and mirrored in the README table).
HELP = {
    "BOT_TOKEN": "the token from @BotFather, e.g. 123456789:AA…",
    "DATABASE_URL": "an SQLAlchemy URL: sqlite:///bot.store.db (default) or postgres://user:pass@host/db",
    "TELEGRAM_BASE_URL": "the Bot API base URL, e.g. http://127.0.0.1:8081/bot (optional)",
    "ADMIN_IDS": "comma-separated Telegram user ids, e.g. 12345,67890",
    "BOT_TIMEZONE": "an IANA time zone, e.g. Asia/Hong_Kong",
    "LOG_LEVEL": "one of " + ", ".join(_LOG_LEVELS),
    "DB_POOL_SIZE": "a whole number from 1 to 100",
    "WEBHOOK_URL": "the public https:// URL Telegram should call, e.g. https://bot.example.org",
    "WEBHOOK_SECRET": "16-256 characters of A-Z, a-z, 0-9, _ and - (generated if unset)",
    "PORT": "the TCP port to listen on (1-65535)",
    "DIGEST_GRACE_HOURS": "hours (0 to 744) within which a missed digest is still sent",
    "TELEGRAM_RATE_LIMIT": "messages per second for the whole bot, above 0 and at most 1000",
    "TELEGRAM_PAID_BROADCAST": "true or false (paid broadcasts for digests and admin broadcasts)",
    "QUERY_LOG_RETENTION_DAYS": "days to keep the anonymous query log, 0 (no log) to 3650",
    "FLOOD_RATE_PER_MINUTE": "requests a minute per user or group, above 0 and at most 6000",
    "FLOOD_BURST": "requests allowed at once before slowing down, a whole number from 1 to 1000",
    "FLOOD_COOLDOWN_SECONDS": "seconds between two slow-down messages to one user (1 to 3600)",
    "UPDATE_CONCURRENCY": "updates of different chats handled at once, a whole number 1 to 256",
    "MINIAPP_URL": "the public https:// URL of the Mini App page, e.g. https://bot.example.org/app",
    "MINIAPP_RATE_PER_MINUTE": "Mini App API calls a minute per user, above 0 and at most 6000",
    "MINIAPP_BURST": "Mini App API calls allowed at once per user, a whole number from 1 to 1000",
}


class ConfigError(Exception):
    """A missing or malformed environment variable; the message says what to set."""


def normalize_database_url(url: str) -> str:
    """Accept Heroku-style `postgres://` URLs and pick the psycopg 3 driver for PostgreSQL."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_base_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    bot_timezone: str = "Asia/Hong_Kong"
    log_level: str = "INFO"
    db_pool_size: int = Field(default=5, ge=1, le=100)
    telegram_rate_limit: float = Field(default=30.0, gt=0, le=1000)
    telegram_paid_broadcast: bool = False
    webhook_url: str | None = None
    webhook_secret: str | None = None
    port: int = Field(default=8080, ge=1, le=65535)
    digest_grace_hours: float = Field(default=24.0, ge=0, le=24 * 31)
    query_log_retention_days: int = Field(default=90, ge=0, le=3650)
    flood_rate_per_minute: float = Field(default=30.0, gt=0, le=6000)
    flood_burst: int = Field(default=15, ge=1, le=1000)
    flood_cooldown_seconds: float = Field(default=60.0, ge=1, le=3600)
    update_concurrency: int = Field(default=16, ge=1, le=256)
    search_cache_size: int = Field(default=256, ge=0, le=100_000)
    search_terms_mb: int = Field(default=16, ge=0, le=4096)
    miniapp_url: str | None = None
    miniapp_rate_per_minute: float = Field(default=120.0, gt=0, le=6000)
    miniapp_burst: int = Field(default=40, ge=1, le=1000)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _TOKEN_PATTERN.match(value.strip()):
            # Never echo the value: it may be a real token with a typo.
            raise ValueError("does not look like a bot token")
        return value.strip()

    @field_validator("database_url", mode="before")
    @classmethod
    def _database_url(cls, value: object) -> object:
        if not isinstance(value, str) or "://" not in value:
            raise ValueError("is not a database URL")
        url = normalize_database_url(value)
        scheme = url.split("://", 1)[0].lower()
        if scheme not in DATABASE_SCHEMES:
            # Only the scheme is named: the rest of the URL may hold a password.
            raise ValueError(f"uses {scheme}://, which the bot does not support")
        return url

    @field_validator("telegram_base_url", mode="before")
    @classmethod
    def _base_url(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not re.match(r"^https?://", value):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not value.startswith("https://"):
            raise ValueError("must be a public https:// URL")
        return value

    @field_validator("miniapp_url", mode="before")
    @classmethod
    def _miniapp_url(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not re.fullmatch(r"https://[^\s?#]+", value.strip()):
            raise ValueError("must be a public https:// URL without ? or #")
        return value.strip()

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value):
            raise ValueError("must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(re.fullmatch(r"-?\d+", part) for part in parts):
                raise ValueError("must be whole numbers separated by commas")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("is not a known time zone") from error
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        level = str(value).strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError("is not a log level")
        return level

    @model_validator(mode="after")
    def _paid_above_free_rate(self) -> Settings:
        if self.telegram_rate_limit > FREE_BROADCAST_RATE and not self.telegram_paid_broadcast:
            raise ValueError(
                f"TELEGRAM_RATE_LIMIT={self.telegram_rate_limit:g} is above Telegram's free "
                f"{FREE_BROADCAST_RATE} messages/s: set TELEGRAM_PAID_BROADCAST=true (paid "
                f"broadcasts, {PAID_BROADCAST_STARS} Telegram Stars a message) or lower it"
            )
        return self

    @property
    def timezone(self) -> ZoneInfo:
        """The zone digests are scheduled in."""
        return ZoneInfo(self.bot_timezone)

    def require_token(self) -> str:
        """The bot token, or a ConfigError saying how to set it (only commands that talk to Telegram
        need it)."""
        if self.bot_token is None:
            raise ConfigError(f"BOT_TOKEN is not set: set it to {HELP['BOT_TOKEN']}")
        return self.bot_token.get_secret_value()


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise ConfigError naming every bad variable."""
    try:
        if environ is None:
            return Settings()
        # strings as in the environment: the Settings fields parse and validate them
        values: dict[str, Any] = {key.lower(): value for key, value in environ.items()}
        known = {name for name in Settings.model_fields}
        return Settings(**{key: value for key, value in values.items() if key in known})
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        reason = str(problem["msg"]).removeprefix("Value error, ")
        if not problem["loc"]:  # a rule across variables: its message names them
            lines.append(reason)
            continue
        name = str(problem["loc"][0]).upper()
        lines.append(f"{name} {reason}: set it to {HELP.get(name, 'a valid value')}")
    return "\n".join(lines)  # one line per bad variable
