"""Search quality floors on the relevance set (tests/relevance/queries.yaml).

The floors are set from what the engine reaches and only ever go up; `bench/search_quality.py`
prints the full table, peers included."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bot.search import SearchIndex, search

QUERIES = yaml.safe_load((Path(__file__).parent / "queries.yaml").read_text(encoding="utf-8"))

# Recall@5 floor per kind (a hit: any acceptable target in the top 5).
RECALL_AT_5_FLOORS = {
    "exact": 1.00,
    "alias": 1.00,
    "simplified": 1.00,
    "typo": 0.95,
    "english": 1.00,
    "question": 1.00,
    "concept": 0.85,
    "number": 1.00,
    "org_topic": 1.00,
}
OVERALL_RECALL_AT_5_FLOOR = 0.97
OVERALL_MRR_AT_10_FLOOR = 0.95
NEGATIVE_REJECTION_FLOOR = 1.00


@pytest.fixture(scope="module")
def ranks(search_index: SearchIndex) -> dict[str, list[int | None]]:
    """Per kind, the rank (1-based) of the best acceptable target in the top 10, or None."""
    found: dict[str, list[int | None]] = defaultdict(list)
    for query in QUERIES:
        ids = [result.record.id for result in search(search_index, query["q"], limit=10).results]
        if query["kind"] == "negative":
            found["negative"].append(len(ids))  # how many results a no-answer query got
            continue
        positions = [ids.index(target) + 1 for target in query["targets"] if target in ids]
        found[query["kind"]].append(min(positions) if positions else None)
    return found


def _recall(ranks: list[int | None], k: int) -> float:
    return sum(1 for rank in ranks if rank is not None and rank <= k) / len(ranks)


def test_the_set_is_large_and_varied() -> None:
    kinds = defaultdict(int)
    for query in QUERIES:
        kinds[query["kind"]] += 1
    assert len(QUERIES) >= 150
    assert set(kinds) == {*RECALL_AT_5_FLOORS, "negative"}
    assert min(kinds.values()) >= 14


@pytest.mark.parametrize("kind", sorted(RECALL_AT_5_FLOORS))
def test_recall_at_5_per_kind(ranks: dict[str, list[int | None]], kind: str) -> None:
    assert _recall(ranks[kind], 5) >= RECALL_AT_5_FLOORS[kind]


def test_overall(ranks: dict[str, list[int | None]]) -> None:
    positive = [rank for kind, values in ranks.items() if kind != "negative" for rank in values]
    mrr = sum(1 / rank for rank in positive if rank is not None) / len(positive)
    assert _recall(positive, 5) >= OVERALL_RECALL_AT_5_FLOOR
    assert mrr >= OVERALL_MRR_AT_10_FLOOR


def test_negatives_return_nothing(ranks: dict[str, list[int | None]]) -> None:
    rejected = sum(1 for count in ranks["negative"] if count == 0) / len(ranks["negative"])
    assert rejected >= NEGATIVE_REJECTION_FLOOR
