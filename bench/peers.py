"""The systems compared: our engine (bot.search, a black box) and four baselines.

Every system has the same shape: `build(records)` indexes the records, `search(query, limit)`
returns record ids best first (an empty list means "no answer"), `close()` frees the index."""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from bench.common import quiet, release_memory, rss_mb
from bot.core.embedding import MODEL_NAME, default_embedder, embed_passages, passage_text
from bot.search import IndexedRecord, SearchIndex, search
from bot.search.engine import RECENT

FUZZ_CUTOFF = 60.0  # rapidfuzz partial_ratio: below this a record is not returned at all
FTS_MIN_PIECE = 3  # the trigram tokenizer cannot match anything shorter


def body(record: IndexedRecord) -> str:
    """What the baselines search: the title and the text."""
    return f"{record.title}\n{record.text}"


class System(ABC):
    """A search system under test."""

    name: str = ""
    description: str = ""

    def __init__(self) -> None:
        self.note = ""  # anything worth printing next to the system's results

    @abstractmethod
    def build(self, records: Sequence[IndexedRecord]) -> None:
        """Index the records (replacing any previous index)."""

    @abstractmethod
    def search(self, query: str, limit: int = 10) -> list[str]:
        """Record ids, best first; [] when the system finds nothing."""

    @abstractmethod
    def close(self) -> None:
        """Drop the index."""

    def answer(self, query: str, limit: int = 10) -> tuple[list[str], list[str]]:
        """Record ids that answer the query, and the closest proposals shown when none does
        (only our engine tells them apart; the peers have no "closest")."""
        return self.search(query, limit), []


class Ours(System):
    """bot.search: `SearchIndex.build` (with the records' vectors) and `search`."""

    name = "ours"
    description = "bot.search: fused + decision"
    semantic = True  # the index gets the records' vectors
    decide = True  # the answer/no-answer decision runs

    def __init__(self) -> None:
        super().__init__()
        self.index: SearchIndex | None = None
        RECENT.resize(0)  # every query searched: repeats measure the engine, not a table

    def build(self, records: Sequence[IndexedRecord]) -> None:
        vectors = record_vectors(records) if self.semantic else None
        try:
            self.index = SearchIndex.build(records, vectors=vectors)
        except FileNotFoundError as error:
            # The search vocabulary (data/synonyms.yaml, ...) may not be written yet.
            from bot.search.lexicon import Lexicon

            self.note = f"empty lexicon ({error})"
            self.index = SearchIndex.build(records, Lexicon(), vectors=vectors)

    def search(self, query: str, limit: int = 10) -> list[str]:
        return self.answer(query, limit)[0]

    def answer(self, query: str, limit: int = 10) -> tuple[list[str], list[str]]:
        assert self.index is not None, "build() first"
        found = search(self.index, query, limit=limit, decide=self.decide)
        return [r.record.id for r in found.results], [r.record.id for r in found.closest]

    def close(self) -> None:
        self.index = None


class OursLexical(Ours):
    """Our engine as it was: no vectors, so no semantic stage and no closest."""

    name = "lexical"
    description = "bot.search: lexical only"
    semantic = False


class OursFused(Ours):
    """Lexical and semantic fused, every query answered (the decision off)."""

    name = "fused"
    description = "bot.search: fused, no decision"
    decide = False


class Semantic(System):
    """The semantic stage alone: records by cosine to the query, top `limit`, always."""

    name = "semantic"
    description = f"cosine only ({MODEL_NAME})"

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.vectors: np.ndarray | None = None

    def build(self, records: Sequence[IndexedRecord]) -> None:
        self.ids = [record.id for record in records]
        self.vectors = record_vectors(records)

    def search(self, query: str, limit: int = 10) -> list[str]:
        assert self.vectors is not None, "build() first"
        cosines = self.vectors @ default_embedder().query(query)
        return [self.ids[i] for i in np.argsort(-cosines, kind="stable")[:limit]]

    def close(self) -> None:
        self.vectors = None


