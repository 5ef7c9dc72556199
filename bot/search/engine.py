"""The search API: query → ranked results with highlights, "did you mean", and related records."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.languages import DEFAULT_LANGUAGE
from bot.search.blend import CLOSEST, Z_JOIN, Blend, Why, blend, decided_by_words, fuse
from bot.search.concepts import concepts_of
from bot.search.index import IndexedRecord, SearchIndex
from bot.search.match import (
    FUZZY_CUTOFF,
    LONG_QUERY,
    ConceptMatch,
    is_english_word,
    match_concept,
    rank,
)
from bot.search.normalize import fold_text, to_traditional
from bot.search.passage import Highlight, best_passage, best_sentence, highlights
from bot.search.query import Filters, ParsedQuery, parse_query
from bot.search.recent import RecentAnswers
from bot.search.segment import is_cjk
from bot.search.semantic import Semantic, query_view, view_of
from bot.store.areas import Area, areas_by_id, load_areas

MAX_LIMIT = 100
RELATED_POOL = 10  # candidates per stage fused for `related`
UNKNOWN_DISCOUNT_AFTER = 3  # matched concepts needed before an unknown word counts half
SUGGEST_CUTOFF = 70.0  # rapidfuzz WRatio of a "did you mean" word to the query
RELATED_TERMS = 12  # a record's characteristic words searched for `related`


@dataclass(frozen=True)
class SearchResult:
    """One matching recommendation."""

    record: IndexedRecord
    score: float  # lexical (BM25F × coverage); 0 for a record only the semantic stage found
    highlights: tuple[Highlight, ...]  # matched words; for a semantic-only hit, its best sentence
    why: Why = "lexical"  # which stage found it
    similarity: float = 0.0  # cosine to the query (0 when the query was not embedded)
    # The sentence that best shows why it matched (field "text", or "refs" when that is in a
    # cited paragraph); None when no sentence holds a matched word.
    passage: Highlight | None = None


@dataclass(frozen=True)
class SearchResults:
    """The answer to one query."""

    query: str
    normalized: str  # what was matched, in Traditional characters
    filters: Filters
    results: list[SearchResult]
    total: int  # how many records passed the threshold (results holds one page of them)
    elapsed_ms: float
    suggestions: list[str] = field(default_factory=list)  # "did you mean", when nothing passed
    unknown_filters: tuple[str, ...] = ()
    by_source: dict[str, int] = field(default_factory=dict)  # all results per source id
    by_area: dict[str, int] = field(default_factory=dict)  # all results per primary area
    # When nothing answers the query: the closest real proposals, to show apart from results
    # ("nobody proposed exactly this; closest: …"). Empty whenever `results` is not.
    closest: list[SearchResult] = field(default_factory=list)


# Answers to recent searches, per index (sized at start-up from SEARCH_CACHE_SIZE).
RECENT: RecentAnswers[SearchResults] = RecentAnswers()


def search(
    index: SearchIndex,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    filters: Filters | None = None,
    decide: bool = True,
    language: str = DEFAULT_LANGUAGE,
    wait_for_model: bool = True,
) -> SearchResults:
    """Search the index. Never raises on any input; an empty query returns nothing.
    `language` is the reader's: "did you mean" names areas in it.
    `decide=False` skips the answer/no-answer decision (the fused ranking is always returned):
    for measuring the stages, not for members. A search asked lately on this index is answered
    from `RECENT` (bot.search.recent); the answer must not be modified.
    `wait_for_model=False`: raise ModelNeeded (bot.search.semantic) rather than compute a query
    vector the model does not hold in memory (tens of milliseconds), for a caller on an event
    loop that would then search in a worker thread."""
    started = time.perf_counter()
    key = (query, limit, offset, filters, decide, language)
    kept = RECENT.get(index, key)
    if kept is not None:
        return replace(kept, elapsed_ms=(time.perf_counter() - started) * 1000)
    answer = _search(
        index, query, limit, offset, filters, decide, language, started, wait_for_model
    )
    RECENT.put(index, key, answer)
    return answer


def recent_search(
    index: SearchIndex,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    filters: Filters | None = None,
    decide: bool = True,
    language: str = DEFAULT_LANGUAGE,
) -> SearchResults | None:
    """`search`'s answer if it is one of the recent answers kept (no searching), else None: for
    a caller that searches elsewhere (a worker thread) only when it must."""
    kept = RECENT.get(index, (query, limit, offset, filters, decide, language))
    return replace(kept, elapsed_ms=0.0) if kept is not None else None


def _search(
    index: SearchIndex,
    query: str,
    limit: int,
    offset: int,
    filters: Filters | None,
    decide: bool,
    language: str,
    started: float,
    wait_for_model: bool = True,
) -> SearchResults:
    """`search` without the table of recent answers."""
    ranking = _rank(index, query, filters, wait_for_model=wait_for_model)
    parsed, active, concepts, view, mixed = (
        ranking.parsed,
        ranking.filters,
        ranking.concepts,
        ranking.view,
        ranking.mixed,
    )
    scores = ranking.scores
    answered = mixed.answered or not decide
    order = mixed.order if answered else []
    limit = max(0, min(limit, MAX_LIMIT))
    page = order[max(0, offset) : max(0, offset) + limit]

    def result(position: int) -> SearchResult:
        why = mixed.why.get(position, "lexical")
        if why == "semantic":
            found = best_sentence(index, position, parsed.text)
            passage = found[0] if found else None
        else:
            found = highlights(index, position, concepts)
            passage = best_passage(index, position, concepts)
        similarity = float(view.cosines[position]) if view is not None else 0.0
        return SearchResult(
            index.records[position], float(scores[position]), found, why, similarity, passage
        )

    results = [result(i) for i in page]
    closest = [] if answered else [result(i) for i in mixed.order[:CLOSEST]]
    suggestions = [] if order else suggest(index, parsed, concepts, mixed.order[:CLOSEST], language)
    by_source, by_area = index.tally(order)
    return SearchResults(
        query=query,
        normalized=to_traditional(parsed.text),
        filters=active,
        results=results,
        total=len(order),
        elapsed_ms=(time.perf_counter() - started) * 1000,
        suggestions=suggestions,
        unknown_filters=parsed.unknown_filters,
        by_source=by_source,
        by_area=by_area,
        closest=closest,
    )


@dataclass(frozen=True)
class _Ranking:
    """Both stages of one query, blended (before paging and highlighting)."""

    parsed: ParsedQuery
    filters: Filters
    concepts: list[ConceptMatch]
    scores: np.ndarray
    view: Semantic | None
    mixed: Blend


def _rank(
    index: SearchIndex, query: str, filters: Filters | None, *, wait_for_model: bool = True
) -> _Ranking:
    parsed = parse_query(query, index.lexicon)
    active = parsed.filters.merge(filters) if filters else parsed.filters
    concepts = discount_unknown([match_concept(index, c) for c in concepts_of(index, parsed)])
    mask = filter_mask(index, active)
    lexical, scores, coverage = _ranked(index, concepts, parsed.text, active, mask)
    # The query is embedded (most of a search's time) only when the semantic stage can change
    # the answer: not for filters alone, nor when the words already decide it (`decided_by_words`).
    needed = bool(concepts) and not decided_by_words(lexical, coverage)
    view = (
        query_view(index, to_traditional(parsed.plain), wait_for_model=wait_for_model)
        if needed
        else None
    )
    names_unknown = any(not concept.matched_terms for concept in concepts)
    mixed = blend(lexical, coverage, view, mask, names_unknown)
    return _Ranking(parsed, active, concepts, scores, view, mixed)


def matching_ids(index: SearchIndex, query: str, filters: Filters | None = None) -> list[str]:
    """Every record `search` answers the query with (no paging, no highlights), best first:
    what a followed topic matches."""
    mixed = _rank(index, query, filters).mixed
    return [index.records[i].id for i in mixed.order] if mixed.answered else []


def discount_unknown(concepts: list[ConceptMatch]) -> list[ConceptMatch]:
    """In a long query that mostly matches, one word the corpus lacks (全職 in a chatty question)
    counts half: it still lowers coverage, but no longer vetoes the answer on its own. An English
    word we cannot translate counts in a short query ("talent visa": the second word is the
    point), not in a sentence of four words or more (mostly everyday wording)."""
    matched = sum(1 for concept in concepts if concept.matched_terms)
    for concept in concepts:
        if concept.matched_terms:
            continue
        if len(concepts) >= LONG_QUERY and is_english_word(concept.concept):
            concept.weight = 0.0
        elif matched >= UNKNOWN_DISCOUNT_AFTER:
            concept.weight *= 0.5
    return concepts


def _ranked(
    index: SearchIndex,
    concepts: list[ConceptMatch],
    phrase: str,
    filters: Filters,
    mask: np.ndarray,
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The lexical results (positions, best first), score and coverage per record."""
    nothing = np.zeros(len(index), dtype=np.float32)
    if not concepts:
        # Only filters (e.g. "經民聯" or "#創科"): list what they select, in document order.
        if not filters:
            return [], nothing, nothing
        return np.flatnonzero(mask).tolist(), mask.astype(np.float32), nothing
    scores, coverage = rank(index, concepts, phrase.replace(" ", ""), mask)
    positive = np.flatnonzero(scores > 0)
    order = positive[np.argsort(-scores[positive], kind="stable")]
    return order.tolist(), scores, coverage


