"""Keep every active recommendation's sentence vector in the store, for semantic search.

Run at the end of each ingest: a record whose (model, embedded text) hash matches its stored
vector is left alone; the others are embedded (through the on-disk cache, so a fresh store on a
machine that has seen the corpus computes nothing) and saved."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.core.embedding import (
    Embedder,
    VectorCache,
    content_hash,
    default_embedder,
    embed_passages,
    passage_text,
    to_bytes,
)
from bot.store.corpus import list_recommendations
from bot.store.vectors import save_vectors, stored_vectors


def sync_vectors(
    session: Session, embedder: Embedder | None = None, cache: VectorCache | None = None
) -> int:
    """Embed the active records whose vector is missing or stale; returns how many were saved."""
    embedder = embedder or default_embedder()
    stored = stored_vectors(session, embedder.name)
    stale = []
    for row in list_recommendations(session):
        passage = passage_text(row.title, row.text)
        digest = content_hash(embedder.name, passage)
        if stored.get(row.id, ("", b""))[0] != digest:
            stale.append((row.id, digest, passage))
    if not stale:
        return 0
    vectors = embed_passages([passage for _, _, passage in stale], embedder, cache)
    rows = [
        (record_id, digest, to_bytes(vector))
        for (record_id, digest, _), vector in zip(stale, vectors, strict=True)
    ]
    save_vectors(session, embedder.name, rows)
    return len(stale)
