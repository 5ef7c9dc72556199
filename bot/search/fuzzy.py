"""Typo matching without scoring the whole vocabulary: a word can only reach a fuzzy score if it
shares enough characters with the query's word, and a table of which words hold which characters
finds those words with a few array operations.

The bound holds for every rapidfuzz scorer built on the Indel distance (`ratio`,
`partial_ratio`, the token variants and `WRatio`, which takes the best of them, scaled by at most
1): each compares two strings, or pieces and rearrangements of their words, whose longest common
subsequence is at most c, the characters they share (counted with repeats), and scores at most
200·c / (m + c), where m is the shorter compared string's length; that is at least the length
of the shortest whitespace-separated word of either string, which is the m used here. So a word
whose c gives less than the cutoff cannot be in the answer, and leaving it out changes nothing:
the words kept stay in their order, so ties are broken as before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

_SLACK = 1e-6  # float rounding: keep a word exactly at the bound


class CharTable:
    """For one list of words: which words hold each character, and how many times."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = words
        size = len(words)
        lengths = np.fromiter((len(word) for word in words), dtype=np.int64, count=size)
        self.shortest = np.fromiter(
            (_shortest_word(word) for word in words), dtype=np.int64, count=size
        )
        codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype="<u4").astype(np.int64)
        owners = np.repeat(np.arange(size, dtype=np.int64), lengths)
        # One entry per (character, word), sorted by character then word, with its count.
        pairs, counts = np.unique(codes * max(size, 1) + owners, return_counts=True)
        characters = pairs // max(size, 1)
        self.owners = pairs % max(size, 1)
        self.counts = counts.astype(np.int64)
        self.characters, starts = np.unique(characters, return_index=True)
        self.starts = np.append(starts, len(pairs)).astype(np.int64)
        # Each character's entries, [start, end), found by a dict lookup rather than a binary
        # search and two array reads per character of the term.
        bounds = self.starts.tolist()
        self._entries = {
            chr(code): (bounds[at], bounds[at + 1])
            for at, code in enumerate(self.characters.tolist())
        }

    def shared(self, term: str) -> np.ndarray:
        """Per word: the characters it shares with `term`, counted with repeats."""
        common = np.zeros(len(self.words), dtype=np.int64)
        for character, times in Counter(term).items():
            entries = self._entries.get(character)
            if entries is None:
                continue
            start, end = entries
            common[self.owners[start:end]] += np.minimum(self.counts[start:end], times)
        return common

    def may_reach(self, term: str, cutoff: float) -> list[str]:
        """The words (in list order) whose shared characters allow a score of `cutoff` or more
        (`cutoff` > 0) against `term`; every word that reaches it is among them."""
        common = self.shared(term)
        sharing = np.flatnonzero(common)  # the bound is tested only where something is shared
        shorter = np.minimum(self.shortest[sharing], _shortest_word(term))
        keep = sharing[common[sharing] * (200.0 - cutoff) >= cutoff * shorter - _SLACK]
        return [self.words[i] for i in keep.tolist()]


def _shortest_word(text: str) -> int:
    """The length of the shortest whitespace-separated word (0 for none)."""
    return min((len(word) for word in text.split()), default=0)
