"""Health facts as data: the store answers, the index is loaded, the scheduler ticks, updates
are being handled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from bot.store.db import SessionFactory
from bot.store.models import utcnow


@dataclass(frozen=True)
class Health:
    """What /healthz reports."""

    database: bool
    index_loaded: bool
    last_tick: datetime | None
    tick_fresh: bool
    updates_handled: bool = True

    @property
    def healthy(self) -> bool:
        """Everything a replica needs to answer members."""
        return self.database and self.index_loaded and self.tick_fresh and self.updates_handled

    def as_dict(self) -> dict[str, object]:
        """JSON-ready facts."""
        return {
            "healthy": self.healthy,
            "database": self.database,
            "index_loaded": self.index_loaded,
            "last_scheduler_tick": self.last_tick.isoformat() if self.last_tick else None,
            "updates_handled": self.updates_handled,
        }


def store_answers(sessions: SessionFactory) -> bool:
    """True if the store answers a trivial query (blocking: call it from a worker thread)."""
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure to reach the store means unhealthy, whatever its type
        return False


def judge(
    database: bool,
    index_loaded: bool,
    last_tick: datetime | None,
    started: datetime,
    tick_limit: timedelta,
    updates_handled: bool = True,
    now: datetime | None = None,
) -> Health:
    """The facts; the scheduler is stale if it has not ticked within `tick_limit`."""
    now = now or utcnow()
    reference = last_tick or started
    fresh = now - reference <= tick_limit
    return Health(database, index_loaded, last_tick, fresh, updates_handled)
