"""The shortcuts that keep search fast on a large corpus give exactly what the plain computation
gives: filter masks (vectorised, kept per filters), z-scores computed per record on demand, typo
candidates narrowed by the characters they share with the query's word."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from bot.core.embedding import DIM, MODEL_NAME, content_hash, passage_text, to_bytes
from bot.core.filters import Filters
from bot.search import SearchIndex, search
from bot.search.blend import RRF_K, fuse
from bot.search.engine import SUGGEST_CUTOFF, filter_mask
from bot.search.fuzzy import CharTable
from bot.search.index import read_corpus
from bot.search.match import FUZZY_CUTOFF
from bot.search.normalize import fold_text
from bot.search.segment import is_cjk
from bot.search.semantic import middle, view_of
from bot.search.vectors import load_vectors
from bot.store.db import SessionFactory
from bot.store.vectors import save_vectors
from tests.bot.ingest.records import recommendation, write

QUERIES = Path(__file__).parents[2] / "relevance" / "queries.yaml"


def plain_mask(index: SearchIndex, filters: Filters) -> np.ndarray:
    """The filters applied record by record."""
    return np.array(
        [
            (not filters.orgs or fold_text(record.org_short) in filters.orgs)
            and (not filters.areas or bool(filters.areas & set(record.areas)))
            and (not filters.sources or record.source_id in filters.sources)
            and (not filters.years or record.year in filters.years)
            for record in index.records
        ],
        dtype=bool,
    )


def some_filters(index: SearchIndex) -> list[Filters]:
    records = index.records
    orgs = sorted({fold_text(record.org_short) for record in records})
    areas = sorted({area for record in records for area in record.areas})
    sources = sorted({record.source_id for record in records})
    years = sorted({record.year for record in records})
    chosen = [
        Filters(),
        Filters(orgs=frozenset(orgs[:1])),
        Filters(orgs=frozenset(orgs[1:3]), years=frozenset(years[-1:])),
        Filters(areas=frozenset(areas[:1])),
        Filters(areas=frozenset(areas[2:4]), sources=frozenset(sources[:5])),
        Filters(years=frozenset(years[:2])),
        Filters(orgs=frozenset({"nobody"})),  # names no record
        Filters(areas=frozenset({"no-such-area"}), years=frozenset({1900})),
    ]
    for org, area in itertools.islice(itertools.product(orgs, areas), 0, None, 7):
        chosen.append(Filters(orgs=frozenset({org}), areas=frozenset({area})))
    return chosen


def test_filter_masks_are_the_plain_filters(search_index: SearchIndex) -> None:
    for filters in some_filters(search_index):
        mask = filter_mask(search_index, filters)
        assert np.array_equal(mask, plain_mask(search_index, filters)), filters
    assert filter_mask(search_index, Filters(orgs=frozenset({"nobody"}))).sum() == 0
    assert 0 < filter_mask(search_index, some_filters(search_index)[3]).sum() < len(search_index)


def test_a_filter_mask_is_kept_and_cannot_be_changed(search_index: SearchIndex) -> None:
    filters = some_filters(search_index)[4]
    mask = filter_mask(search_index, filters)
    assert filter_mask(search_index, Filters(filters.orgs, filters.areas, filters.sources)) is mask
    with pytest.raises(ValueError, match="read-only"):
        mask[0] = not mask[0]


def test_filtered_search_keeps_to_the_filters(search_index: SearchIndex) -> None:
    areas = [area for record in search_index.records for area in record.areas]
    filters = Filters(areas=frozenset({max(set(areas), key=areas.count)}))  # the largest area
    allowed = plain_mask(search_index, filters)
    found = search(search_index, "政府", filters=filters, limit=100)
    assert found.results and found.total < len(search(search_index, "政府", limit=100).results)
    for result in found.results:
        position = search_index.position_of(result.record.id)
        assert position is not None and allowed[position]


@pytest.mark.parametrize("record_id", ["bpa24-17", "bpa24-7", "fhki23-5-4-6"])
def test_z_on_demand_is_the_corpus_z(search_index: SearchIndex, record_id: str) -> None:
    vectors = search_index.vectors
    assert vectors is not None
    position = search_index.position_of(record_id)
    assert position is not None
    view = view_of(search_index, vectors[position])
    cosines = vectors @ vectors[position]
    present = cosines[search_index.has_vector]
    expected = np.where(
        search_index.has_vector,
        (cosines - float(np.median(present))) / float(present.std()),
        0.0,
    )
    assert np.array_equal(view.z, expected)
    for other in range(0, len(search_index), 7):
        assert view.z_of(other) == float(expected[other])
    assert view.z_of(position) > 3.0  # a record stands out from the corpus seen from itself


SCORERS = [(fuzz.ratio, FUZZY_CUTOFF), (fuzz.ratio, 80.0), (fuzz.WRatio, SUGGEST_CUTOFF)]


def edited(word: str, rng: random.Random, alphabet: str) -> str:
    """The word with one character replaced, dropped or added (a typo)."""
    place = rng.randrange(len(word))
    kind = rng.randrange(3)
    if kind == 0:
        return word[:place] + rng.choice(alphabet) + word[place + 1 :]
    if kind == 1 and len(word) > 1:
        return word[:place] + word[place + 1 :]
    return word[:place] + rng.choice(alphabet) + word[place:]


def test_typo_candidates_are_the_full_scan(search_index: SearchIndex) -> None:
    rng = random.Random(16)
    words = search_index.word_vocabulary
    alphabet = "".join(sorted(set("".join(words))))
    terms = [edited(rng.choice(words), rng, alphabet) for _ in range(300)]
    terms += ["人才", "人才簽證計劃", "北部都會區", "greenbonds", "talent visa", "a b", "x"]
    compared = 0
    for term in terms:
        cjk = is_cjk(term)
        for scorer, cutoff in SCORERS:
            everything = search_index.vocabulary_near(len(term), cjk=cjk)
            kept = search_index.words_near(term, cjk=cjk, cutoff=cutoff)
            assert set(kept) <= set(everything)
            full = process.extract(term, everything, scorer=scorer, score_cutoff=cutoff, limit=15)
            fast = process.extract(term, kept, scorer=scorer, score_cutoff=cutoff, limit=15)
            assert [(w, s) for w, s, _ in full] == [(w, s) for w, s, _ in fast], term
            compared += bool(full)
            assert len(kept) <= len(everything)
    assert compared > 300  # most typos have near words: the comparison is not of empty lists


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.text(alphabet="ab cd政府政策", min_size=1, max_size=7), max_size=40),
    term=st.text(alphabet="ab cd政府策", min_size=1, max_size=7),
    cutoff=st.sampled_from([50.0, FUZZY_CUTOFF, SUGGEST_CUTOFF, 80.0, 100.0]),
    ratio=st.sampled_from([fuzz.ratio, fuzz.partial_ratio, fuzz.WRatio, fuzz.token_set_ratio]),
)
def test_no_word_that_reaches_the_cutoff_is_left_out(
    words: list[str], term: str, cutoff: float, ratio: Callable[..., float]
) -> None:
    kept = CharTable(words).may_reach(term, cutoff)
    reaching = [word for word in words if ratio(term, word) >= cutoff]
    assert [word for word in kept if word in reaching] == reaching


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.text(alphabet="ab cd政府政策", min_size=1, max_size=7), max_size=40),
    term=st.text(alphabet="ab cd政府策x", max_size=7),
)
def test_shared_characters_are_counted_with_repeats(words: list[str], term: str) -> None:
    wanted = Counter(term)
    expected = [sum(min(n, Counter(word)[c]) for c, n in wanted.items()) for word in words]
    assert CharTable(words).shared(term).tolist() == expected


def answer(index: SearchIndex, query: str, **options: object) -> object:
    """Everything a search returns that a reader sees, but the time it took."""
    found = search(index, query, limit=20, **options)  # type: ignore[arg-type]
    return (
        [
            (r.record.id, r.score, r.why, r.similarity, r.highlights, r.passage)
            for r in found.results + found.closest
        ],
        found.total,
        found.suggestions,
        found.by_source,
        found.by_area,
    )


def test_regression_queries_answer_as_with_every_record_scanned(
    search_index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Narrowing by postings (phrase, adjacency, surface forms) and by shared characters (typos,
    "did you mean") changes no answer: the same queries with those shortcuts off (every record
    and every vocabulary word of the length scanned) give the same results."""
    queries = [str(entry["q"]) for entry in yaml.safe_load(QUERIES.read_text(encoding="utf-8"))]
    queries += [
        "北都大學城",
        "talent visa 人才",
        "輕能巴士",
        "睇牙貴",
        "公屋可唔可以養貓",
        "經民聯 鐵路",
    ]
    areas = [area for record in search_index.records for area in record.areas]
    narrowed = Filters(areas=frozenset({max(set(areas), key=areas.count)}))
    variants: list[dict[str, object]] = [{}, {"language": "en"}, {"filters": narrowed}]
    fast = [answer(search_index, q, **options) for q in queries for options in variants]
    monkeypatch.setattr(search_index, "may_hold", lambda folded: None)
    monkeypatch.setattr(
        search_index,
        "words_near",
        lambda term, cjk, cutoff: search_index.vocabulary_near(len(term), cjk=cjk),
    )
    plain = [answer(search_index, q, **options) for q in queries for options in variants]
    assert fast == plain
    assert sum(bool(one[2]) for one in plain) >= 3  # some queries have "did you mean"


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_record_may_hold_what_it_says(search_index: SearchIndex, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(search_index) - 1))
    field = data.draw(st.sampled_from([search_index.folded_titles, search_index.folded_texts]))
    text = field[position]
    start = data.draw(st.integers(0, max(len(text) - 1, 0)))
    piece = text[start : start + data.draw(st.integers(1, 12))]
    holders = search_index.may_hold(piece)
    assert holders is None or position in holders.tolist()


