"""On an SQLite file the claim runs on the event loop when the write lock is free, and in a worker
thread, waiting, when another writer holds it; the loop is never blocked and the claim still
counts once."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import text

from bot.store.db import (
    inline_claim_sessions,
    is_lock_held,
    make_engine,
    make_sessions,
    migrate,
)
from bot.store.deferred_writes import DeferredWrites
from bot.store.update_claims import UpdateClaims
from handlers.processing import ClaimingUpdateProcessor


def _store(tmp_path: Path) -> tuple[Path, ClaimingUpdateProcessor]:
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    sessions = make_sessions(engine)
    inline = inline_claim_sessions(sessions)
    assert inline is not None
    with inline() as session:  # never waits, never checkpoints
        assert session.execute(text("PRAGMA busy_timeout")).scalar_one() == 0
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar_one() == 0
    processor = ClaimingUpdateProcessor(
        UpdateClaims(sessions, 16), DeferredWrites(sessions, 90), 16
    )
    return path, processor


async def test_free_lock_claims_on_the_loop_once(tmp_path: Path) -> None:
    _, processor = _store(tmp_path)
    assert await processor._claim(7, 70)
    assert not await processor._claim(7, 70)  # a second delivery: a duplicate


async def test_held_lock_claims_in_a_thread_without_blocking_the_loop(tmp_path: Path) -> None:
    path, processor = _store(tmp_path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer (a digest run, say) holds the lock
    try:
        with_lock = asyncio.create_task(processor._claim(8, 80))
        ticks = 0
        for _ in range(20):  # the loop keeps running while the claim waits
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 20 and not with_lock.done()
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert await asyncio.wait_for(with_lock, 5)
    assert not await processor._claim(8, 80)


def test_only_a_held_lock_counts_as_one() -> None:
    from sqlalchemy.exc import OperationalError

    locked = OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    other = OperationalError("INSERT", {}, sqlite3.OperationalError("no such table: x"))
    assert is_lock_held(locked) and not is_lock_held(other)
    assert not is_lock_held(ValueError("locked"))


def test_no_inline_claim_without_an_sqlite_file() -> None:
    memory = make_sessions(make_engine("sqlite://"))
    assert inline_claim_sessions(memory) is None
