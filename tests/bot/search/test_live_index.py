"""The live search index: a corpus change seen by the periodic check is rebuilt in a worker
thread while the old index keeps answering, then swapped in whole."""

from __future__ import annotations

import threading
import time

import pytest

from bot.ingest.pipeline import ingest
from bot.search import SearchIndex
from bot.search.engine import search
from bot.search.live import REBUILD_THREAD, LiveIndex
from bot.store.corpus import bump_corpus_version
from bot.store.db import SessionFactory
from bot.store.models import utcnow

pytestmark = pytest.mark.db


def test_a_changed_corpus_is_rebuilt_beside_the_old_index(
    sessions: SessionFactory, search_index: SearchIndex
) -> None:
    ingest(sessions)
    live = LiveIndex(sessions, interval=0.0, index=search_index)
    with sessions.begin() as session:
        bump_corpus_version(session, utcnow())
    started = time.perf_counter()
    during = live.get()
    assert time.perf_counter() - started < 0.2  # the caller (the event loop) never builds
    assert during is search_index  # the old index answers meanwhile
    assert search(during, "中試").results
    deadline = time.monotonic() + 30
    while live.get() is search_index and time.monotonic() < deadline:
        time.sleep(0.05)
    rebuilt = live.get()
    assert rebuilt is not search_index
    assert len(rebuilt) == len(search_index)
    for thread in threading.enumerate():  # let a last check finish before the store goes
        if thread.name == REBUILD_THREAD:
            thread.join(30)


def test_the_first_index_and_a_forced_refresh_are_built_at_once(sessions: SessionFactory) -> None:
    ingest(sessions)
    live = LiveIndex(sessions, interval=3600.0)
    assert not live.loaded
    first = live.get()  # start-up: nothing to answer with yet, so the caller waits
    assert live.loaded and len(first) > 0
    assert live.refresh(force=True)
    assert live.get() is not first
