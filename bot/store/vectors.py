"""Read and write the recommendations' sentence vectors (table `record_vectors`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import RecordVector


def stored_vectors(session: Session, model: str) -> dict[str, tuple[str, bytes]]:
    """record id → (content hash, vector bytes) for one model."""
    rows = session.execute(
        select(RecordVector.record_id, RecordVector.content_hash, RecordVector.vector).where(
            RecordVector.model == model
        )
    )
    return {record_id: (digest, bytes(vector)) for record_id, digest, vector in rows}


def save_vector(
    session: Session, record_id: str, model: str, content_hash: str, vector: bytes
) -> None:
    """Insert or replace one record's vector (the caller commits)."""
    row = session.get(RecordVector, (record_id, model))
    if row is None:
        session.add(
            RecordVector(record_id=record_id, model=model, content_hash=content_hash, vector=vector)
        )
    else:
        row.content_hash = content_hash
        row.vector = vector
