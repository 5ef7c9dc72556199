"""Answers to searches asked lately, per index: the same query with the same page, filters and
language is answered again without searching.

Members repeat searches: inline mode asks again at every keystroke that comes back to a text and
for every page, a group discussing one topic sends the same words, a button re-runs a saved
search. An answer depends only on the index and the arguments, so it is kept per index (a
rebuilt index starts empty: nothing stale is served, and an old index's answers go with it) in a
small least-recently-used table. Only its `elapsed_ms` is new on a repeat.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

DEFAULT_SIZE = 256

Answer = TypeVar("Answer")


class RecentAnswers(Generic[Answer]):
    """A least-recently-used table of answers, keyed per index object (held weakly)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = max(0, size)
        self._lock = threading.Lock()  # searches run on the event loop and in worker threads
        self._tables: weakref.WeakKeyDictionary[object, OrderedDict[Hashable, Answer]] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def size(self) -> int:
        """How many answers are kept per index (0: none)."""
        return self._size

    def resize(self, size: int) -> None:
        """Keep at most `size` answers per index from now on (0 turns the table off)."""
        with self._lock:
            self._size = max(0, size)
            for table in self._tables.values():
                while len(table) > self._size:
                    table.popitem(last=False)

    def get(self, index: object, key: Hashable) -> Answer | None:
        """The answer kept for `key` on `index`, else None."""
        if not self._size:
            return None
        with self._lock:
            table = self._tables.get(index)
            if table is None:
                return None
            found = table.get(key)
            if found is not None:
                table.move_to_end(key)
            return found

    def put(self, index: object, key: Hashable, answer: Answer) -> None:
        """Keep an answer (the least recently used one goes when the table is full)."""
        if not self._size:
            return
        with self._lock:
            table = self._tables.get(index)
            if table is None:
                table = self._tables[index] = OrderedDict()
            table[key] = answer
            table.move_to_end(key)
            while len(table) > self._size:
                table.popitem(last=False)
