"""Lossless clean-up of text extracted from PDFs.

Every function here keeps every non-whitespace character of its input, in order (bullet glyphs
are mapped to "•"); only whitespace is added or removed. Dropping whole lines (page numbers,
running headers) is a separate, explicit step: `is_page_furniture`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core.cjk import IDEOGRAPHS_BMP

# Full-width / CJK punctuation and symbols that never take a space beside them.
CJK_PUNCT = "\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201d\u2026\u2027\ufe30-\ufe6f"

# Glyphs that PDF extraction leaves where the document had a bullet.
BULLET_GLYPHS = (
    "\uf06c\uf0d8\uf0b7\uf0a7\uf076\uf0fc"  # Wingdings/Symbol private-use glyphs
    "\u2022\u25cf\u25aa\u25a0\u25c6\u27a2\u2023\u2043"
)
BULLET = "•"

_WHITESPACE = re.compile(r"[\s\u3000\u00a0\u200b]+")
_SPACE_BESIDE_PUNCT = re.compile(rf"(?<=[{CJK_PUNCT}]) | (?=[{CJK_PUNCT}])")
# Three or more single ideographs separated by single spaces: letter-spaced text.
_LETTER_SPACED = re.compile(rf"(?<![^ ])[{IDEOGRAPHS_BMP}](?: [{IDEOGRAPHS_BMP}]){{2,}}(?![^ ])")
_LEADING_BULLET = re.compile(rf"^[{BULLET_GLYPHS}]\s*")
_PAGE_NUMBER = re.compile(
    r"^(?:-\s*)?\d{1,3}(?:\s*-)?$"  # "7", "- 7 -"
    r"|^第\s*\d{1,3}\s*頁$"  # "第 7 頁"
    r"|^\d{1,3}\s*/\s*\d{1,3}$"  # "7/30"
)
_SENTENCE_END = re.compile(r"[。！？；：]$")


def is_ideograph(char: str) -> bool:
    """True for a Han ideograph."""
    return bool(re.match(f"[{IDEOGRAPHS_BMP}]", char))


def is_cjk_punct(char: str) -> bool:
    """True for full-width punctuation: no space goes beside it."""
    return bool(re.match(f"[{CJK_PUNCT}]", char))


def normalize_line(line: str) -> str:
    """One physical line: trim, collapse whitespace, undo letter-spacing, mark a leading bullet."""
    text = _WHITESPACE.sub(" ", line).strip()
    bullet = _LEADING_BULLET.match(text)
    if bullet:
        text = BULLET + " " + text[bullet.end() :]
    text = _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)
    head, body = (text[:2], text[2:]) if bullet else ("", text)
    return head + _SPACE_BESIDE_PUNCT.sub("", body)


def is_page_furniture(line: str) -> bool:
    """A line that is only a page number ("7", "- 7 -", "第 7 頁", "7/30")."""
    return bool(_PAGE_NUMBER.match(line.strip()))


def join_two(left: str, right: str) -> str:
    """Join a line broken by the PDF.

    No space between two ideographs or beside full-width punctuation; one space between Latin
    words and between Latin and Chinese ("BUD 專項基金"), as the documents write it inline.
    """
    if not left:
        return right
    if not right:
        return left
    both_ideographs = is_ideograph(left[-1]) and is_ideograph(right[0])
    if both_ideographs or is_cjk_punct(left[-1]) or is_cjk_punct(right[0]):
        return left + right
    return left + " " + right


def ends_sentence(line: str) -> bool:
    """True when a normalized line ends with sentence-final punctuation."""
    return bool(_SENTENCE_END.search(line.strip()))


def format_body(lines: Iterable[str]) -> str:
    """Turn the physical lines of a body into paragraphs and list items.

    A bullet glyph starts a list item ("• …" on its own line); other lines join the paragraph
    or item they continue. Blank lines are ignored: in these extractions every physical line is
    followed by one, so they carry no meaning.
    """
    blocks: list[str] = []
    for raw in lines:
        line = normalize_line(raw)
        if not line:
            continue
        if line.startswith(BULLET + " ") or not blocks:
            blocks.append(line)
        else:
            blocks[-1] = join_two(blocks[-1], line)
    return "\n".join(blocks)


def non_space(text: str) -> str:
    """Every non-whitespace character, bullets folded to "•": the invariant the cleaner keeps."""
    folded = re.sub(f"[{BULLET_GLYPHS}]", BULLET, text)
    return _WHITESPACE.sub("", folded)
