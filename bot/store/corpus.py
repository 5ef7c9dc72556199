"""Read access to the stored corpus (sources and recommendations)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.store.models import Meta, Recommendation, Source

CORPUS_VERSION_KEY = "corpus_version"


def get_recommendation(session: Session, rec_id: str) -> Recommendation | None:
    """One recommendation by ID (case-insensitive, surrounding space ignored), withdrawn or not."""
    statement = (
        select(Recommendation)
        .options(joinedload(Recommendation.source))
        .where(Recommendation.id == rec_id.strip().lower())
    )
    return session.scalars(statement).first()


def get_recommendations(session: Session, rec_ids: Sequence[str]) -> Sequence[Recommendation]:
    """Several recommendations by ID (any order; unknown IDs are skipped)."""
    if not rec_ids:
        return []
    statement = (
        select(Recommendation)
        .options(joinedload(Recommendation.source))
        .where(Recommendation.id.in_(list(rec_ids)))
    )
    return session.scalars(statement).all()


def list_recommendations(
    session: Session, *, include_withdrawn: bool = False
) -> Sequence[Recommendation]:
    """Every recommendation in document order (sources by date, then position)."""
    statement = (
        select(Recommendation)
        .join(Recommendation.source)
        .options(joinedload(Recommendation.source))
        .order_by(Source.date, Source.id, Recommendation.position)
    )
    if not include_withdrawn:
        statement = statement.where(Recommendation.withdrawn.is_(False))
    return session.scalars(statement).all()


def list_sources(session: Session) -> Sequence[Source]:
    """Every source document, oldest first."""
    return session.scalars(select(Source).order_by(Source.date, Source.id)).all()


def bump_corpus_version(session: Session, now: datetime) -> str:
    """Record that the corpus changed, so every process's search index knows to reload."""
    version = now.isoformat()
    row = session.get(Meta, CORPUS_VERSION_KEY)
    if row is None:
        session.add(Meta(key=CORPUS_VERSION_KEY, value=version))
    else:
        row.value = version
    return version


def corpus_version(session: Session) -> str | None:
    """The last corpus change, or None before the first ingest."""
    row = session.get(Meta, CORPUS_VERSION_KEY)
    return row.value if row else None


def org_code(source_id: str) -> str:
    """The organisation part of a source slug (bpa24 → bpa), ASCII for callback data."""
    return re.sub(r"\d+$", "", source_id)
