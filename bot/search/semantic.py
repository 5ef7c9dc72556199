"""The semantic stage: the query's cosine to every record's vector, read relative to the query's
own distribution over the corpus.

Cosines from multilingual-e5 are compressed (most records sit between 0.75 and 0.85 for any
query), so a raw cosine says little. What says something is how far a record stands out from the
rest of the corpus *for this query*: its z-score, (cosine − median) / standard deviation over all
records. Candidates are the records near the top cosine (within a relative margin), never a fixed
"top k" of whatever is closest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bot.core.embedding import Embedder, default_embedder
from bot.search.index import SearchIndex

MARGIN = 0.03  # a candidate's cosine is within this of the query's best cosine
MAX_CANDIDATES = 10


@dataclass(frozen=True)
class Semantic:
    """One query's semantic view of the corpus. A record's z-score, (cosine − median) / std over
    the records with a vector, is computed when asked for (`z_of`): the decision reads it for a
    few candidates, and a whole array of them cost a pass over every record per query."""

    cosines: np.ndarray  # per record (0 where a record has no vector)
    median: float  # of the cosines of the records with a vector
    spread: float  # their standard deviation (1.0 when it is 0)
    has_vector: np.ndarray  # bool per record

    def z_of(self, position: int) -> float:
        """One record's z-score for this query (0 for a record without a vector)."""
        if not self.has_vector[position]:
            return 0.0
        return float((self.cosines[position] - self.median) / self.spread)

    @cached_property
    def z(self) -> np.ndarray:
        """Every record's z-score (0 where a record has no vector), as `z_of` gives them."""
        return np.where(self.has_vector, (self.cosines - self.median) / self.spread, 0.0)

    @property
    def best(self) -> int:
        """Position of the record closest to the query."""
        return int(np.argmax(self.cosines))

    def candidates(self, mask: np.ndarray, limit: int = MAX_CANDIDATES) -> list[int]:
        """Records the filters allow whose cosine is within MARGIN of the best allowed one,
        best first."""
        allowed = np.flatnonzero(mask)
        if not len(allowed):
            return []
        cosines = self.cosines[allowed]
        order = allowed[np.argsort(-cosines, kind="stable")[:limit]]
        top = float(self.cosines[order[0]])
        return [int(i) for i in order if self.cosines[i] >= top - MARGIN and self.cosines[i] > 0]


class ModelNeeded(Exception):
    """The query's vector is not in memory and the caller would not wait for the model."""


def query_view(
    index: SearchIndex,
    text: str,
    embedder: Embedder | None = None,
    *,
    wait_for_model: bool = True,
) -> Semantic | None:
    """The corpus seen from the query's vector; None when the index has no vectors or the text
    is empty. The vector is computed in the calling thread, which needs it at once (the engine
    asks only once the lexical stage has shown it matters). A query asked lately (the model's
    cache) is answered without the model, even while another thread holds it; otherwise, with
    `wait_for_model=False`, ModelNeeded is raised instead of running (or waiting for) it."""
    if index.vectors is None or not text.strip():
        return None
    model = embedder or default_embedder()
    recent = getattr(model, "recent", None)  # optional: models without a cache always go to work
    vector = recent(text) if recent is not None else None
    if vector is None and not wait_for_model:
        raise ModelNeeded(text)
    return view_of(index, vector if vector is not None else model.query(text))


def view_of(index: SearchIndex, vector: np.ndarray) -> Semantic:
    """The corpus seen from one vector (a query's, or a record's for "related"); the index must
    have vectors."""
    assert index.vectors is not None
    cosines = index.vectors @ vector
    present = cosines if index.all_have_vectors else cosines[index.has_vector]
    median = middle(present)
    spread = float(present.std()) or 1.0
    return Semantic(cosines, median, spread, index.has_vector)


def middle(values: np.ndarray) -> float:
    """`np.median` of a non-empty 1-D array without NaNs, with one partition instead of two (the
    value below the middle is the largest of the lower half): the same float, bit for bit."""
    half = len(values) // 2
    part = np.partition(values, half)
    if len(values) % 2:
        return float(part[half])
    return float(np.mean(np.array([part[:half].max(), part[half]], dtype=values.dtype)))
