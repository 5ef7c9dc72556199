"""Why a record matched: the spans of the query's words in its title, text and cited paragraphs,
and the one sentence that best shows the match (the sentence holding the most, and the rarest,
of the query's concepts; on a tie, the one with the longest matched phrase)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.search.index import FOLDED_CACHE, SearchIndex
from bot.search.match import ConceptMatch
from bot.search.normalize import Folded
from bot.search.segment import grams, is_cjk

FIELDS = ("title", "text", "refs")  # "refs": the cited paragraphs, one after another
PASSAGE_FIELDS = ("text", "refs")  # where a snippet can come from (the title is shown anyway)
_SENTENCE = re.compile(r"[^。；！？;!?\n]+[。；！？;!?]?")


@dataclass(frozen=True)
class Highlight:
    """A matched span in a record's field (original text offsets, end exclusive)."""

    field: str  # "title", "text" or "refs"
    start: int
    end: int


def highlights(
    index: SearchIndex, position: int, concepts: list[ConceptMatch]
) -> tuple[Highlight, ...]:
    """Spans of every matched alternative in the record's fields, merged."""
    found: list[Highlight] = []
    terms = _terms(concepts, position)
    for name in FIELDS:
        folded = index.folded(name, position)
        spans = sorted(span for term in terms for span in _occurrences(folded, term))
        found.extend(Highlight(name, start, end) for start, end in _merge(spans))
    return tuple(found)


def best_passage(
    index: SearchIndex, position: int, concepts: list[ConceptMatch]
) -> Highlight | None:
    """The sentence of the text or of a cited paragraph that best shows why the record matched:
    the most concepts weighted by rarity, then the longest matched phrase, then the text before
    the cited paragraphs and the earlier sentence. None when no sentence holds a matched word."""
    best: tuple[tuple[float, int, int, int], Highlight] | None = None
    held = [concept for concept in concepts if concept.present[position]]
    for order, name in enumerate(PASSAGE_FIELDS):
        folded = index.folded(name, position)
        # Per concept, its terms found in the field at all: a sentence can hold no other (it
        # starts after a delimiter or a space, so a term's edges test the same in both).
        in_field = [
            (concept.weight or 0.01, terms)
            for concept in held
            if (terms := [t for t in concept.matched_terms if _occurrences_in(folded.text, t)])
        ]
        if not in_field:
            continue
        for start, end in _sentences(folded.text):
            sentence = folded.text[start:end]
            weight, longest = 0.0, 0
            for concept_weight, terms in in_field:
                lengths = [len(t) for t in terms if _occurrences_in(sentence, t)]
                if lengths:
                    weight += concept_weight
                    longest = max(longest, max(lengths))
            if weight <= 0:
                continue
            key = (weight, longest, -order, -start)
            if best is None or key > best[0]:
                best = (key, Highlight(name, *folded.span(start, end)))
    return best[1] if best else None


def best_sentence(index: SearchIndex, position: int, folded_query: str) -> tuple[Highlight, ...]:
    """For a record only the semantic stage found (no matched words): the sentence of its text
    sharing the most character pairs with the query (cheap, lexical), else its first sentence."""
    folded = index.folded("text", position)
    wanted = set(grams(folded_query.replace(" ", "")))
    best: tuple[int, int, int] | None = None  # (shared pairs, start, end)
    for start, end in _sentences(folded.text):
        shared = shared_grams(wanted, folded.text[start:end])
        if best is None or shared > best[0]:
            best = (shared, start, end)
    if best is None:
        return ()
    start, end = folded.span(best[1], best[2])
    return (Highlight("text", start, end),)


def shared_grams(wanted: set[str], text: str) -> int:
    """`len(wanted & set(grams(text)))` for `wanted` grams of a query, without making the
    text's: a wanted pair is among them wherever the text holds it (both its characters are
    Chinese, so they are in one run); a lone character (a one-character run of the query) only
    where the text has it as a run of its own."""
    shared = 0
    lone = False
    for gram in wanted:
        if len(gram) == 2:
            shared += gram in text
        else:
            lone = True
    if lone:
        shared += sum(1 for gram in set(grams(text)) if len(gram) == 1 and gram in wanted)
    return shared


def _terms(concepts: list[ConceptMatch], position: int) -> set[str]:
    return {
        term for concept in concepts if concept.present[position] for term in concept.matched_terms
    }


@lru_cache(maxsize=FOLDED_CACHE)
def _sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence of at least two characters, leading spaces skipped. Kept
    for the fields highlighted lately (a field's text is the same object while its folded form
    is kept, so finding it again costs no hashing); the list must not be modified."""
    found = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        if end - start >= 2:
            found.append((start, end))
    return found


def _pattern(term: str) -> str:
    if is_cjk(term):
        return re.escape(term)
    if term.isdigit():  # 3000 also highlights 3,000
        return rf"(?<![\d,]){',?'.join(term)}(?![\d])"
    return rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])"


# How a term is found (highlighting a page tests thousands of terms, most absent):
AS_WRITTEN = 0  # a Chinese term: where the text holds it, it matches (str.find, no expression)
WRITTEN_WHOLE = 1  # a Latin word: the text must hold it as written, and as a whole word
ANY_FORM = 2  # a figure: also written with thousands separators (3,000 for 3000)


@lru_cache(maxsize=4096)
def _compiled(term: str) -> tuple[int, re.Pattern[str]]:
    """A term's way of being found and its expression, compiled once."""
    way = AS_WRITTEN if is_cjk(term) else ANY_FORM if term.isdigit() else WRITTEN_WHOLE
    return way, re.compile(_pattern(term))


def _occurrences_in(text: str, term: str) -> bool:
    if not term:
        return False
    way, pattern = _compiled(term)
    if way != ANY_FORM and term not in text:
        return False
    return way == AS_WRITTEN or pattern.search(text) is not None


def _occurrences(folded: Folded, term: str) -> list[tuple[int, int]]:
    if not term:
        return []
    text = folded.text
    way, pattern = _compiled(term)
    if way == AS_WRITTEN:  # as the expression finds them: left to right, not overlapping
        found = []
        start = text.find(term)
        while start >= 0:
            found.append(folded.span(start, start + len(term)))
            start = text.find(term, start + len(term))
        return found
    if way == WRITTEN_WHOLE and term not in text:
        return []
    return [folded.span(m.start(), m.end()) for m in pattern.finditer(text)]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
