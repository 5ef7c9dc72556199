"""Text folding shared by the index and queries.

`fold` maps text to a canonical form for matching: NFKC (full/half width), case folding, Hong Kong
variants → standard Traditional → Simplified (a many-to-one fold, so Traditional, Simplified and
variant characters all meet), format characters (zero-width, bidi) dropped. It works character by
character and keeps an offset map, so a match in folded text can be highlighted in the original.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import opencc

_HK_TO_TRADITIONAL = opencc.OpenCC("hk2t")
_TRADITIONAL_TO_SIMPLIFIED = opencc.OpenCC("t2s")
_SIMPLIFIED_TO_HK = opencc.OpenCC("s2hk")


@dataclass(frozen=True)
class Folded:
    """Folded text plus, for each folded character, the index of its original character."""

    text: str
    offsets: tuple[int, ...]  # len(text) + 1 entries; the last one is len(original)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) that folded [start, end) came from."""
        return self.offsets[start], self.offsets[end - 1] + 1 if end > start else self.offsets[
            start
        ]


@cache
def fold_char(char: str) -> str:
    """The canonical form of one character ("" for format characters)."""
    if unicodedata.category(char) in ("Cf", "Cc", "Cs", "Co") and char not in "\t\n\r":
        return ""
    text = unicodedata.normalize("NFKC", char).casefold()
    if not text.isascii():
        text = _TRADITIONAL_TO_SIMPLIFIED.convert(_HK_TO_TRADITIONAL.convert(text))
    return " " if text.isspace() else text


def fold(text: str) -> Folded:
    """Fold `text`, keeping the offset map back to the original."""
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    offsets.append(len(text))
    return Folded("".join(pieces), tuple(offsets))


def fold_text(text: str) -> str:
    """Only the folded string."""
    return "".join(fold_char(char) for char in text)


def to_traditional(text: str) -> str:
    """Show a (possibly Simplified) query in Hong Kong Traditional characters."""
    return _SIMPLIFIED_TO_HK.convert(unicodedata.normalize("NFKC", text))


def fold_query(text: str) -> str:
    """A query as the feedback log keeps it: folded (script, width, case) with its spacing
    collapsed, so that 北部都會區, 北部都会区 and ＂北部都會區 ＂ are one query."""
    return " ".join(fold_text(text).split())
