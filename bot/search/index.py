"""The in-memory inverted index: BM25 weights per (term, record), precomputed at build time so that
a query is a few vector additions.

Four token families are indexed: jieba words ("w"), character bigrams ("g"), single characters
("c") and figures by value ("n": "3,000 萬" and "3000萬" are both 30000000). Fields are weighted
(title > text > section path > cited paragraphs) into one term frequency per record (BM25F)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.embedding import default_embedder
from bot.core.filters import Filters
from bot.search.facts import SourceFacts
from bot.search.fuzzy import CharTable
from bot.search.kept_vectors import KeptVectors
from bot.search.lexicon import Lexicon, load_lexicon
from bot.search.normalize import Folded, fold, fold_text, to_traditional
from bot.search.phrases import EnglishPhrases
from bot.search.postings import (
    FAMILIES,
    FIELD_WEIGHTS,
    K1,
    B,
    Posting,
    Postings,
    Tokenizer,
    build_family,
)
from bot.search.segment import (
    Segmenter,
    chars,
    cjk_runs,
    grams,
    is_cjk,
    numbers,
    quoted_terms,
    sound_keys,
)
from bot.search.snapshot import IndexParts
from bot.search.vectors import load_vectors
from bot.store.corpus import list_sources
from bot.store.models import Recommendation, Source

FOLDED_CACHE = 2048  # records' folded fields with offset maps kept for highlighting
FILTER_MASKS = 256  # masks of the latest distinct filters kept (one bool per record each)

__all__ = ["FAMILIES", "FIELD_WEIGHTS", "K1", "B", "IndexedRecord", "Posting", "SearchIndex"]


@dataclass(frozen=True, slots=True)
class IndexedRecord:
    """What search needs of a recommendation (plain data, detached from the session; slots:
    at 100 times the corpus a per-object dict cost megabytes)."""

    id: str
    source_id: str
    org: str
    org_short: str
    org_short_en: str
    year: int
    period: str  # the document's year or fiscal year as it states it ("2024-25")
    areas: tuple[str, ...]
    label: str
    title: str
    text: str
    section_path: tuple[str, ...]
    refs_text: str

    @classmethod
    def from_row(cls, row: Recommendation) -> IndexedRecord:
        """Copy the searchable facts out of a stored row."""
        return cls(
            id=row.id,
            source_id=row.source_id,
            org=row.source.org,
            org_short=row.source.org_short,
            org_short_en=row.source.org_short_en,
            year=row.source.year,
            period=row.source.period,
            areas=tuple(row.areas),
            label=row.label,
            title=row.title,
            text=row.text,
            section_path=tuple(row.section_path),
            refs_text="\n".join(ref["text"] for ref in row.refs),
        )


class SearchIndex:
    """Records plus postings; immutable once built (rebuild after an ingest). The costly parts
    (`IndexParts`: postings, folded fields, taught terms, sound table) are built here or restored
    from a snapshot (bot.search.persist)."""

    def __init__(
        self,
        records: Sequence[IndexedRecord],
        lexicon: Lexicon,
        segmenter: Segmenter,
        sources: SourceFacts | None = None,
        vectors: np.ndarray | None = None,
        parts: IndexParts | None = None,
    ) -> None:
        self.records = list(records)
        # One sentence vector per record (rows, normalised; a zero row for a record without one),
        # or None: then search is lexical only.
        self.vectors = (
            vectors if vectors is not None and len(vectors) == len(self.records) else None
        )
        self.has_vector = (
            np.any(self.vectors != 0, axis=1)
            if self.vectors is not None
            else np.zeros(len(self.records), dtype=bool)
        )
        self.all_have_vectors = bool(self.has_vector.all())
        if self.vectors is not None:
            default_embedder().warm()  # queries will need the model: load it now, not then
        self.sources = sources or SourceFacts()  # per-source facts, as fresh as the records
        self.lexicon = lexicon
        self.segmenter = segmenter
        self.restored = parts is not None  # True: the costly parts came from a snapshot
        self.corpus_key: str | None = None  # set by bot.search.persist
        if parts is None:
            parts = self._build()
        self.costly_parts = parts  # what bot.search.persist saves
        self.folded_titles = parts.folded_titles
        self.folded_texts = parts.folded_texts
        self.postings: Postings = parts.postings
        orgs = {record.org_short for record in self.records}
        folded_org = {org: fold_text(org) for org in orgs}
        self.folded_orgs = [folded_org[record.org_short] for record in self.records]
        self._positions = {record.id: i for i, record in enumerate(self.records)}
        # Record positions per filterable value ("org", "area", "source", "year"), made on the
        # first filtered query; and the masks of recent filters (a button narrows a search,
        # then pages through it: the same filters again).
        self._by_value: dict[str, dict[object, np.ndarray]] | None = None
        self._masks: dict[Filters, np.ndarray] = {}
        # Term vectors computed lately (bot.search.match.term_vectors), bounded by bytes.
        self.kept_vectors = KeptVectors(len(records))
        # Per record: its source id and its primary area (None: none), made on first use.
        self._tally_names: tuple[list[str], list[str | None]] | None = None
        # Folded fields with their offset maps, made when a result needs highlighting (holding
        # them for every record cost more memory than everything else together).
        self._folded = lru_cache(maxsize=FOLDED_CACHE)(self._fold_field)
        self.word_vocabulary = sorted(
            set(parts.postings.families["w"].terms) | self.segmenter.user_terms
        )
        self._sounds: dict[str, list[str]] = parts.sounds
        # The typo tables, built now rather than by the first query with a typo (that query
        # used to pay ~0.1-0.3 s for them).
        self._by_length: dict[tuple[int, bool], list[str]] | None = None
        self._near: dict[tuple[int, bool], list[str]] = {}
        self._char_tables: dict[tuple[int, bool], CharTable] = {}
        self.vocabulary_near(0, cjk=True)
        # Multi-word English terms of the data ("green bonds"), longest first, to spot whole.
        self.english_phrases = EnglishPhrases(
            term for term in lexicon.phrases() if term.isascii() and " " in term
        )

    @classmethod
    def build(
        cls,
        records: Sequence[IndexedRecord],
        lexicon: Lexicon | None = None,
        sources: SourceFacts | None = None,
        vectors: np.ndarray | None = None,
    ) -> SearchIndex:
        """Index `records`, teaching the segmenter the corpus's own names and the data's terms;
        `vectors` (one row per record) turn the semantic stage on."""
        lexicon = lexicon or load_lexicon()
        segmenter = Segmenter(_user_terms(records, lexicon))
        return cls(records, lexicon, segmenter, sources, vectors)

    @classmethod
    def restore(
        cls,
        records: Sequence[IndexedRecord],
        lexicon: Lexicon,
        parts: IndexParts,
        sources: SourceFacts | None = None,
        vectors: np.ndarray | None = None,
    ) -> SearchIndex:
        """The index of `records` from parts built earlier for the same records and lexicon."""
        segmenter = Segmenter.restored(parts.user_terms, parts.tokenizer)
        return cls(records, lexicon, segmenter, sources, vectors, parts)

    @classmethod
    def load(cls, session: Session, lexicon: Lexicon | None = None) -> SearchIndex:
        """Index every active recommendation in the store, with the facts of their sources and
        the vectors computed at ingest (never computed here). Always builds: see
        bot.search.persist.load_index for the start-up path that reuses a stored snapshot."""
        records, sources = read_corpus(session)
        return cls.build(records, lexicon, sources, load_vectors(session, records))

    def __len__(self) -> int:
        return len(self.records)

    def contains(self, folded_run: str) -> bool:
        """True when some record has every bigram of a Chinese run (cheap phrase test)."""
        if len(folded_run) == 1:
            return self.posting("c", folded_run) is not None
        postings: list[np.ndarray] = []
        for piece in grams(folded_run):
            posting = self.posting("g", piece)
            if posting is None:
                return False
            postings.append(posting.docs)
        if not postings:
            return False
        postings.sort(key=len)  # the rarest bigram first: the others are only looked up
        common = postings[0]
        for docs in postings[1:]:
            common = sorted_common(common, docs)
            if not len(common):
                return False
        return True

    def may_hold(self, folded: str) -> np.ndarray | None:
        """Positions (ascending) of the records that may hold `folded` as written in one of their
        fields: those with every bigram of its Chinese runs (the character of a one-character
        run). A superset, to narrow an exact substring test; None when `folded` has no Chinese
        (nothing to narrow by)."""
        lists: list[np.ndarray] = []
        for run in cjk_runs(folded):
            pieces = [("c", run)] if len(run) == 1 else [("g", gram) for gram in grams(run)]
            for family, piece in pieces:
                posting = self.posting(family, piece)
                if posting is None:
                    return np.zeros(0, dtype=np.int64)
                lists.append(posting.docs)
        if not lists:
            return None
        lists.sort(key=len)
        common = lists[0]
        for docs in lists[1:]:
            common = sorted_common(common, docs)
        return common

    def parts(self, term: str) -> list[str]:
        """Pieces covering a term left to right: at each place the longest indexed word other than
        the term itself, else one character (減免收費 → 減免, 收費; 電動車電池 → 電動車, 電池);
        [] for a one-character term."""
        words = self.postings.families.get("w")
        cover, position = [], 0
        while position < len(term):
            end = position + 1  # no indexed word starts here: one character
            if words is not None:
                for stop in range(len(term) - 1 if position == 0 else len(term), position + 1, -1):
                    if term[position:stop] in words:
                        end = stop
                        break
            cover.append(term[position:end])
            position = end
        return cover if len(cover) > 1 else []

    def vocabulary_near(self, length: int, *, cjk: bool) -> list[str]:
        """Vocabulary words within one character of `length` (Chinese or Latin), for typo
        matching; grouped once by length so a lookup does not scan the whole vocabulary. The
        list is shared between calls: do not modify it."""
        if self._by_length is None:
            self._by_length = defaultdict(list)
            for word in self.word_vocabulary:
                self._by_length[(len(word), is_cjk(word))].append(word)
        near = self._near.get((length, cjk))
        if near is None:  # kept: at 100 times the corpus each list takes milliseconds to make
            near = [
                w
                for size in (length - 1, length, length + 1)
                for w in self._by_length.get((size, cjk), [])
            ]
            self._near[(length, cjk)] = near
        return near

    def filter_mask(self, filters: Filters) -> np.ndarray:
        """True for every record the filters allow (read-only: shared between queries)."""
        mask = self._masks.get(filters)
        if mask is not None:
            return mask
        mask = np.ones(len(self.records), dtype=bool)
        if filters:
            by_value = self._values()
            for kind, wanted in (
                ("org", filters.orgs),
                ("area", filters.areas),
                ("source", filters.sources),
                ("year", filters.years),
            ):
                if not wanted:
                    continue
                allowed = np.zeros(len(self.records), dtype=bool)
                for value in wanted:
                    positions = by_value[kind].get(value)
                    if positions is not None:
                        allowed[positions] = True
                mask &= allowed
        mask.flags.writeable = False
        if len(self._masks) >= FILTER_MASKS:
            self._masks.pop(next(iter(self._masks)), None)  # the oldest
        self._masks[filters] = mask
        return mask

    def tally(self, positions: Sequence[int]) -> tuple[dict[str, int], dict[str, int]]:
        """How many of the records at `positions` come from each source, and have each primary
        area (the first of their areas), in order of first appearance."""
        if self._tally_names is None:
            self._tally_names = (
                [record.source_id for record in self.records],
                [record.areas[0] if record.areas else None for record in self.records],
            )
        source_of, area_of = self._tally_names
        # Counter counts in C and keeps the order in which it first met each name.
        by_source = Counter(map(source_of.__getitem__, positions))
        by_area = Counter(map(area_of.__getitem__, positions))
        return dict(by_source), {area: n for area, n in by_area.items() if area is not None}

    def _values(self) -> dict[str, dict[object, np.ndarray]]:
        if self._by_value is None:
            lists: dict[str, dict[object, list[int]]] = {
                kind: defaultdict(list) for kind in ("org", "area", "source", "year")
            }
            for position, record in enumerate(self.records):
                lists["org"][self.folded_orgs[position]].append(position)
                lists["source"][record.source_id].append(position)
                lists["year"][record.year].append(position)
                for area in set(record.areas):
                    lists["area"][area].append(position)
            self._by_value = {
                kind: {value: np.array(found, dtype=np.int64) for value, found in values.items()}
                for kind, values in lists.items()
            }
        return self._by_value

    def words_near(self, term: str, *, cjk: bool, cutoff: float) -> list[str]:
        """The words of `vocabulary_near(len(term), cjk=cjk)`, in its order, that share enough
        characters with `term` to reach a rapidfuzz score of `cutoff` (bot.search.fuzzy): the
        same matches for a fraction of the scoring."""
        self.vocabulary_near(0, cjk=cjk)  # the words grouped by length
        assert self._by_length is not None
        near: list[str] = []
        for size in (len(term) - 1, len(term), len(term) + 1):
            words = self._by_length.get((size, cjk))
            if not words:
                continue
            table = self._char_tables.get((size, cjk))
            if table is None:  # made on first use: milliseconds even at 100 times the corpus
                table = self._char_tables[(size, cjk)] = CharTable(words)
            near.extend(table.may_reach(term, cutoff))
        return near

    def homophones(self, term: str) -> list[str]:
        """Two-character vocabulary words that sound like `term` in Mandarin (any reading, tones
        ignored): 輕能 → 氫能, 按竭 → 按揭."""
        found = {word for key in sound_keys(term) for word in self._sounds.get(key, [])}
        return sorted(found - {term})

    def record_terms(self, position: int, limit: int = 30) -> list[tuple[str, float]]:
        """A record's most characteristic words (highest BM25 weight), recomputed on demand
        rather than stored for every record."""
        record = self.records[position]
        folded = fold_text(f"{record.title} {record.text}")
        weights: dict[str, float] = {}
        for word in set(self.segmenter.words(folded, for_index=True)):
            posting = self.posting("w", word)
            if posting is None or len(word) < 2:
                continue
            found = int(posting.docs.searchsorted(posting.docs.dtype.type(position)))
            if found < len(posting.docs) and posting.docs[found] == position:
                weights[word] = float(posting.weights[found])
        return sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def position_of(self, record_id: str) -> int | None:
        """The record's position in this index, or None."""
        return self._positions.get(record_id.strip().lower())

    def folded(self, field: str, position: int) -> Folded:
        """A record's folded title, text or cited paragraphs ("refs") with its offset map."""
        return self._folded(field if field in ("title", "refs") else "text", position)

    def _fold_field(self, field: str, position: int) -> Folded:
        record = self.records[position]
        bit = {"title": 1, "text": 2}.get(field, 0)
        if int(self.costly_parts.aligned[position]) & bit:  # folded character for character
            folded = self.folded_titles[position] if bit == 1 else self.folded_texts[position]
            return Folded(folded, tuple(range(len(folded) + 1)))
        return fold({"title": record.title, "refs": record.refs_text}.get(field, record.text))

    def surface_form(self, folded_term: str) -> str:
        """How the corpus writes a folded term (else the term in Traditional characters)."""
        holders = self.may_hold(folded_term)
        positions = range(len(self.records)) if holders is None else holders.tolist()
        for position in positions:
            record = self.records[position]
            for field, folded_text, original in (
                ("title", self.folded_titles[position], record.title),
                ("text", self.folded_texts[position], record.text),
            ):
                found = folded_text.find(folded_term)
                if found >= 0:
                    folded = self.folded(field, position)
                    start, end = folded.span(found, found + len(folded_term))
                    return original[start:end]
        return to_traditional(folded_term)

    def posting(self, family: str, term: str) -> Posting | None:
        """The posting list of a folded term in a token family ("w", "g" or "c")."""
        table = self.postings.families.get(family)
        return table.get(term) if table is not None else None

    def _build(self) -> IndexParts:
        """Fold every record's fields, then build the postings family by family."""
        titles: list[str] = []
        texts: list[str] = []
        aligned = np.zeros(len(self.records), dtype=np.uint8)
        for position, record in enumerate(self.records):
            for bit, (original, folded_texts) in enumerate(
                ((record.title, titles), (record.text, texts))
            ):
                folded = fold(original)
                folded_texts.append(folded.text)
                if folded.offsets == tuple(range(len(original) + 1)):
                    aligned[position] |= 1 << bit
        fields = [
            (title, text, fold_text(" ".join(record.section_path)), fold_text(record.refs_text))
            for record, title, text in zip(self.records, titles, texts, strict=True)
        ]
        tokenizers: dict[str, Tokenizer] = {
            "w": lambda folded: self.segmenter.words(folded, for_index=True),
            "g": grams,
            "c": chars,
            "n": numbers,
        }
        postings = Postings(
            {family: build_family(fields, tokenizers[family]) for family in FAMILIES}
        )
        vocabulary = set(postings.families["w"].terms) | self.segmenter.user_terms
        return IndexParts(
            folded_titles=titles,
            folded_texts=texts,
            aligned=aligned,
            postings=postings,
            user_terms=sorted(self.segmenter.user_terms),
            sounds=sound_table(vocabulary),
            tokenizer=self.segmenter.tokenizer,
        )


