"""jieba's word frequencies as two sorted arrays, for a process that restores a saved index.

jieba keeps its dictionary (about 500 000 words and prefixes) as a Python dict, loaded from its
own cache at every start: 0.5-1 s and some 60 MB, more than everything else a warm start of the
command line needs. Segmenting only asks the table four things (`in`, `[]`, `get`, and `[] =` when
a word is taught), so a restored index's tokenizer gets this table instead: a 64-bit hash of each
word (blake2b), sorted, and its frequency, saved with the index; lookups are binary searches.
Segmentation is unchanged (same words, same frequencies, same total; a hash collision would be
refused when the table is made, and a false match of an unknown fragment has odds of about 1 in
10^13 per lookup). jieba is pinned to 0.42 in pyproject.toml: its tokenizer reads `FREQ` and
`total` only as above."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import jieba
import numpy as np

ABSENT = -1  # a count no word has
LOOKED_UP = 4096  # words whose lookups are kept (a few hundred kilobytes)


def word_hash(word: str) -> int:
    """The word's 64-bit key in the table."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


class FrequencyTable:
    """jieba's FREQ, read-only arrays plus the words taught since (a small dict)."""

    def __init__(self, hashes: np.ndarray, counts: np.ndarray) -> None:
        if len(hashes) != len(counts):
            raise ValueError("frequency table sizes disagree")
        if len(hashes) > 1 and bool(np.any(hashes[1:] <= hashes[:-1])):
            raise ValueError("frequency table not sorted")
        self.hashes = hashes  # uint64, ascending
        self.counts = counts  # int64
        self.added: dict[str, int] = {}
        # Words looked up lately → count (ABSENT when not in the table). jieba asks about the
        # same fragments several times while cutting one text (`in`, then `[]`, then `get` for
        # the route), each a hash and a binary search otherwise. Emptied when full.
        self._looked_up: dict[str, int] = {}

    @classmethod
    def of(cls, frequencies: Mapping[str, int] | FrequencyTable) -> FrequencyTable:
        """The table of a plain dict (ValueError on a hash collision)."""
        if isinstance(frequencies, FrequencyTable):
            return frequencies.merged()
        hashes = np.fromiter(
            (word_hash(word) for word in frequencies), dtype=np.uint64, count=len(frequencies)
        )
        counts = np.fromiter(frequencies.values(), dtype=np.int64, count=len(frequencies))
        order = np.argsort(hashes, kind="stable")
        return cls(hashes[order], counts[order])  # a collision fails the ascending check

    def merged(self) -> FrequencyTable:
        """One table with the taught words folded into the arrays."""
        if not self.added:
            return self
        extra = FrequencyTable.of(self.added)
        keep = ~np.isin(self.hashes, extra.hashes)  # a taught word replaces its old count
        hashes = np.concatenate([self.hashes[keep], extra.hashes])
        counts = np.concatenate([self.counts[keep], extra.counts])
        order = np.argsort(hashes, kind="stable")
        return FrequencyTable(hashes[order], counts[order])

    def _position(self, word: str) -> int:
        key = np.uint64(word_hash(word))
        found = int(self.hashes.searchsorted(key))  # key typed as the array: else ~7 µs
        return found if found < len(self.hashes) and self.hashes[found] == key else -1

    def _count(self, word: str) -> int:
        """The word's count in the arrays, ABSENT when it is not there."""
        count = self._looked_up.get(word)
        if count is None:
            found = self._position(word)
            count = ABSENT if found < 0 else int(self.counts[found])
            if len(self._looked_up) >= LOOKED_UP:
                self._looked_up.clear()
            self._looked_up[word] = count
        return count

    def get(self, word: str, default: Any = None) -> Any:
        """The word's frequency (0 for a prefix of a word), else `default`."""
        if word in self.added:
            return self.added[word]
        count = self._count(word)
        return default if count == ABSENT else count

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self.added or self._count(word) != ABSENT)

    def __getitem__(self, word: str) -> int:
        found = self.get(word)
        if found is None:
            raise KeyError(word)
        return int(found)

    def __setitem__(self, word: str, count: int) -> None:
        self.added[word] = count

    def __len__(self) -> int:
        return len(self.hashes) + len(self.added)


def tokenizer_with(table: FrequencyTable, total: int) -> jieba.Tokenizer:
    """A jieba tokenizer reading `table`, without loading jieba's own dictionary."""
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = table
    tokenizer.total = total
    tokenizer.initialized = True
    return tokenizer
