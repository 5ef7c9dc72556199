"""Matching and ranking.

A query becomes concepts (known phrases first, then jieba words). Each concept has alternatives:
itself, its synonyms and glossary translations, and, when it matches nothing, close vocabulary
words found by rapidfuzz (typos, wrong homophones). A record's score is the BM25 sum over concepts
(each concept takes its best alternative), scaled by how much of the query it covers (concepts
weighted by rarity). A record must cover most of the query to be returned at all: that threshold
is what lets "no answer" queries return nothing instead of noise. Among those, a record that holds
two of the query's concepts side by side, as the query writes them, is scaled up (adjacency: the
whole name 北都大學… before 大學 and 北都 apart); so is one holding the translations or synonyms of
neighbouring English words side by side ("Northern Metropolis university": 北都大學…).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.cjk import IDEOGRAPHS
from bot.search.index import SearchIndex, sorted_common
from bot.search.postings import Posting
from bot.search.segment import is_cjk

GRAM_WEIGHT = 0.5  # bigram evidence counts half as much as a whole-word match
FUZZY_CUTOFF = 66.0  # rapidfuzz ratio: one wrong character in a three-character word passes
FUZZY_PENALTY = 0.8
MIN_COVERAGE = 0.6
# A long, chatty question (4+ concepts) may leave more of itself unmatched.
MIN_COVERAGE_LONG = 0.5
LONG_QUERY = 4
MIN_SCORE = 1.0
# Adjacency: a record holding two of the query's concepts side by side, as the query writes them,
# scores up to this factor (the whole phrase); runs shorter than MIN_ADJACENT characters do not
# count, and a query phrase longer than MAX_ADJACENT_PHRASE (pasted text) is not checked.
ADJACENCY_FACTOR = 2.0
MIN_ADJACENT = 3
MAX_ADJACENT_PHRASE = 40
# Up to this many candidate records are tested for a substring directly (under a microsecond
# each); past it they are first narrowed by their postings (about ten microseconds).
DIRECT_TESTS = 32
UNKNOWN_ENGLISH_SHARE = 0.1  # an untranslatable English word weighs as one in 10% of records
NUMBER_PREFIX = "n:"  # concept naming a figure by value, e.g. n:40000
_PIECE = re.compile(
    rf"[{IDEOGRAPHS}]+"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?|[a-z0-9]+(?:[.+&'][a-z0-9]+)*"
)


@dataclass(frozen=True)
class Alternative:
    """One way a concept can appear in a record."""

    term: str  # folded
    factor: float  # 1.0 exact, < 1 for typo corrections
    fuzzy: bool = False


@dataclass
class ConceptMatch:
    """A concept's per-record score, presence, and rarity weight."""

    concept: str
    alternatives: list[Alternative]
    scores: np.ndarray
    present: np.ndarray  # bool per record: some alternative occurs as a whole
    weight: float  # how much this concept counts towards coverage
    matched_terms: list[str]  # alternatives that occur somewhere


def term_vectors(index: SearchIndex, term: str) -> tuple[np.ndarray, np.ndarray]:
    """BM25 score per record for a folded term, and whether the record contains it whole. The
    arrays are read-only and shared (kept for later queries, bot.search.kept_vectors; one pair
    for every term found nowhere): callers must not write to them."""
    kept = index.kept_vectors.get(term)
    if kept is not None:
        return kept
    return index.kept_vectors.keep(term, _term_vectors(index, term))


def _term_vectors(index: SearchIndex, term: str) -> tuple[np.ndarray, np.ndarray]:
    size = len(index)
    if not term:
        return _nothing(size)
    if term.startswith(NUMBER_PREFIX):
        return _posting_vectors(index, "n", term[len(NUMBER_PREFIX) :])
    pieces = _pieces(term)
    if not pieces:
        return _nothing(size)
    if len(pieces) == 1:  # most terms: one word or one Chinese run
        return _piece_vectors(index, pieces[0])
    scores = np.zeros(size, dtype=np.float32)
    present = np.ones(size, dtype=bool)
    for piece in pieces:
        piece_scores, hit = _piece_vectors(index, piece)
        scores += piece_scores
        present &= hit
    return scores, present


