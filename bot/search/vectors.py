"""The records' sentence vectors, as the index holds them: one matrix, loaded from the store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session

from bot.core.embedding import DIM, MODEL_NAME, content_hash, from_bytes, passage_text
from bot.store.vectors import stored_vectors

if TYPE_CHECKING:
    from bot.search.index import IndexedRecord

MIN_COVERAGE = 0.5  # fewer records with a current vector than this: search stays lexical


def load_vectors(
    session: Session, records: Sequence[IndexedRecord], model: str = MODEL_NAME
) -> np.ndarray | None:
    """A row per record from the store (a zero row where the vector is missing or stale), or None
    when too few records have one (a store ingested before vectors existed)."""
    stored = stored_vectors(session, model)
    matrix = np.zeros((len(records), DIM), dtype=np.float32)
    found = 0
    for row, record in enumerate(records):
        digest, data = stored.get(record.id, ("", b""))
        if digest and digest == content_hash(model, passage_text(record.title, record.text)):
            matrix[row] = from_bytes(data)
            found += 1
    if not records or found < MIN_COVERAGE * len(records):
        return None
    return matrix