def test_may_hold_narrows(search_index: SearchIndex) -> None:
    holders = search_index.may_hold(fold_text("北部都會區"))
    assert holders is not None and 0 < len(holders) < len(search_index) / 4
    assert list(holders) == sorted(holders)
    assert search_index.may_hold("green bonds") is None  # no Chinese: nothing to narrow by
    nowhere = search_index.may_hold("龘龘")  # a bigram no record has
    assert nowhere is not None and len(nowhere) == 0


@pytest.mark.db
def test_vectors_are_read_row_for_row(sessions: SessionFactory) -> None:
    """Read in one block, each record still gets its own vector; a stale or malformed stored
    vector leaves a zero row."""
    items = [
        recommendation(key, text) for key, text in (("1", "甲。"), ("2", "乙。"), ("3", "丙。"))
    ]
    write(sessions, items, datetime(2026, 1, 1, tzinfo=UTC))
    with sessions() as session:
        records, _ = read_corpus(session)
    vectors = np.arange(3 * DIM, dtype=np.float32).reshape(3, DIM) / (3 * DIM)
    rows = [
        (record.id, content_hash(MODEL_NAME, passage_text(record.title, record.text)), blob)
        for record, blob in zip(records, [to_bytes(vector) for vector in vectors], strict=True)
    ]
    stale = (rows[1][0], "stale", rows[1][2])
    with sessions.begin() as session:
        save_vectors(session, MODEL_NAME, [rows[0], stale, rows[2]])
    with sessions() as session:
        loaded = load_vectors(session, records)
    assert loaded is not None
    assert np.array_equal(loaded[[0, 2]], vectors[[0, 2]])
    assert not loaded[1].any()
    with sessions.begin() as session:
        save_vectors(session, MODEL_NAME, [(rows[1][0], rows[1][1], b"short")])
    with sessions() as session:
        again = load_vectors(session, records)
    assert again is not None and not again[1].any() and np.array_equal(again[2], vectors[2])
    with sessions.begin() as session:
        save_vectors(session, MODEL_NAME, [rows[1]])
    with sessions() as session:
        assert np.array_equal(load_vectors(session, records), vectors)