def filter_mask(index: SearchIndex, filters: Filters) -> np.ndarray:
    """True for every record the filters allow (read-only; the index keeps recent ones)."""
    return index.filter_mask(filters)


def suggest(
    index: SearchIndex,
    parsed: ParsedQuery,
    concepts: list[ConceptMatch],
    closest: list[int],
    language: str = DEFAULT_LANGUAGE,
    limit: int = 3,
) -> list[str]:
    """Up to `limit` vocabulary words, or area names in the chat's language, close to the query
    that find something related to it (see `_finds_related`)."""
    text = parsed.text.replace(" ", "")
    if not text:
        return []
    related = np.zeros(len(index), dtype=bool)
    for concept in concepts:
        related |= concept.present
    related[closest] = True
    # An area may be named in either language; it is offered in the reader's.
    areas = _AREA_NAMES.current()
    choices = index.words_near(text, cjk=is_cjk(text), cutoff=SUGGEST_CUTOFF) + list(areas)
    candidates = process.extract(
        text, choices, scorer=fuzz.WRatio, score_cutoff=SUGGEST_CUTOFF, limit=15
    )
    suggestions: list[str] = []
    for candidate, _, _ in candidates:
        if candidate in text or len(candidate) < 2:
            continue  # a piece of the query itself already failed
        area = areas.get(candidate)
        shown = (
            (area.en if language == "en" else area.zh) if area else index.surface_form(candidate)
        )
        if shown not in suggestions and _finds_related(index, shown, related, concepts):
            suggestions.append(shown)
        if len(suggestions) >= limit:
            break
    return suggestions


