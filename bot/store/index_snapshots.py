"""Read and write search index snapshots (table `search_index_snapshots`): opaque bytes under a
key, stored in pieces of at most PART_BYTES so no single value gets large, checked by size and
sha256 when read back. The bytes' meaning belongs to bot.search."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from bot.store.models import SearchIndexSnapshot

PART_BYTES = 8 * 1024 * 1024
KEEP = 2  # snapshots kept: the newest, and one for a replica still running the previous corpus


class DamagedSnapshot(ValueError):
    """A stored snapshot is incomplete or does not match its digest."""


def read_snapshot(session: Session, key: str) -> bytearray | None:
    """The snapshot stored under `key`, None if there is none; DamagedSnapshot if its pieces
    are missing or their bytes do not match the recorded size and digest. Read one piece per
    statement, so at most one piece is held twice while copying."""
    head = session.execute(
        select(SearchIndexSnapshot.parts, SearchIndexSnapshot.size, SearchIndexSnapshot.digest)
        .where(SearchIndexSnapshot.key == key)
        .order_by(SearchIndexSnapshot.part)
        .limit(1)
    ).first()
    if head is None:
        return None
    parts, size, digest = head
    buffer = bytearray(size)
    filled = 0
    for part in range(parts):
        data = session.scalar(
            select(SearchIndexSnapshot.data).where(
                SearchIndexSnapshot.key == key, SearchIndexSnapshot.part == part
            )
        )
        if data is None or filled + len(data) > size:
            raise DamagedSnapshot(f"snapshot {key[:12]}: piece {part} missing or too long")
        buffer[filled : filled + len(data)] = data
        filled += len(data)
        del data
    if filled != size or hashlib.sha256(buffer).hexdigest() != digest:
        raise DamagedSnapshot(f"snapshot {key[:12]}: size or digest does not match")
    return buffer  # not copied into bytes: at 100x the corpus that is 170 MB more


def write_snapshot(session: Session, key: str, payload: bytes, now: datetime) -> None:
    """Store `payload` under `key` (the caller commits; a concurrent writer of the same key makes
    the commit fail with IntegrityError, which the caller may ignore: the content is the same)
    and drop all but the KEEP newest snapshots."""
    digest = hashlib.sha256(payload).hexdigest()
    parts = max(1, -(-len(payload) // PART_BYTES))
    for part in range(parts):
        session.execute(
            insert(SearchIndexSnapshot).values(
                key=key,
                part=part,
                parts=parts,
                size=len(payload),
                digest=digest,
                data=payload[part * PART_BYTES : (part + 1) * PART_BYTES],
                created_at=now,
            )
        )
    newest = (
        select(SearchIndexSnapshot.key)
        .group_by(SearchIndexSnapshot.key)
        .order_by(func.max(SearchIndexSnapshot.created_at).desc(), SearchIndexSnapshot.key)
        .limit(KEEP)
    )
    kept = set(session.scalars(newest)) | {key}
    session.execute(delete(SearchIndexSnapshot).where(SearchIndexSnapshot.key.not_in(kept)))


def drop_snapshot(session: Session, key: str) -> None:
    """Remove a (damaged) snapshot; the caller commits."""
    session.execute(delete(SearchIndexSnapshot).where(SearchIndexSnapshot.key == key))


def snapshot_keys(session: Session) -> list[str]:
    """The keys of the stored snapshots, newest first."""
    statement = (
        select(SearchIndexSnapshot.key)
        .group_by(SearchIndexSnapshot.key)
        .order_by(func.max(SearchIndexSnapshot.created_at).desc(), SearchIndexSnapshot.key)
    )
    return list(session.scalars(statement))
