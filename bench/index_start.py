"""A replica's search index start-up at a given corpus size: cold (no snapshot: build and save)
and warm (the snapshot in the store is loaded), each timed with its resident memory growth, and
the warm index's query latency. Used by bench.search_speed.

The store is SQLite in a temporary directory: the real corpus ingested once, plus the synthetic
copies (bench.common.synthesize) inserted as recommendations of the same sources, each with the
vector bench.peers.record_vectors gives it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from bench.common import release_memory, rss_mb
from bench.peers import record_vectors
from bot.core.embedding import MODEL_NAME, content_hash, passage_text, to_bytes
from bot.search import IndexedRecord, SearchIndex, search
from bot.search.engine import RECENT
from bot.search.persist import load_index
from bot.store.db import make_engine, make_sessions, migrate
from bot.store.models import Recommendation, RecordVector, SearchIndexSnapshot

TOP = 10


@dataclass(frozen=True)
class StartMeasurement:
    """One way of starting (cold or warm) at one scale."""

    scale: int
    path: str  # "cold: build + save" or "warm: load snapshot"
    records: int
    seconds: float
    rss_mb: float
    snapshot_mb: float
    latencies_ms: tuple[float, ...] = ()


def base_store(directory: Path) -> Path:
    """The real corpus ingested into a SQLite file (done once per run)."""
    from bot.ingest.pipeline import ingest

    path = directory / "base.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
        ingest(make_sessions(engine))
    finally:
        engine.dispose()
    return path


def scaled_store(base: Path, records: Sequence[IndexedRecord], path: Path) -> Engine:
    """A copy of the base store with the synthetic records (ids `<id>~<n>`) added."""
    shutil.copyfile(base, path)
    engine = make_engine(f"sqlite:///{path}")
    copies = [record for record in records if "~" in record.id]
    if not copies:
        return engine
    vectors = record_vectors(copies)
    with engine.begin() as connection:
        originals = {
            row.id: row._asdict() for row in connection.execute(select(Recommendation.__table__))
        }
        rows, vector_rows = [], []
        for record, vector in zip(copies, vectors, strict=True):
            original, copy = record.id.split("~")
            row = dict(originals[original])
            row.update(
                id=record.id,
                key=f"{row['key']}~{copy}",
                label=record.label,
                title=record.title,
                text=record.text,
                position=row["position"] + 100_000 * int(copy),
            )
            rows.append(row)
            passage = passage_text(record.title, record.text)
            vector_rows.append(
                {
                    "record_id": record.id,
                    "model": MODEL_NAME,
                    "content_hash": content_hash(MODEL_NAME, passage),
                    "vector": to_bytes(vector),
                }
            )
        for start in range(0, len(rows), 2000):
            connection.execute(insert(Recommendation.__table__), rows[start : start + 2000])
            connection.execute(insert(RecordVector.__table__), vector_rows[start : start + 2000])
    return engine


def measure_start(
    scale: int, engine: Engine, runs: Sequence[str], budget_s: float
) -> list[StartMeasurement]:
    """Cold start (no snapshot), then warm start (snapshot), each in this process with the other
    index freed first; query latency on the warm index."""
    sessions = make_sessions(engine)
    measured = []
    for path in ("cold: build + save", "warm: load snapshot"):
        release_memory()
        before = rss_mb()
        started = time.perf_counter()
        index = load_index(sessions)
        seconds = time.perf_counter() - started
        release_memory()
        grown = rss_mb() - before
        with sessions() as session:
            size = session.scalar(select(func.sum(func.length(SearchIndexSnapshot.data)))) or 0
        latencies = _latencies(index, runs, budget_s) if index.restored else ()
        if path.startswith("warm") and not index.restored:
            path = "warm: REBUILT (snapshot not used)"
        measured.append(
            StartMeasurement(
                scale, path, len(index), seconds, grown, size / 2**20, tuple(latencies)
            )
        )
        del index
    return measured


def _latencies(index: SearchIndex, runs: Sequence[str], budget_s: float) -> list[float]:
    RECENT.resize(0)  # every query searched: repeats measure the engine, not a table
    latencies: list[float] = []
    spent = 0.0
    for query in runs:
        started = time.perf_counter()
        search(index, query, limit=TOP)
        elapsed = time.perf_counter() - started
        latencies.append(elapsed * 1000)
        spent += elapsed
        if spent > budget_s:
            break
    return latencies
