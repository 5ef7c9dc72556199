"""Term vectors (a term's score and presence in every record) computed lately, kept per index.

Members' questions differ but their words recur (房屋, 青年, 醫療券 …), and a search looks up
some of its own terms more than once (a typo's correction, "did you mean"). A term's vectors
depend only on the index, so they are kept, read-only, until the table is full; then it is
emptied and fills again with the words in use. Bounded by bytes, not terms (SEARCH_TERMS_MB):
at 100 times the corpus a term's pair of vectors is 100 times larger, and fewer are kept."""

from __future__ import annotations

import numpy as np

KEPT_MB = 16  # per index, unless set otherwise at start-up (SEARCH_TERMS_MB)
BYTES_PER_RECORD = 5  # a float32 score and a bool presence

Vectors = tuple[np.ndarray, np.ndarray]


class _Budget:
    """The bytes each index may hold in kept vectors (set once at start-up)."""

    def __init__(self) -> None:
        self.bytes = KEPT_MB * 2**20


BUDGET = _Budget()


def set_budget(megabytes: int) -> None:
    """SEARCH_TERMS_MB: the memory per index for kept term vectors (0: none are kept)."""
    BUDGET.bytes = max(0, megabytes) * 2**20


class KeptVectors:
    """Vectors by folded term, for one index of `records` records. `budget`: bytes (None: the
    process's, `BUDGET`, as it is when a term is kept)."""

    def __init__(self, records: int, budget: int | None = None) -> None:
        self.records = records
        self.budget = budget
        self._kept: dict[str, Vectors] = {}

    @property
    def limit(self) -> int:
        """How many terms may be kept."""
        budget = BUDGET.bytes if self.budget is None else self.budget
        return budget // max(1, self.records * BYTES_PER_RECORD)

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        """Forget every kept term (the next queries compute theirs again)."""
        self._kept.clear()

    def get(self, term: str) -> Vectors | None:
        """The term's vectors if kept."""
        return self._kept.get(term)

    def keep(self, term: str, vectors: Vectors) -> Vectors:
        """Keep the term's vectors if there is room, made read-only either way (a caller must
        not write to vectors it may share with later queries)."""
        for array in vectors:
            array.flags.writeable = False
        limit = self.limit
        if limit <= 0:
            return vectors
        if len(self._kept) >= limit:
            self._kept.clear()  # another thread may be reading: a dict read stays safe
        self._kept[term] = vectors
        return vectors
