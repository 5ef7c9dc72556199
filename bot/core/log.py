"""Logging set-up whose formatter keeps the bot token out of every line it writes."""

from __future__ import annotations

import logging

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
PLACEHOLDER = "[REDACTED]"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then replaces each secret (e.g. the bot token inside an API URL or an
    exception's text) in the whole output: message, traceback and stack alike."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        """`text` with every secret replaced by the placeholder."""
        for secret in self._secrets:
            text = text.replace(secret, PLACEHOLDER)
        return text


def setup_logging(level: str, secrets: list[str] | None = None) -> None:
    """Configure the root logger once; quiet chatty libraries."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(_FORMAT, secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "jieba", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
