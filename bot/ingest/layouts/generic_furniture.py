"""Running headers and footers of any document, found by where and how they repeat, not by
what they say: the generic parser drops them (see `page_edge_lines` in data/layouts.yaml).

With pages (a PDF's form feeds): a line among the first or last few lines of a page whose shape
(digits and whitespace aside, so "Page 3" and "Page 4" are one) stands at the edge of at least
half the pages, and of two at least. Without pages (a plain text, a Word file): a line too long
for the short-line count, repeated verbatim at a regular spacing and not ending like a sentence.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from itertools import pairwise

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。！？；.!?;]$")
MIN_SPACING = 3  # lines between two repeats of a header: fewer is content, not a page


def shape(text: str) -> str:
    """A line with its numbers and whitespace neutralised: what repeats from page to page."""
    return _SPACE.sub("", _DIGITS.sub("0", text)).casefold()


def page_edge_furniture(texts: list[str], pages_of: list[int], edge: int) -> set[int]:
    """Indexes of the lines (`texts`, on pages `pages_of`) at a page's edges whose shape recurs
    there."""
    pages: dict[int, list[int]] = defaultdict(list)
    for index, page in enumerate(pages_of):
        pages[page].append(index)
    if len(pages) < 2 or edge <= 0:
        return set()
    edges = [set(indexes[:edge] + indexes[-edge:]) for indexes in pages.values()]
    seen: Counter[str] = Counter()
    for indexes in edges:
        seen.update({shape(texts[index]) for index in indexes})
    need = max(2, math.ceil(len(pages) / 2))
    return {i for indexes in edges for i in indexes if seen[shape(texts[i])] >= need}


def regular_repeats(texts: list[str], min_count: int, min_chars: int) -> set[str]:
    """Lines longer than `min_chars` repeated at least `min_count` times, never closer than
    MIN_SPACING lines and at most twice as far apart as their closest repeats (pages of about
    one length), that do not end like a sentence."""
    positions: dict[str, list[int]] = defaultdict(list)
    for index, text in enumerate(texts):
        if len(text) > min_chars and not _SENTENCE_END.search(text):
            positions[text].append(index)
    found = set()
    for text, at in positions.items():
        if len(at) < max(min_count, 2):
            continue
        gaps = [later - earlier for earlier, later in pairwise(at)]
        if min(gaps) >= MIN_SPACING and max(gaps) <= 2 * min(gaps):
            found.add(text)
    return found
