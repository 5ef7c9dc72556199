"""A multi-word query ranks first the record that holds its words side by side."""

from __future__ import annotations

import numpy as np

from bot.search import SearchIndex, search
from bot.search.engine import concepts_of
from bot.search.match import (
    ADJACENCY_FACTOR,
    adjacency,
    concept_boundaries,
    joined_concepts,
    match_concept,
)
from bot.search.query import parse_query


def test_the_whole_name_ranks_first(search_index: SearchIndex) -> None:
    # bpa24-133 names 「北都大學教育城」; a tourism record holds 大學 and 「大城小區」 apart.
    for query in ("邊個提過北都大學城", "北都大學城", "北都 大學"):
        assert search(search_index, query).results[0].record.id == "bpa24-133"


def test_adjacency_needs_a_run_across_two_concepts(search_index: SearchIndex) -> None:
    parsed = parse_query("北都大學城", search_index.lexicon)
    concepts = [match_concept(search_index, c) for c in concepts_of(search_index, parsed)]
    phrase = parsed.text.replace(" ", "")
    cuts = concept_boundaries(phrase, concepts)
    assert cuts == [2]
    everything = np.ones(len(search_index), dtype=bool)
    factor = adjacency(search_index, phrase, cuts, everything)
    holds = search_index.position_of("bpa24-133")
    apart = search_index.position_of("bpa24-62")
    assert holds is not None and apart is not None
    assert 1.0 < factor[holds] <= ADJACENCY_FACTOR
    assert factor[apart] == 1.0  # 大學 alone lies inside one concept


def test_an_english_name_ranks_first_the_record_holding_it_whole(
    search_index: SearchIndex,
) -> None:
    # "Northern Metropolis university" is 北都大學… in bpa24-133; bpa24-62 holds 北部都會區 and
    # 大學 apart. "town" has no translation: it must not push the whole name down.
    for query in ("Northern Metropolis university town", "Northern Metropolis university"):
        results = search(search_index, query).results
        lexical = [r.record.id for r in results if r.why != "semantic"]
        assert lexical[0] == "bpa24-133", (query, lexical)
        assert "bpa24-62" in lexical[1:]


def test_translations_joined_side_by_side_scale_a_record(search_index: SearchIndex) -> None:
    def factors(query: str) -> np.ndarray:
        parsed = parse_query(query, search_index.lexicon)
        concepts = [match_concept(search_index, c) for c in concepts_of(search_index, parsed)]
        everything = np.ones(len(search_index), dtype=bool)
        return joined_concepts(search_index, concepts, everything)

    holds = search_index.position_of("bpa24-133")
    apart = search_index.position_of("bpa24-62")
    assert holds is not None and apart is not None
    english = factors("Northern Metropolis university town")
    assert 1.0 < english[holds] < ADJACENCY_FACTOR  # two of three concepts joined
    assert english[apart] == 1.0
    assert factors("Northern Metropolis university")[holds] == ADJACENCY_FACTOR
    # Chinese words are matched as written (`adjacency`), not through their synonyms here.
    assert (factors("北都 大學") == 1.0).all()