def dict_fusion(lexical: list[int], semantic: list[int]) -> tuple[list[int], dict[int, str]]:
    """Reciprocal-rank fusion by its definition: summed 1 / (RRF_K + rank), stable sort."""
    scores: dict[int, float] = {}
    why: dict[int, str] = {}
    for rank, position in enumerate(lexical, 1):
        scores[position] = 1 / (RRF_K + rank)
        why[position] = "lexical"
    for rank, position in enumerate(semantic, 1):
        scores[position] = scores.get(position, 0.0) + 1 / (RRF_K + rank)
        why[position] = "both" if position in why else "semantic"
    return sorted(scores, key=lambda position: -scores[position]), why


@settings(max_examples=300, deadline=None)
@given(
    lexical=st.lists(st.integers(0, 400), unique=True, max_size=300),
    semantic=st.lists(st.integers(0, 400), unique=True, max_size=12),
)
def test_fusion_in_arrays_is_the_definition(lexical: list[int], semantic: list[int]) -> None:
    order, why = fuse(lexical, semantic)
    expected_order, expected_why = dict_fusion(lexical, semantic)
    assert order == expected_order
    assert why == expected_why


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_tally_counts_in_order_of_appearance(
    search_index: SearchIndex, data: st.DataObject
) -> None:
    positions = data.draw(st.lists(st.integers(0, len(search_index) - 1), max_size=200))
    records = [search_index.records[i] for i in positions]
    by_source, by_area = search_index.tally(positions)
    assert list(by_source.items()) == list(Counter(r.source_id for r in records).items())
    expected = Counter(r.areas[0] for r in records if r.areas)
    assert list(by_area.items()) == list(expected.items())


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.floats(-1, 1, allow_nan=False, width=32), min_size=1, max_size=60).map(
        lambda found: np.array(found, dtype=np.float32)
    )
)
def test_middle_is_the_median(values: np.ndarray) -> None:
    assert middle(values) == float(np.median(values))
