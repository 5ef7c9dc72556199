"""Read and write the recommendations' sentence vectors (table `record_vectors`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select
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


def save_vectors(session: Session, model: str, rows: Sequence[tuple[str, str, bytes]]) -> None:
    """Insert or replace (record id, content hash, vector bytes) rows for one model, in two
    statements whatever their number (the caller commits)."""
    if not rows:
        return
    ids = [record_id for record_id, _, _ in rows]
    session.execute(
        delete(RecordVector).where(RecordVector.model == model, RecordVector.record_id.in_(ids))
    )
    session.execute(
        insert(RecordVector),
        [
            {"record_id": record_id, "model": model, "content_hash": digest, "vector": vector}
            for record_id, digest, vector in rows
        ],
    )
