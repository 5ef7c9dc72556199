"""The records' sentence vectors, as the index holds them: one matrix, loaded from the store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session

from bot.core.embedding import DIM, MODEL_NAME, content_hash, passage_text
from bot.store.vectors import stored_vectors

if TYPE_CHECKING:
    from bot.search.index import IndexedRecord

VECTOR_BYTES = DIM * 4  # little-endian float32, as bot.core.embedding.to_bytes writes them
MIN_COVERAGE = 0.5  # fewer records with a current vector than this: search stays lexical


def load_vectors(
    session: Session, records: Sequence[IndexedRecord], model: str = MODEL_NAME
) -> np.ndarray | None:
    """A row per record from the store (a zero row where the vector is missing, stale or
    malformed), or None when too few records have one (a store ingested before vectors
    existed)."""
    stored = stored_vectors(session, model)
    rows: list[int] = []
    current: list[bytes] = []
    for row, record in enumerate(records):
        digest, data = stored.get(record.id, ("", b""))
        if (
            digest
            and len(data) == VECTOR_BYTES
            and digest == content_hash(model, passage_text(record.title, record.text))
        ):
            rows.append(row)
            current.append(data)
    if not records or len(rows) < MIN_COVERAGE * len(records):
        return None
    matrix = np.zeros((len(records), DIM), dtype=np.float32)
    if rows:  # one conversion for all of them, not one array per record
        matrix[rows] = np.frombuffer(b"".join(current), dtype="<f4").reshape(len(rows), DIM)
    return matrix
