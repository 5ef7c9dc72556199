"""Term vectors (a term's score and presence in every record) computed lately, kept per index.

Members' questions differ but their words recur (房屋, 青年, 醫療券 …): most of a query's terms
were looked up by an earlier one. A term's vectors depend only on the index, so they are kept,
read-only, until the table is full, then it is emptied and fills again with the words in use.
Bounded by bytes, not terms: at 100 times the corpus a term's pair of vectors is 100 times
larger, and fewer are kept."""

from __future__ import annotations

import numpy as np

KEPT_BYTES = 16 * 2**20  # at most this much held in kept vectors per index
MIN_TERMS = 64  # kept however large the index (a query's own terms, at least)
BYTES_PER_RECORD = 5  # a float32 score and a bool presence

Vectors = tuple[np.ndarray, np.ndarray]


class KeptVectors:
    """Vectors by folded term, for one index of `records` records."""

    def __init__(self, records: int, budget: int = KEPT_BYTES) -> None:
        self.limit = max(MIN_TERMS, budget // max(1, records * BYTES_PER_RECORD))
        self._kept: dict[str, Vectors] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        """Forget every kept term (the next queries compute theirs again)."""
        self._kept.clear()

    def get(self, term: str) -> Vectors | None:
        """The term's vectors if kept."""
        return self._kept.get(term)

    def keep(self, term: str, vectors: Vectors) -> Vectors:
        """Keep the term's vectors, made read-only (they are handed to every later query)."""
        for array in vectors:
            array.flags.writeable = False
        if len(self._kept) >= self.limit:
            self._kept.clear()  # another thread may be reading: a dict read stays safe
        self._kept[term] = vectors
        return vectors