def sorted_common(few: np.ndarray, many: np.ndarray) -> np.ndarray:
    """The values of `few` that are in `many` (both ascending and unique), found by binary search
    in `many`: the cost follows the shorter list, not the longer (a common bigram's postings hold
    most of a large corpus)."""
    if not len(few) or not len(many):
        return few[:0]
    found = np.minimum(np.searchsorted(many, few), len(many) - 1)
    return few[many[found] == few]


def sound_table(vocabulary: Iterable[str]) -> dict[str, list[str]]:
    """Two-character vocabulary words by their toneless Mandarin readings (for homophones)."""
    sounds: dict[str, list[str]] = defaultdict(list)
    for word in sorted(vocabulary):
        if len(word) == 2 and is_cjk(word):
            for key in sound_keys(word):
                sounds[key].append(word)
    return dict(sounds)


def read_corpus(session: Session) -> tuple[list[IndexedRecord], SourceFacts]:
    """Every active recommendation as IndexedRecord (in document order, as
    `list_recommendations` gives them), and the facts of the sources. Reads only the columns
    search needs, as plain rows: at 100 times the corpus, loading ORM objects cost seconds and
    memory that stayed fragmented."""
    sources = list_sources(session)
    by_id = {source.id: (source, source.year, source.period) for source in sources}
    statement = (
        select(
            Recommendation.id,
            Recommendation.source_id,
            Recommendation.areas,
            Recommendation.label,
            Recommendation.title,
            Recommendation.text,
            Recommendation.section_path,
            Recommendation.refs,
        )
        .join(Recommendation.source)
        .where(Recommendation.withdrawn.is_(False))
        .order_by(Source.date, Source.id, Recommendation.position)
    )
    records = []
    rows = session.execute(statement.execution_options(yield_per=1000))  # not all rows at once
    for rec_id, source_id, areas, label, title, text, section_path, refs in rows:
        source, year, period = by_id[source_id]
        records.append(
            IndexedRecord(
                id=rec_id,
                source_id=source_id,
                org=source.org,
                org_short=source.org_short,
                org_short_en=source.org_short_en,
                year=year,
                period=period,
                areas=tuple(areas),
                label=label,
                title=title,
                text=text,
                section_path=tuple(section_path),
                refs_text="\n".join(ref["text"] for ref in refs),
            )
        )
    return records, SourceFacts.of(sources)


def _user_terms(records: Iterable[IndexedRecord], lexicon: Lexicon) -> set[str]:
    terms: set[str] = set(lexicon.synonyms) | set(lexicon.orgs)
    for targets in lexicon.glossary.values():
        terms.update(targets)
    for record in records:
        terms.update(quoted_terms(record.title))
        terms.update(quoted_terms(record.text))
    return terms
