"""Reading a document's lines for the generic parser: the region to parse, page furniture,
paragraph signals and footnotes, as data/layouts.yaml says.

Footnotes: a number cut from the end of a line (the marker) whose text stands further down,
after a lone line holding the same number (at the page bottom). The footnote text runs from the
line after that lone number to the first line that ends with whitespace; it leaves the line
stream and is attached to the line that held the marker, so that the record holding that line
ends with it.

Every line that does not reach the tree is reported to a `Trace` with the reason, so that a test
can prove that nothing was dropped or reordered (`generic.trace`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from bot.ingest.clean import (
    BULLET_GLYPHS,
    ends_sentence,
    is_page_furniture,
    join_two,
    normalize_line,
)
from bot.ingest.layouts.generic_furniture import page_edge_furniture, regular_repeats
from bot.ingest.layouts.generic_rules import Footnotes, Rules

# Why a line (or part of one) is left out of the tree.
BEFORE_START, AFTER_STOP, FURNITURE = "before-start", "after-stop", "furniture"
FOOTNOTE_MARK, FOOTNOTE_LABEL, FOOTNOTE = "footnote-mark", "footnote-label", "footnote"

# (line number, kind, text): what happened to each piece of the source, in any order.
TraceEntry = tuple[int, str, str]


@dataclass(frozen=True)
class Line:
    """A cleaned, non-blank line with the signals its raw form gave."""

    text: str
    number: int = 0  # 0-based, in the source text
    trailing_space: bool = False  # the raw line ended with whitespace
    spaced: bool = False  # a whitespace-only line (not an empty one) came just before it
    # Glued to the line before (no blank line between) with leading whitespace: a new page.
    page_break: bool = False
    sentence_end: bool = False  # it ends with a sentence mark (before any footnote was cut)
    page: int = 0  # 0-based: the form feeds (PDF page breaks) before it
    notes: tuple[str, ...] = ()  # footnotes whose marker this line held
    # The pieces cut from this line or moved onto it (marker, footnote label and text): they
    # belong to the record that takes the line.
    moved: tuple[TraceEntry, ...] = ()

    def ends_paragraph(self, rules: Rules) -> bool:
        """`trailing_whitespace`: the extraction ends a paragraph's last line with a sentence
        mark AND trailing whitespace; a soft-wrapped line that happens to end with 。 has none.
        `line_end`: the line's text matches `paragraph_end` (one line per paragraph, except
        where a page break split one)."""
        if rules.paragraph_breaks == "line_end" and rules.paragraph_end is not None:
            return bool(rules.paragraph_end.search(self.text))
        if rules.paragraph_breaks != "trailing_whitespace":
            return False
        return self.trailing_space and self.sentence_end


_INLINE_BULLET = re.compile(rf"\s+(?=[{BULLET_GLYPHS}])")


def _raw_lines(text: str, rules: Rules) -> list[Line]:
    """Non-blank lines; with `split_inline_bullets`, a bullet glued inside a line starts one."""
    lines: list[Line] = []
    gap: list[str] = []  # the blank lines since the last non-blank one
    page = 0
    for number, ended in enumerate(text.splitlines(keepends=True)):
        raw = (ended.splitlines() or [""])[0]
        page_before, page = page, page + ended.endswith("\f")  # a form feed ends a page
        if not raw.strip():
            gap.append(raw)
            continue
        spaced = any(blank != "" for blank in gap)
        page_break = not gap and raw[:1].isspace()
        pieces = _INLINE_BULLET.split(raw.strip()) if rules.split_inline_bullets else [raw]
        for index, piece in enumerate(pieces):
            first, last = index == 0, index == len(pieces) - 1
            clean = normalize_line(piece)
            trailing = last and raw != raw.rstrip()
            lines.append(
                Line(clean, number, trailing, spaced and first, page_break and first,
                     ends_sentence(clean), page_before)
            )  # fmt: skip
        gap = []
    return lines


def _first(lines: list[Line], pattern: re.Pattern[str] | None, default: int | None) -> int | None:
    if pattern is None:
        return default
    return next((i for i, line in enumerate(lines) if pattern.search(line.text)), default)


def region(lines: list[Line], rules: Rules, trace: list[TraceEntry]) -> list[Line]:
    """The lines from start_at (inclusive) or after start_after, up to stop_at (exclusive)."""
    start = _first(lines, rules.start_at, 0) or 0
    after = _first(lines[start:], rules.start_after, None)
    start += after + 1 if after is not None else 0
    stop = _first(lines[start:], rules.stop_at, None)
    end = start + stop if stop is not None else len(lines)
    trace.extend((line.number, BEFORE_START, line.text) for line in lines[:start])
    trace.extend((line.number, AFTER_STOP, line.text) for line in lines[end:])
    return lines[start:end]


def _furniture(lines: list[Line], rules: Rules) -> set[str]:
    """Short lines repeated on many pages (running headers/footers; longer ones and those of
    few pages: generic_furniture)."""
    counts = Counter(line.text for line in lines if len(line.text) <= rules.repeated_line_max_chars)
    return {line for line, count in counts.items() if count >= rules.repeated_line_min}


def _dropped(line: str, rules: Rules) -> bool:
    return is_page_furniture(line) or any(p.search(line) for p in rules.drop_lines)


def _opens_marker(line: str, rules: Rules) -> bool:
    return any(marker.pattern.match(line) for marker in rules.markers)


def whole_text_lines(text: str, rules: Rules) -> list[str]:
    """Every line of the document, cleaned, without page furniture (the region ignored)."""
    return [line.text for line in _raw_lines(text, rules) if not _dropped(line.text, rules)]


def content_lines(text: str, rules: Rules, trace: list[TraceEntry] | None = None) -> list[Line]:
    """The document's lines, normalized, without blank lines, page furniture and anything
    outside the region; footnotes moved onto the lines that mark them."""
    trace = [] if trace is None else trace
    raw = _raw_lines(text, rules)
    edges = page_edge_furniture(
        [line.text for line in raw], [line.page for line in raw], rules.page_edge_lines
    )
    at_edges = {raw[index].number for index in edges}
    lines = region(raw, rules, trace)
    if rules.footnotes is not None:
        lines = move_footnotes(lines, rules.footnotes)
    counted = [line for line in lines if not _dropped(line.text, rules)]
    repeated = _furniture(counted, rules)
    if rules.page_edge_lines and not any(line.page for line in raw):  # no page breaks
        texts = [line.text for line in counted]
        repeated |= regular_repeats(texts, rules.repeated_line_min, rules.repeated_line_max_chars)
    kept = []
    for line in lines:
        furniture = _dropped(line.text, rules) or (
            (line.text in repeated or line.number in at_edges)
            and not _opens_marker(line.text, rules)
        )
        if furniture:
            trace.append((line.number, FURNITURE, line.text))
        else:
            kept.append(line)
    return kept


# --- footnotes --------------------------------------------------------------------------------


def footnote_numbers(lines: list[Line], rule: Footnotes) -> set[int]:
    """Numbers that end some line (a marker) and, within `reach` lines, stand alone."""
    marked: dict[int, int] = {}  # number -> index of the last line it ended
    found: set[int] = set()
    for index, line in enumerate(lines):
        if line.text.isdigit():
            if index - marked.get(int(line.text), -rule.reach) < rule.reach:
                found.add(int(line.text))
            continue
        marker = rule.marker.search(line.text)
        if marker:
            marked[int(marker.group("n"))] = index
    return found


def _text_until_break(lines: list[Line], start: int) -> list[Line]:
    """lines[start:] up to the first one ending with whitespace."""
    end = start
    while end < len(lines):
        end += 1
        if lines[end - 1].trailing_space:
            break
    return lines[start:end]


def _joined(lines: list[Line]) -> str:
    text = ""
    for line in lines:
        text = join_two(text, line.text)
    return text


def move_footnotes(lines: list[Line], rule: Footnotes) -> list[Line]:
    """The lines with markers cut, footnote labels and texts taken out and attached (as notes)
    to the line that held their marker."""
    numbers = footnote_numbers(lines, rule)
    kept: list[Line] = []
    pending: dict[int, int] = {}  # footnote number -> index in `kept` of its marker line
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.text.isdigit() and int(line.text) in pending:
            body = _text_until_break(lines, index + 1)
            index += 1 + len(body)
            holder = pending.pop(int(line.text))
            moved = [(line.number, FOOTNOTE_LABEL, line.text)]
            moved += [(part.number, FOOTNOTE, part.text) for part in body]
            note = rule.note.format(label=line.text, text=_joined(body))
            kept[holder] = replace(
                kept[holder], notes=(*kept[holder].notes, note), moved=(*kept[holder].moved, *moved)
            )
            continue
        marker = rule.marker.search(line.text)
        if marker and int(marker.group("n")) in numbers:
            pending[int(marker.group("n"))] = len(kept)
            cut = (line.number, FOOTNOTE_MARK, line.text[marker.start() :].strip())
            line = replace(line, text=line.text[: marker.start()], moved=(*line.moved, cut))
        kept.append(line)
        index += 1
    return kept