def _piece_vectors(index: SearchIndex, piece: str) -> tuple[np.ndarray, np.ndarray]:
    if is_cjk(piece):
        return _cjk_vectors(index, piece)
    return _posting_vectors(index, "w", piece)


_NOTHING: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _nothing(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Zero scores and no presence for `size` records: one read-only pair per size, shared (a
    query's alternatives are mostly words a record set lacks; each needed two fresh arrays)."""
    found = _NOTHING.get(size)
    if found is None:
        scores, present = np.zeros(size, dtype=np.float32), np.zeros(size, dtype=bool)
        scores.flags.writeable = present.flags.writeable = False
        found = _NOTHING[size] = (scores, present)
    return found


def _pieces(term: str) -> list[str]:
    """Chinese runs and Latin words of a term ("bud专项基金" → "bud", "专项基金")."""
    return [match.group(0).replace(",", "") for match in _PIECE.finditer(term)]


def _posting_vectors(index: SearchIndex, family: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    posting = index.posting(family, term)
    if posting is None:
        return _nothing(len(index))
    scores = np.zeros(len(index), dtype=np.float32)
    present = np.zeros(len(index), dtype=bool)
    docs = _positions(posting)
    scores[docs] = posting.weights
    present[docs] = True
    return scores, present


def _positions(posting: Posting) -> np.ndarray:
    """A posting's record positions as numpy's index type: fancy indexing with the compact
    stored type (uint16) converts it on every use, which costs more than converting once."""
    return posting.docs.astype(np.intp)


def _cjk_vectors(index: SearchIndex, term: str) -> tuple[np.ndarray, np.ndarray]:
    size = len(index)
    scores = np.zeros(size, dtype=np.float32)
    word = index.posting("w", term)
    word_docs = None
    if word is not None:
        word_docs = _positions(word)
        scores[word_docs] += word.weights
    # `term` is one run of Chinese characters: its bigrams (`grams`), or the character itself.
    pieces = [term[i : i + 2] for i in range(len(term) - 1)] if len(term) >= 2 else [term]
    family, weight = ("g", GRAM_WEIGHT) if len(term) >= 2 else ("c", 1.0)
    counts = np.zeros(size, dtype=np.int16)
    for piece in pieces:
        posting = index.posting(family, piece)
        if posting is None:
            continue
        docs = _positions(posting)
        scores[docs] += weight * posting.weights
        counts[docs] += 1
    present = counts >= len(pieces)
    if word_docs is not None:
        present[word_docs] = True
    if len(term) >= 4:
        present |= _all_parts_present(index, term)
    return scores, present


def _all_parts_present(index: SearchIndex, term: str) -> np.ndarray:
    """Records holding every part of a long term, not necessarily side by side (龍頭企業 in
    "龍頭創科企業")."""
    parts = [part for part in index.parts(term) if len(part) >= 2]
    present = np.zeros(len(index), dtype=bool)
    if len(parts) < 2:
        return present
    present[:] = True
    for part in parts:
        hit = np.zeros(len(index), dtype=bool)
        posting = index.posting("w", part)
        if posting is not None:
            hit[_positions(posting)] = True
        present &= hit
    return present


def fuzzy_alternatives(index: SearchIndex, term: str, limit: int = 3) -> list[Alternative]:
    """Close vocabulary words for a term that matches nothing (typos, wrong homophones)."""
    if is_cjk(term) and len(term) == 2:
        return [Alternative(word, FUZZY_PENALTY, fuzzy=True) for word in index.homophones(term)]
    if is_cjk(term) and len(term) < 2:
        return []
    if not is_cjk(term) and len(term) < 4:
        return []
    cutoff = FUZZY_CUTOFF if is_cjk(term) else 80.0
    choices = index.words_near(term, cjk=is_cjk(term), cutoff=cutoff)
    found = process.extract(term, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)
    return [
        Alternative(word, FUZZY_PENALTY * score / 100.0, fuzzy=True) for word, score, _ in found
    ]


def match_concept(index: SearchIndex, concept: str) -> ConceptMatch:
    """Score every record for one concept, trying synonyms, then typo corrections."""
    alternatives = [Alternative(term, 1.0) for term in sorted(index.lexicon.expansions(concept))]
    result = _combine(index, concept, alternatives)
    if not result.matched_terms:
        # A corrected word brings its synonyms too (睇牙貴 → 睇牙 → 牙科).
        fuzzy = [
            Alternative(term, alternative.factor, fuzzy=True)
            for alternative in fuzzy_alternatives(index, concept)
            for term in sorted(index.lexicon.expansions(alternative.term))
        ]
        if fuzzy:
            result = _combine(index, concept, alternatives + fuzzy)
    return result


def is_known(index: SearchIndex, word: str) -> bool:
    """True when the corpus holds the word or one of its synonyms (a colloquial word whose
    written form the documents use is not a typo)."""
    return any(index.contains(term) for term in index.lexicon.expansions(word) if is_cjk(term))


def _combine(index: SearchIndex, concept: str, alternatives: list[Alternative]) -> ConceptMatch:
    size = len(index)
    best = np.zeros(size, dtype=np.float32)
    present = np.zeros(size, dtype=bool)
    matched: list[str] = []
    nothing = _nothing(size)[0]
    for alternative in alternatives:
        scores, hit = term_vectors(index, alternative.term)
        if scores is nothing:  # found nowhere: nothing to add
            continue
        np.maximum(best, alternative.factor * scores, out=best)
        if hit.any():
            matched.append(alternative.term)
            present |= hit
    documents = int(present.sum())
    weight = math.log(1 + (size - documents + 0.5) / (documents + 0.5))
    if not matched and is_english_word(concept):
        # An English word we cannot translate ("visa" in "talent visa" before the glossary had
        # it) counts against every record rather than vanish, but as a common word would: it
        # may be everyday wording ("join RCEP") rather than the subject.
        weight = math.log(1 + (1 - UNKNOWN_ENGLISH_SHARE) / UNKNOWN_ENGLISH_SHARE)
    return ConceptMatch(concept, alternatives, best, present, weight, matched)


def is_english_word(concept: str) -> bool:
    """A Latin-script word or phrase (not a figure)."""
    return concept.isascii() and not concept.startswith(NUMBER_PREFIX)


def rank(
    index: SearchIndex, concepts: list[ConceptMatch], phrase: str, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Final score and coverage per record (0 where filtered out or below the threshold)."""
    size = len(index)
    total = np.zeros(size, dtype=np.float32)
    covered = np.zeros(size, dtype=np.float32)
    weight_sum = sum(concept.weight for concept in concepts) or 1.0
    for concept in concepts:
        total += concept.scores
        covered += concept.weight * concept.present
    coverage = covered / weight_sum
    final = total * coverage**2
    needed = MIN_COVERAGE_LONG if len(concepts) >= LONG_QUERY else MIN_COVERAGE
    if phrase and len(concepts) > 1:
        passing = mask & (final > 0) & (coverage >= needed)
        written = adjacency(index, phrase, concept_boundaries(phrase, concepts), passing)
        final *= np.maximum(written, joined_concepts(index, concepts, passing))
        final += _phrase_bonus(index, phrase, final > 0)
    keep = mask & (coverage >= needed) & (final >= MIN_SCORE)
    return np.where(keep, final, 0.0), coverage


def concept_boundaries(phrase: str, concepts: list[ConceptMatch]) -> list[int]:
    """Where, in the query's phrase, one concept ends and the next begins."""
    found, cursor = [], 0
    for concept in concepts:
        start = phrase.find(concept.concept, cursor)
        if start < 0 or concept.concept.startswith(NUMBER_PREFIX):
            continue
        if start > 0:
            found.append(start)
        cursor = start + len(concept.concept)
    return found


def adjacency(
    index: SearchIndex, phrase: str, boundaries: list[int], candidates: np.ndarray
) -> np.ndarray:
    """A factor per record, from 1 up to ADJACENCY_FACTOR: the longest run of the query's phrase
    the record's title or text holds word for word, as a share of the phrase, when that run joins
    two concepts (北都大學城: "北都大學教育城" holds 北都大學, a tourism record only 大學)."""
    factor = np.ones(len(index), dtype=np.float32)
    if not boundaries or len(phrase) > MAX_ADJACENT_PHRASE:
        return factor
    seeds = {  # the shortest runs that join two concepts: a record needs one of them
        phrase[start : start + MIN_ADJACENT]
        for cut in boundaries
        for start in range(max(cut - MIN_ADJACENT + 1, 0), cut)
        if start + MIN_ADJACENT <= len(phrase)
    }
    holding = np.zeros(len(index), dtype=bool)
    for seed in seeds:  # looked for only in the records whose postings may hold it
        for position in _worth_testing(index, candidates & ~holding, seed):
            if seed in index.folded_titles[position] or seed in index.folded_texts[position]:
                holding[position] = True
    for position in np.flatnonzero(holding).tolist():
        text = index.folded_titles[position] + "\n" + index.folded_texts[position]
        best = 0
        for start in range(len(phrase)):
            end = start + max(best, MIN_ADJACENT - 1) + 1
            while end <= len(phrase) and phrase[start:end] in text:
                if any(start < cut < end for cut in boundaries):
                    best = end - start
                end += 1
        if best:
            factor[position] = 1 + (ADJACENCY_FACTOR - 1) * best / len(phrase)
    return factor


def joined_concepts(
    index: SearchIndex, concepts: list[ConceptMatch], candidates: np.ndarray
) -> np.ndarray:
    """A factor per record, from 1 up to ADJACENCY_FACTOR: the longest chain of the query's
    neighbouring concepts the record's title or text holds side by side through their matched
    (not typo-corrected) translations, either way round ("talent visa": 人才簽證 or 簽證人才), as
    a share of the query's concepts. This is adjacency for English words, whose written phrase
    a Chinese record never holds; a pair of Chinese words is left to `adjacency` (as written).
    """
    factor = np.ones(len(index), dtype=np.float32)
    forms = [
        [
            alt.term
            for alt in concept.alternatives
            if not alt.fuzzy and alt.term in concept.matched_terms and len(alt.term) >= 2
        ]
        for concept in concepts
    ]
    english = [is_english_word(concept.concept) for concept in concepts]
    joins = [  # for each neighbouring pair with an English word: the strings joining them
        {a + b for a in first for b in second} | {b + a for a in first for b in second}
        if english[number] or english[number + 1]
        else set()
        for number, (first, second) in enumerate(pairwise(forms))
    ]
    if not any(joins) or len(concepts) < 2:
        return factor
    # Per pair, the candidates holding one of its joins: each join is looked for only in the
    # records whose postings may hold it (a pair of English words may have dozens of joins).
    run = np.zeros(len(index), dtype=np.int64)
    longest = np.zeros(len(index), dtype=np.int64)
    for pair in joins:
        held = np.zeros(len(index), dtype=bool)
        for join in pair:
            for position in _worth_testing(index, candidates & ~held, join):
                if join in index.folded_titles[position] or join in index.folded_texts[position]:
                    held[position] = True
        run = np.where(held, run + 1, 0)
        np.maximum(longest, run, out=longest)
    joined = np.flatnonzero(longest)
    factor[joined] = 1 + (ADJACENCY_FACTOR - 1) * (longest[joined] + 1) / len(concepts)
    return factor


def _phrase_bonus(index: SearchIndex, phrase: str, candidates: np.ndarray) -> np.ndarray:
    bonus = np.zeros(len(index), dtype=np.float32)
    for position in _worth_testing(index, candidates, phrase):
        if phrase in index.folded_titles[position]:
            bonus[position] = 3.0
        elif phrase in index.folded_texts[position]:
            bonus[position] = 1.5
    return bonus


def _worth_testing(index: SearchIndex, candidates: np.ndarray, folded: str) -> list[int]:
    """The candidates (a bool per record), in ascending order, worth testing for `folded` as a
    substring: all of them when they are few (a test costs less than narrowing), else those
    among the records whose postings may hold it (`SearchIndex.may_hold`)."""
    positions = np.flatnonzero(candidates)
    if len(positions) <= DIRECT_TESTS:
        return positions.tolist()
    holders = index.may_hold(folded)
    if holders is None:
        return positions.tolist()
    if len(holders) < len(positions):
        return sorted_common(holders, positions).tolist()
    return sorted_common(positions, holders).tolist()
