"""The outcome of the update being handled, for its one log line.

The update processor (handlers/processing.py) opens a record per update; code running for that
update (a handler, the error handler, a flood limiter) can mark what happened, e.g.
`mark_outcome("throttled")`, without knowing about logging. Outside an update it does nothing.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Final, Literal

Outcome = Literal["handled", "ignored", "duplicate", "error", "throttled"]

HANDLED: Final = "handled"
IGNORED: Final = "ignored"  # no handler matched
DUPLICATE: Final = "duplicate"  # another replica (or an earlier delivery) took it
ERROR: Final = "error"
THROTTLED: Final = "throttled"  # a flood limiter refused it


@dataclass
class UpdateOutcome:
    """What became of one update (mutable: marks from any task of the update land here)."""

    outcome: Outcome = HANDLED


_CURRENT: ContextVar[UpdateOutcome | None] = ContextVar("update_outcome", default=None)


def begin_update(initial: Outcome) -> tuple[UpdateOutcome, Token[UpdateOutcome | None]]:
    """Open the record for the update about to be handled; returns it and a reset token."""
    record = UpdateOutcome(initial)
    return record, _CURRENT.set(record)


def end_update(token: Token[UpdateOutcome | None]) -> None:
    """Close the record opened by `begin_update`."""
    _CURRENT.reset(token)


def mark_outcome(outcome: Outcome) -> None:
    """Say what became of the current update (no-op outside update handling)."""
    record = _CURRENT.get()
    if record is not None:
        record.outcome = outcome
