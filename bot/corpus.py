"""Read access to the stored corpus (sources and recommendations)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.models import Recommendation, Source


def get_recommendation(session: Session, rec_id: str) -> Recommendation | None:
    """One recommendation by ID (case-insensitive, surrounding space ignored), withdrawn or not."""
    statement = (
        select(Recommendation)
        .options(joinedload(Recommendation.source))
        .where(Recommendation.id == rec_id.strip().lower())
    )
    return session.scalars(statement).first()


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
