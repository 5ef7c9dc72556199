"""/reload: re-ingest data/ and make every replica rebuild its search index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.ingest.pipeline import ingest
from bot.store.corpus import bump_corpus_version
from bot.store.db import SessionFactory
from bot.store.models import Recommendation, utcnow


@dataclass(frozen=True)
class SourceCounts:
    """What a reload did to one source (`skipped`: file, parser and taxonomy unchanged, so
    nothing was parsed and every current record counts as unchanged)."""

    slug: str
    added: int
    updated: int
    withdrawn: int
    unchanged: int
    skipped: bool


@dataclass(frozen=True)
class ReloadReport:
    """Per-source counts and the corpus version every replica now loads."""

    sources: list[SourceCounts]
    version: str

    @property
    def changed(self) -> bool:
        """True when any record was added, updated or withdrawn."""
        return any(s.added or s.updated or s.withdrawn for s in self.sources)


def reload_corpus(sessions: SessionFactory, now: datetime | None = None) -> ReloadReport:
    """Ingest every source in data/ (blocking: run it in a thread), then bump the corpus version
    even if nothing changed, so that every replica rebuilds its index from the store."""
    now = now or utcnow()
    report = ingest(sessions, now=now)
    rows = []
    with sessions.begin() as session:
        current = dict(
            session.execute(
                select(Recommendation.source_id, func.count())
                .where(Recommendation.withdrawn.is_(False))
                .group_by(Recommendation.source_id)
            ).all()
        )
        for source in report.sources:
            unchanged = int(current.get(source.slug, 0)) if source.skipped else source.unchanged
            rows.append(
                SourceCounts(
                    source.slug,
                    len(source.added),
                    len(source.updated),
                    len(source.withdrawn),
                    unchanged,
                    source.skipped,
                )
            )
        version = bump_corpus_version(session, utcnow())  # later than any bump by the ingest
    return ReloadReport(rows, version)
