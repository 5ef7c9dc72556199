"""Which words of a query the corpus lacks, read the way search reads the query (filters and
organisation names taken out, stop phrases dropped, folded, segmented by the index's own
segmenter), and which corpus words characterise a set of recommendations. Admins use both to
write new aliases into data/synonyms.yaml; nothing here changes the vocabulary."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from bot.core.cjk import IDEOGRAPHS
from bot.search.engine import concepts_of
from bot.search.index import SearchIndex
from bot.search.match import NUMBER_PREFIX
from bot.search.query import parse_query
from bot.search.segment import is_cjk

_CJK_RUN = re.compile(f"[{IDEOGRAPHS}]+")

MIN_CJK_WORD = 2  # one Chinese character is too ambiguous to suggest an alias for


def absent_terms(index: SearchIndex, text: str) -> list[str]:
    """The folded words of `text` that no recommendation uses, neither as written nor through
    an alias or glossary entry the data already has (in query order, once each). The words are
    the search's own concepts of the query (figures aside)."""
    absent: list[str] = []
    for word in concepts_of(index, parse_query(text, index.lexicon)):
        if word.startswith(NUMBER_PREFIX) or word.isdigit():
            continue
        if is_cjk(word) and len(word) < MIN_CJK_WORD:
            continue
        if not any(_in_corpus(index, term) for term in index.lexicon.expansions(word)):
            absent.append(word)
    return absent


def _in_corpus(index: SearchIndex, term: str) -> bool:
    if index.posting("w", term) is not None:
        return True
    return is_cjk(term) and index.contains(term)


def characteristic_terms(
    index: SearchIndex, weights: Mapping[str, int], limit: int = 2
) -> list[str]:
    """The corpus words that best characterise the recommendations in `weights` (record id →
    how often it was opened): each record's BM25 term weights, summed with those counts; shown
    as the corpus writes them."""
    scores: dict[str, float] = defaultdict(float)
    for record_id, count in weights.items():
        position = index.position_of(record_id)
        if position is None:
            continue
        for term, weight in index.record_terms(position, limit=10):
            scores[term] += weight * count
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [display_term(index, term) for term, _ in ranked]


def display_term(index: SearchIndex, folded: str) -> str:
    """A folded word as a reader writes it (Chinese in the corpus's Traditional form)."""
    return index.surface_form(folded) if is_cjk(folded) else folded


def display_query(index: SearchIndex, folded: str) -> str:
    """A folded query shown to an admin: each Chinese word as the corpus writes it (else in
    Traditional characters), the rest as folded."""
    return _CJK_RUN.sub(
        lambda run: "".join(
            display_term(index, word) for word in index.segmenter.words(run.group(0))
        ),
        folded,
    )
