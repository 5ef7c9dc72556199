"""Health facts as data: the store answers, the index is loaded, the scheduler ticks."""

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

    @property
    def healthy(self) -> bool:
        """Everything a replica needs to answer members."""
        return self.database and self.index_loaded and self.tick_fresh

    def as_dict(self) -> dict[str, object]:
        """JSON-ready facts."""
        return {
            "healthy": self.healthy,
            "database": self.database,
            "index_loaded": self.index_loaded,
            "last_scheduler_tick": self.last_tick.isoformat() if self.last_tick else None,
        }


def check(
    sessions: SessionFactory,
    index_loaded: bool,
    last_tick: datetime | None,
    started: datetime,
    tick_limit: timedelta,
    now: datetime | None = None,
) -> Health:
    """Probe the store; judge the scheduler stale if it has not ticked within `tick_limit`."""
    now = now or utcnow()
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
        database = True
    except Exception:  # any failure to reach the store means unhealthy, whatever its type
        database = False
    reference = last_tick or started
    return Health(database, index_loaded, last_tick, now - reference <= tick_limit)