EMBED_COPIES = False  # --embed-copies: embed synthetic copies too (about an hour at 100x)


def record_vectors(records: Sequence[IndexedRecord]) -> np.ndarray:
    """The records' vectors as ingest computes them (read from the on-disk cache). A synthetic
    copy (id `<id>~<n>`) carries its original's vector unless EMBED_COPIES: embedding 35 700
    passages takes about an hour, and search and start-up cost do not depend on the values."""
    if EMBED_COPIES:
        return embed_passages([passage_text(record.title, record.text) for record in records])
    originals = [record for record in records if "~" not in record.id]
    computed = embed_passages([passage_text(record.title, record.text) for record in originals])
    row_of = {record.id: row for row, record in enumerate(originals)}
    rows = [row_of.get(record.id.split("~")[0], -1) for record in records]
    vectors = np.zeros((len(records), computed.shape[1]), dtype=np.float32)
    known = np.array([row >= 0 for row in rows], dtype=bool)
    vectors[known] = computed[[row for row in rows if row >= 0]]
    return vectors


class Like(System):
    """SQLite `LIKE '%query%'` over title || text, the query exactly as typed, document order."""

    name = "like"
    description = "SQLite LIKE substring, document order"

    def __init__(self) -> None:
        super().__init__()
        self.db: sqlite3.Connection | None = None

    def build(self, records: Sequence[IndexedRecord]) -> None:
        self.close()
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE TABLE docs (position INTEGER PRIMARY KEY, id TEXT, body TEXT)")
        self.db.executemany(
            "INSERT INTO docs (position, id, body) VALUES (?, ?, ?)",
            ((i, record.id, body(record)) for i, record in enumerate(records)),
        )
        self.db.commit()

    def search(self, query: str, limit: int = 10) -> list[str]:
        assert self.db is not None, "build() first"
        if not query:
            return []
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.db.execute(
            "SELECT id FROM docs WHERE body LIKE ? ESCAPE '\\' ORDER BY position LIMIT ?",
            (f"%{escaped}%", limit),
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


class Fuzz(System):
    """rapidfuzz `partial_ratio(query, title + text)` over every record, kept above a cutoff."""

    name = "fuzz"
    description = f"rapidfuzz partial_ratio >= {FUZZ_CUTOFF:g}"

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.bodies: list[str] = []

    def build(self, records: Sequence[IndexedRecord]) -> None:
        self.ids = [record.id for record in records]
        self.bodies = [body(record) for record in records]

    def search(self, query: str, limit: int = 10) -> list[str]:
        from rapidfuzz import fuzz, process

        matches = process.extract(
            query, self.bodies, scorer=fuzz.partial_ratio, limit=limit, score_cutoff=FUZZ_CUTOFF
        )
        return [self.ids[position] for _, _, position in matches]

    def close(self) -> None:
        self.ids, self.bodies = [], []


def fts_expression(query: str) -> str:
    """Whitespace pieces of >= 3 characters, each a quoted phrase, OR-ed ("" if none is left)."""
    pieces = [piece for piece in query.split() if len(piece) >= FTS_MIN_PIECE]
    return " OR ".join('"' + piece.replace('"', '""') + '"' for piece in pieces)


class Fts5(System):
    """SQLite FTS5, trigram tokenizer over title and text, ranked by bm25()."""

    name = "fts5"
    description = "SQLite FTS5 trigram, bm25()"

    def __init__(self) -> None:
        super().__init__()
        self.db: sqlite3.Connection | None = None

    def build(self, records: Sequence[IndexedRecord]) -> None:
        self.close()
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='trigram')"
        )
        self.db.executemany(
            "INSERT INTO docs (id, title, text) VALUES (?, ?, ?)",
            ((record.id, record.title, record.text) for record in records),
        )
        self.db.commit()

    def search(self, query: str, limit: int = 10) -> list[str]:
        assert self.db is not None, "build() first"
        expression = fts_expression(query)
        if not expression:
            return []
        rows = self.db.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
            (expression, limit),
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


