"""Fusing the lexical and semantic rankings, and deciding whether the query has an answer.

Fusion is reciprocal-rank fusion of the lexical results and the semantic candidates (records
within a relative margin of the query's best cosine), so neither score scale leaks into the other;
each result remembers which stage found it. When the best lexical match holds every concept of the
query, the lexical results are the answer and semantic-only candidates are left out: the records
that say what was asked were found by their words, and one that merely resembles the query is a
neighbouring topic. The semantic stage then changes nothing shown (not the order, not the
decision, not the closest), so the engine does not embed such a query at all (`decided_by_words`)
and its results say "lexical": found by their words.

The decision combines the three signals the stages give:
- lexical coverage (the share of the query's concepts a record holds, as the engine computes it);
- semantic standing: a record's z-score among all the corpus's cosines for this query;
- agreement: whether the two stages point at the same record.
Several lexical results, or one that holds every concept, are an answer as before. A single,
partial lexical match is what a near-neighbour topic looks like ("全民退休保障" finding a record
about retirement), so it is an answer only when the semantic stage agrees: the record is the
semantically closest one, or stands out from the corpus (z ≥ Z_AGREE), or it holds most of the
query (coverage ≥ MOSTLY_COVERED) and what it lacks are words other records use (a difference of
wording, not a subject nobody wrote about: "養狗", "全民" name nothing in the corpus, so a query
asking for them is not answered by a record about 公屋 or 退休). With nothing lexical, the
semantic best is an answer only when it stands out strongly (z ≥ Z_SEMANTIC), holds part of the
query's words (coverage ≥ SEMANTIC_MIN_COVERAGE) and the query names nothing the corpus lacks, so
"weather tomorrow" and "公屋可唔可以養貓" find nothing. When the
query has no answer, the fused list's first CLOSEST records are shown apart as the closest.
Thresholds were set on the held-out dev split, never per query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from bot.search.semantic import Semantic

Why = Literal["lexical", "semantic", "both"]

RRF_K = 60
FULL_COVERAGE = 0.999
MOSTLY_COVERED = 0.7
Z_AGREE = 3.0
Z_SEMANTIC = 4.0
Z_JOIN = 2.5  # a semantic candidate joins an answer's results only from this z-score up
SEMANTIC_MIN_COVERAGE = 0.3
CLOSEST = 3


@dataclass(frozen=True)
class Blend:
    """The fused order (record positions, best first), why each was found, and the decision."""

    order: list[int]
    why: dict[int, Why]
    answered: bool


def fuse(lexical: list[int], semantic: list[int]) -> tuple[list[int], dict[int, Why]]:
    """Reciprocal-rank fusion; ties keep the lexical order first, then the semantic order. In
    arrays: at 100 times the corpus a query may have thousands of lexical results (and a handful
    of semantic ones)."""
    why: dict[int, Why] = dict.fromkeys(lexical, "lexical")
    entries = np.asarray(lexical, dtype=np.int64)
    scores = 1.0 / (RRF_K + np.arange(1, len(lexical) + 1, dtype=np.float64))
    extra_positions: list[int] = []
    extra_scores: list[float] = []
    for rank, position in enumerate(semantic, 1):
        if position in why:
            found = int(np.flatnonzero(entries == position)[0])
            scores[found] = float(scores[found]) + 1 / (RRF_K + rank)
            why[position] = "both"
        else:
            extra_positions.append(position)
            extra_scores.append(1 / (RRF_K + rank))
            why[position] = "semantic"
    entries = np.concatenate([entries, np.asarray(extra_positions, dtype=np.int64)])
    scores = np.concatenate([scores, np.asarray(extra_scores, dtype=np.float64)])
    order = entries[np.argsort(-scores, kind="stable")].tolist()
    return order, why


def decided_by_words(lexical: list[int], coverage: np.ndarray) -> bool:
    """The best lexical match holds every concept of the query: the lexical results are the
    answer, whatever the semantic stage would say (see `blend`)."""
    return bool(lexical) and bool(coverage[lexical[0]] >= FULL_COVERAGE)


def is_answer(
    lexical: list[int],
    coverage: np.ndarray,
    view: Semantic,
    candidates: list[int],
    names_unknown: bool,
) -> bool:
    """The calibrated decision (see the module docstring)."""
    closest = candidates[0] if candidates else None
    if len(lexical) > 1:
        return True
    if lexical:
        found = lexical[0]
        return bool(
            coverage[found] >= FULL_COVERAGE
            or found == closest
            or view.z_of(found) >= Z_AGREE
            or (coverage[found] >= MOSTLY_COVERED and not names_unknown)
        )
    return bool(
        closest is not None
        and view.z_of(closest) >= Z_SEMANTIC
        and coverage[closest] >= SEMANTIC_MIN_COVERAGE
        and not names_unknown
    )


def blend(
    lexical: list[int],
    coverage: np.ndarray,
    view: Semantic | None,
    mask: np.ndarray,
    names_unknown: bool = False,
) -> Blend:
    """Lexical results fused with semantic candidates, and whether they answer the query.
    Without a semantic view (an index without vectors, or a query not embedded) the lexical
    results stand alone; so they do when the best of them holds every concept of the query: the
    records that say what was asked were found by their words, and one that merely resembles the
    query is a neighbouring topic, not an answer (it may still be "related")."""
    if view is None or decided_by_words(lexical, coverage):
        return Blend(lexical, dict.fromkeys(lexical, "lexical"), bool(lexical))
    candidates = view.candidates(mask)
    if is_answer(lexical, coverage, view, candidates, names_unknown):
        # Joining an answer takes a record that stands out, not merely the nearest few.
        joining = [position for position in candidates if view.z_of(position) >= Z_JOIN]
        return Blend(*fuse(lexical, joining), answered=True)
    return Blend(*fuse(lexical, candidates), answered=False)
