"""The search index a running process serves, rebuilt when the corpus changes (an ingest by this
process or by another replica bumps the corpus version row, which is checked cheaply). Every load
goes through bot.search.persist: an unchanged corpus is loaded from its stored snapshot, so only
the first replica to see a new corpus builds it.

The periodic check and any rebuild it leads to run in a worker thread: the caller (the event
loop, answering members) always gets the current index at once, the new one is built beside it
and swapped in with one assignment when complete. Only the very first build, at start-up, and
an explicit `refresh` (run by its callers in a thread) happen on the calling thread."""

from __future__ import annotations

import logging
import threading
import time

from bot.search.index import SearchIndex
from bot.search.persist import load_index
from bot.store.corpus import corpus_version
from bot.store.db import SessionFactory

log = logging.getLogger(__name__)

REBUILD_THREAD = "search-index-rebuild"


class LiveIndex:
    """Hands out the current SearchIndex; checks the corpus version at most every `interval`s."""

    def __init__(
        self, sessions: SessionFactory, interval: float = 30.0, index: SearchIndex | None = None
    ) -> None:
        self._sessions = sessions
        self._interval = interval
        self._lock = threading.Lock()  # one build at a time
        self._index = index  # a prebuilt index of the same corpus (tests, warm starts)
        self._version: str | None = None
        self._checked = time.monotonic() if index is not None else 0.0
        self._checking: threading.Thread | None = None
        if index is not None:
            with sessions() as session:
                self._version = corpus_version(session)

    @property
    def loaded(self) -> bool:
        """True once an index has been built."""
        return self._index is not None

    def get(self) -> SearchIndex:
        """The current index. Past the interval, a worker thread checks the corpus version and
        rebuilds if it changed; until that is done the current index keeps answering."""
        index = self._index
        if index is None:  # start-up: nothing to answer with yet
            self.refresh()
            index = self._index
            assert index is not None
            return index
        if time.monotonic() - self._checked >= self._interval:
            self._check_in_background()
        return index

    def _check_in_background(self) -> None:
        if self._checking is not None and self._checking.is_alive():
            return
        self._checked = time.monotonic()  # the next check waits a whole interval
        self._checking = threading.Thread(target=self._check, name=REBUILD_THREAD, daemon=True)
        self._checking.start()

    def _check(self) -> None:
        try:
            self.refresh()
        except Exception:  # store unreachable or a bad record: keep serving the old index
            log.warning("could not check or rebuild the search index", exc_info=True)

    def refresh(self, force: bool = False) -> bool:
        """Rebuild if the stored corpus version differs (or `force`); True if rebuilt. Blocking:
        the new index is built while the old one serves, then replaces it in one assignment."""
        with self._lock:
            self._checked = time.monotonic()
            with self._sessions() as session:
                version = corpus_version(session)
            if not force and self._index is not None and version == self._version:
                return False
            started = time.perf_counter()
            index = load_index(self._sessions)  # the stored snapshot when the corpus has one
            index.homophones("")  # loads pypinyin now (0.3 s), not on a member's first typo
            self._index, self._version = index, version
            log.info(
                "search index %s: %d records in %.2fs (corpus %s)",
                "loaded" if index.restored else "built",
                len(index),
                time.perf_counter() - started,
                version,
            )
            return True