class Whoosh(System):
    """Whoosh (whoosh-reloaded) in RAM with jieba's ChineseAnalyzer on title and text, BM25F,
    the query parsed by a MultifieldParser with OR grouping."""

    name = "whoosh"
    description = "Whoosh + jieba ChineseAnalyzer, BM25F, OR"

    def __init__(self) -> None:
        super().__init__()
        self.searcher: Any = None
        self.parser: Any = None

    def build(self, records: Sequence[IndexedRecord]) -> None:
        quiet()
        from jieba.analyse import ChineseAnalyzer
        from whoosh import scoring
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.filedb.filestore import RamStorage
        from whoosh.qparser import MultifieldParser, OrGroup

        self.close()
        analyzer = ChineseAnalyzer()
        schema = Schema(
            id=ID(stored=True), title=TEXT(analyzer=analyzer), text=TEXT(analyzer=analyzer)
        )
        index = RamStorage().create_index(schema)
        writer = index.writer()
        for record in records:
            writer.add_document(id=record.id, title=record.title, text=record.text)
        writer.commit()
        self.searcher = index.searcher(weighting=scoring.BM25F())
        self.parser = MultifieldParser(["title", "text"], schema, group=OrGroup)

    def search(self, query: str, limit: int = 10) -> list[str]:
        assert self.searcher is not None, "build() first"
        try:
            parsed = self.parser.parse(query)
            return [hit["id"] for hit in self.searcher.search(parsed, limit=limit)]
        except Exception:  # the query syntax (field:, quotes, AND/OR) can trip the parser
            return []

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
        self.searcher = self.parser = None


def describe(error: BaseException) -> str:
    """A one-line description of an exception, for a table note."""
    return f"{type(error).__name__}: {error}".splitlines()[0][:120]


def safe_search(system: System, query: str, limit: int = 10) -> tuple[list[str], str | None]:
    """The system's answer, or ([], the error) when it raises (an engine under active editing
    must not stop the benchmark of the others)."""
    try:
        return system.search(query, limit), None
    except Exception as error:
        return [], describe(error)


def safe_answer(
    system: System, query: str, limit: int = 10
) -> tuple[list[str], list[str], str | None]:
    """The system's answers and closest proposals, or ([], [], the error) when it raises."""
    try:
        answers, closest = system.answer(query, limit)
        return answers, closest, None
    except Exception as error:
        return [], [], describe(error)


def safe_build(system: System, records: Sequence[IndexedRecord]) -> str | None:
    """Build the system; the error's description if that fails."""
    try:
        system.build(records)
    except Exception as error:
        system.close()
        return describe(error)
    return None


SYSTEMS: dict[str, type[System]] = {
    system.name: system
    for system in (Ours, OursLexical, OursFused, Semantic, Like, Fuzz, Fts5, Whoosh)
}


def make_systems(names: str | None = None) -> list[System]:
    """Fresh systems by comma-separated name (default: all, ours first)."""
    chosen = [name.strip() for name in names.split(",")] if names else list(SYSTEMS)
    unknown = [name for name in chosen if name not in SYSTEMS]
    if unknown:
        raise SystemExit(f"unknown system(s): {', '.join(unknown)}; known: {', '.join(SYSTEMS)}")
    return [SYSTEMS[name]() for name in chosen]


def warm_up(systems: Sequence[System], records: Sequence[IndexedRecord]) -> float:
    """Build each system on a few records and query it once, so that one-off costs (imports,
    jieba's and OpenCC's dictionaries) are not charged to whichever system happens to go first.

    Returns the RSS (MiB) taken by jieba's global dictionary, which Whoosh's ChineseAnalyzer
    uses and which is therefore loaded here, not charged to Whoosh's index."""
    import jieba

    release_memory()
    before = rss_mb()
    jieba.initialize()
    release_memory()
    jieba_mb = rss_mb() - before
    sample = list(records[:30])
    for system in systems:
        if safe_build(system, sample) is None:
            safe_search(system, "香港 創科")
        system.close()
        system.note = ""
    return jieba_mb