class _AreaNames:
    """Every area by its folded names (either language), made again only when the areas are
    read anew (data/areas.yaml changed): folding them cost a query without results 0.1 ms."""

    def __init__(self) -> None:
        self._areas: Mapping[str, Area] | None = None  # the areas the names were made from
        self._names: dict[str, Area] = {}

    def current(self) -> dict[str, Area]:
        """The names of the areas as they are now."""
        areas = areas_by_id()
        if self._areas is not areas:
            self._names = {
                fold_text(name): area for area in load_areas() for name in (area.zh, area.en)
            }
            self._areas = areas
        return self._names


_AREA_NAMES = _AreaNames()


def _finds_related(
    index: SearchIndex, suggestion: str, related: np.ndarray, concepts: list[ConceptMatch]
) -> bool:
    """Searching the suggestion (its words, no typo correction) finds records, and one of them
    holds a word of the query or is among the closest to it; when nothing at all holds a word of
    the query, the suggestion must instead be a near spelling of one of its words."""
    parsed = parse_query(suggestion, index.lexicon)
    found = [match_concept(index, concept) for concept in concepts_of(index, parsed)]
    if not found or any(alt.fuzzy for concept in found for alt in concept.alternatives):
        return False
    everything = np.ones(len(index), dtype=bool)
    hits = _ranked(index, found, parsed.text, parsed.filters, everything)[1] > 0
    if not hits.any():
        return False
    if related.any():
        return bool((hits & related).any())
    folded = fold_text(suggestion)
    return any(fuzz.ratio(folded, concept.concept) >= FUZZY_CUTOFF for concept in concepts)


def related(index: SearchIndex, record_id: str, limit: int = 5) -> list[SearchResult]:
    """The records most similar to one recommendation, from other organisations: its most
    characteristic words (BM25), fused with its sentence vector's nearest records when the index
    has vectors (same wording or same meaning). With vectors, every one must pass the bar a
    search sets for a semantic match to join its results (z-score ≥ Z_JOIN, seen from the
    record's vector): fewer rather than weak ones."""
    position = index.position_of(record_id)
    if position is None:
        return []
    own = index.records[position]
    terms = index.record_terms(position)
    scores = np.zeros(len(index), dtype=np.float32)
    for term, weight in terms:
        posting = index.posting("w", term)
        if posting is not None and len(term) >= 2:
            scores[posting.docs] += weight * posting.weights
    other = np.array([record.org_short != own.org_short for record in index.records], dtype=bool)
    scores[~other] = 0.0
    lexical = [
        i for i in np.argsort(-scores, kind="stable")[:RELATED_POOL].tolist() if scores[i] > 0
    ]
    why: dict[int, Why]
    if index.vectors is None or not index.has_vector[position]:
        order, why = lexical, {i: "lexical" for i in lexical}
    else:
        view = view_of(index, index.vectors[position])
        cosines = np.where(other & index.has_vector, view.cosines, -1.0)
        near = [
            int(i) for i in np.argsort(-cosines, kind="stable")[:RELATED_POOL] if cosines[i] > 0
        ]
        fused, why = fuse(lexical, near)
        order = [i for i in fused if why[i] == "both" or view.z_of(i) >= Z_JOIN]
    return [SearchResult(index.records[i], float(scores[i]), (), why[i]) for i in order[:limit]]
