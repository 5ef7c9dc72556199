"""The search index a running process serves, rebuilt when the corpus changes (an ingest by this
process or by another replica bumps the corpus version row, which is checked cheaply)."""

from __future__ import annotations

import logging
import threading
import time

from bot.search.index import SearchIndex
from bot.store.corpus import corpus_version
from bot.store.db import SessionFactory

log = logging.getLogger(__name__)


class LiveIndex:
    """Hands out the current SearchIndex; checks the corpus version at most every `interval`s."""

    def __init__(
        self, sessions: SessionFactory, interval: float = 30.0, index: SearchIndex | None = None
    ) -> None:
        self._sessions = sessions
        self._interval = interval
        self._lock = threading.Lock()
        self._index = index  # a prebuilt index of the same corpus (tests, warm starts)
        self._version: str | None = None
        self._checked = time.monotonic() if index is not None else 0.0
        if index is not None:
            with sessions() as session:
                self._version = corpus_version(session)

    @property
    def loaded(self) -> bool:
        """True once an index has been built."""
        return self._index is not None

    def get(self) -> SearchIndex:
        """The index, rebuilt first if the corpus changed since it was built."""
        now = time.monotonic()
        if self._index is None or now - self._checked >= self._interval:
            self.refresh()
        assert self._index is not None
        return self._index

    def refresh(self, force: bool = False) -> bool:
        """Rebuild if the stored corpus version differs (or `force`); True if rebuilt."""
        with self._lock:
            self._checked = time.monotonic()
            with self._sessions() as session:
                version = corpus_version(session)
                if not force and self._index is not None and version == self._version:
                    return False
                started = time.perf_counter()
                self._index = SearchIndex.load(session)
            self._version = version
            log.info(
                "search index built: %d records in %.2fs (corpus %s)",
                len(self._index),
                time.perf_counter() - started,
                version,
            )
            return True
