"""Layout of 經民聯 (BPA)'s Policy Address submissions: 一、 chapters holding numbered proposals.

The document opens with a summary (提要) of the chapters, which carries no proposals. Each chapter
heading ("一、…", possibly wrapped) may be followed by sub-section headings ("甲、…", or a bare
quoted phrase such as "「高質經濟」") and preamble paragraphs; then come the proposals "N.  title"
numbered 1, 2, 3 … across the whole document. A proposal body is bullets (U+F06C, sub-bullets
U+F0D8), un-numbered sub-headings and the odd paragraph.

Parsing runs in two steps. `pieces` cuts the raw text, in source order, into typed pieces of raw
lines that together cover every line of the file; `parse` assembles the records from them. Keeping
the pieces separate lets a test prove that nothing was dropped or reordered: only pieces of the
EXCLUDED kinds (summary, preamble, page numbers, footnote markers, the end mark) stay out of the
records.

Footnotes: the marker (a 1-2 digit number ending a body line, e.g. "…生活補助。 1") is cut out of
the sentence, and the footnote text (found at the page bottom, after a lone line holding the same
number) is appended to the text of the proposal that holds the marker, as a last line "註1：…".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from bot.ingest.clean import (
    ends_sentence,
    is_bullet,
    is_page_furniture,
    join_lines,
    join_two,
    normalize_line,
)
from bot.ingest.document import ParsedRecommendation

# Piece kinds.
SUMMARY = "summary"  # the 提要 before the first chapter
CHAPTER = "chapter"  # "一、…" heading
PREAMBLE = "preamble"  # sub-section headings and paragraphs between a heading and a proposal
NUMBER = "number"  # the "N." that opens a proposal
TITLE = "title"  # the proposal heading after "N."
BODY = "body"  # one paragraph, sub-heading or bullet of a proposal (or its continuation)
FOOTNOTE_MARK = "footnote-mark"  # the number cut from the end of a body line
FOOTNOTE_LABEL = "footnote-label"  # the lone number opening a footnote at the page bottom
FOOTNOTE = "footnote"  # the footnote text
PAGE = "page"  # a page number
END = "end"  # the closing "－完－"
EXCLUDED = frozenset({SUMMARY, PREAMBLE, PAGE, FOOTNOTE_MARK, END})

_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
_CHAPTER = re.compile(r"^([一二三四五六七八九十]{1,3})、")
_SUBSECTION = re.compile(r"^(?:[甲乙丙丁戊己庚辛壬癸]、|「[^「」]{1,15}」$)")
_PROPOSAL = re.compile(r"^(\d{1,3})\.(?=\s|$)")
_END = re.compile(r"^[－—-]\s*完\s*[－—-]$")
# A footnote marker: a short number ending a line, right after a full stop or an ideograph.
_MARKER = re.compile(r"(?<=[。；，：」）\u4e00-\u9fff]) ?(\d{1,2})\s*$")
_FOOTNOTE_REACH = 60  # content lines: a footnote sits at the bottom of its marker's page


@dataclass(frozen=True)
class Line:
    """A non-blank physical line; `spaced` when a whitespace-only line came just before it."""

    number: int  # 1-based line number in the file
    raw: str
    spaced: bool

    @property
    def ends_block(self) -> bool:
        """The extraction leaves trailing spaces after the last line of a paragraph or heading."""
        return self.raw != self.raw.rstrip()


@dataclass(frozen=True)
class Piece:
    """A run of raw source text with one role; `cont` continues the previous block of its owner."""

    kind: str
    lines: tuple[str, ...]
    owner: str | None = None  # label of the proposal it belongs to
    cont: bool = False

    @property
    def text(self) -> str:
        """The cleaned text (lossless: same non-space characters as `lines`)."""
        return join_lines(self.lines)


def content_lines(text: str) -> list[Line]:
    """Non-blank lines; the blank ones only tell whether a whitespace-only line preceded."""
    lines: list[Line] = []
    spaced = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            spaced = spaced or bool(raw)
            continue
        lines.append(Line(number, raw, spaced))
        spaced = False
    return lines


def chapter_number(stripped: str) -> int | None:
    """The value of a leading Chinese numeral chapter label ("十三、" -> 13), else None."""
    match = _CHAPTER.match(stripped)
    if not match:
        return None
    numeral = match.group(1)
    tens, _, units = numeral.rpartition("十")
    if "十" not in numeral:
        return _CN_DIGITS.get(numeral) if len(numeral) == 1 else None
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + _CN_DIGITS.get(units, 0)


def footnote_numbers(lines: list[Line]) -> set[int]:
    """Numbers that end some line (a marker) and, a little later, stand alone (the footnote).

    A lone number without such a marker shortly before it is a page number.
    """
    marked: dict[int, int] = {}  # number -> index of the last line it ended
    found: set[int] = set()
    for index, line in enumerate(lines):
        stripped = line.raw.strip()
        if stripped.isdigit():
            if index - marked.get(int(stripped), -_FOOTNOTE_REACH) < _FOOTNOTE_REACH:
                found.add(int(stripped))
            continue
        marker = _MARKER.search(line.raw)
        if marker:
            marked[int(marker.group(1))] = index
    return found


class _Scanner:
    """A state machine over the content lines that emits pieces.

    The expected next chapter numeral and proposal number tell real headings from lines that
    merely start with digits and a dot (e.g. "2.0》，…" wrapped out of "藍圖 2.0》").
    """

    def __init__(self, footnotes: set[int]) -> None:
        self.pieces: list[Piece] = []
        self.footnotes = footnotes
        self.markers: dict[int, str] = {}  # footnote number -> owner of its marker
        self.next_chapter = 1
        self.next_number = 1
        self.zone = SUMMARY  # SUMMARY, PREAMBLE or BODY: where ordinary lines go
        self.owner: str | None = None
        self.heading_open = False  # the last TITLE/CHAPTER piece may wrap onto the next line
        self.footnote_open = False
        self.last_text: Line | None = None  # last line that went into a heading or a block
        self.after_heading = False  # the next ordinary line starts a block

    def feed(self, line: Line) -> None:
        """Route one line to the first handler that claims it."""
        stripped = line.raw.strip()
        handlers = (
            self._footnote_text,
            self._footnote_label,
            self._page_number,
            self._end_mark,
            self._chapter,
            self._subsection,
            self._proposal,
            self._heading_wrap,
        )
        if not any(handler(line, stripped) for handler in handlers):
            self._ordinary(line)

    def _emit(self, kind: str, raw: str, owner: str | None = None, cont: bool = False) -> None:
        """Start a new piece."""
        self.pieces.append(Piece(kind, (raw,), owner, cont))

    def _extend(self, raw: str) -> None:
        """Add a line to the last piece (pieces are frozen: replace it)."""
        self.pieces[-1] = replace(self.pieces[-1], lines=(*self.pieces[-1].lines, raw))

    def _footnote_text(self, line: Line, stripped: str) -> bool:
        """Footnote text runs from its label to the first line that ends a block."""
        if not self.footnote_open:
            return False
        if self.pieces[-1].kind == FOOTNOTE_LABEL:
            self._emit(FOOTNOTE, line.raw, self.pieces[-1].owner)
        else:
            self._extend(line.raw)
        self.footnote_open = not line.ends_block
        return True

    def _footnote_label(self, line: Line, stripped: str) -> bool:
        """A lone number whose marker was cut earlier opens the footnote text."""
        number = int(stripped) if stripped.isdigit() else None
        if number is None or number not in self.markers:
            return False
        self._emit(FOOTNOTE_LABEL, line.raw, self.markers.pop(number))
        self.footnote_open = True
        return True

    def _page_number(self, line: Line, stripped: str) -> bool:
        """Page numbers stand alone; the blocks they interrupt resume after them."""
        if self.zone == SUMMARY or not is_page_furniture(stripped):
            return False
        self._emit(PAGE, line.raw)
        return True

    def _end_mark(self, line: Line, stripped: str) -> bool:
        """The closing "－完－" ends the last proposal."""
        if not _END.match(stripped):
            return False
        self._emit(END, line.raw)
        self.zone, self.owner = PREAMBLE, None
        return True

    def _chapter(self, line: Line, stripped: str) -> bool:
        """Only the expected next numeral opens a chapter (the summary writes "第一，")."""
        if chapter_number(stripped) != self.next_chapter:
            return False
        self.next_chapter += 1
        self._open_heading(CHAPTER, line, None)
        self.zone, self.owner = PREAMBLE, None
        return True

    def _subsection(self, line: Line, stripped: str) -> bool:
        """ "甲、…" or "「高質惠民」" closes the proposal before it; its intro belongs to no one."""
        if self.zone == SUMMARY or not _SUBSECTION.match(stripped):
            return False
        self._open_heading(PREAMBLE, line, None)
        self.heading_open = False
        self.zone, self.owner = PREAMBLE, None
        return True

    def _proposal(self, line: Line, stripped: str) -> bool:
        """Only the expected next number opens a proposal: others are wrapped text."""
        match = _PROPOSAL.match(stripped)
        if self.zone == SUMMARY or not match or int(match.group(1)) != self.next_number:
            return False
        self.next_number += 1
        self.zone, self.owner = BODY, match.group(1)
        start = line.raw.index(match.group(0)) + len(match.group(0))
        self._emit(NUMBER, line.raw[:start], self.owner)
        title = line.raw[start:]
        self._open_heading(TITLE, replace(line, raw=title), self.owner)
        if not title.strip():  # the number stands alone: the title is on the next line
            self.pieces[-1] = replace(self.pieces[-1], lines=())
        return True

    def _open_heading(self, kind: str, line: Line, owner: str | None) -> None:
        """Emit a heading that may wrap onto the next line."""
        self._emit(kind, line.raw, owner)
        self.heading_open = True
        self.after_heading = True
        self.last_text = line

    def _heading_wrap(self, line: Line, stripped: str) -> bool:
        """A chapter or proposal title goes on until a line that ends with spaces."""
        if not self.heading_open:
            return False
        self.heading_open = False
        last = self.pieces[-1]
        untitled = last.kind == TITLE and not last.lines
        ended = line.spaced or (self.last_text is not None and self.last_text.ends_block)
        if is_bullet(line.raw) or (ended and not untitled):
            return False
        self._extend(line.raw)
        self.heading_open = not line.ends_block
        self.last_text = line
        return True

    def _ordinary(self, line: Line) -> None:
        """A line of the summary, of a preamble or of a proposal body."""
        raw, owner = self._cut_marker(line.raw), self.owner
        last = self.pieces[-1] if self.pieces else None
        if self.zone == SUMMARY or self._starts_block(line):
            self._emit(self.zone, raw, owner)
        elif last is not None and last.kind == self.zone and last.owner == owner:
            self._extend(raw)
        else:  # resumes a block after a page number or footnote
            self._emit(self.zone, raw, owner, cont=True)
        if raw != line.raw:
            self._emit(FOOTNOTE_MARK, line.raw[len(raw) :], owner)
        self.last_text = line
        self.after_heading = False

    def _starts_block(self, line: Line) -> bool:
        """A bullet, a line after a whitespace-only line, or one after a finished sentence."""
        if is_bullet(line.raw) or line.spaced or self.after_heading or self.last_text is None:
            return True
        last = self.last_text.raw
        return self.last_text.ends_block and ends_sentence(normalize_line(last))

    def _cut_marker(self, raw: str) -> str:
        """The body line without its footnote marker; remember whose the footnote is."""
        marker = _MARKER.search(raw) if self.zone == BODY else None
        if marker is None or int(marker.group(1)) not in self.footnotes:
            return raw
        self.markers[int(marker.group(1))] = self.owner or ""
        return raw[: marker.start()]


def pieces(text: str) -> list[Piece]:
    """Cut the whole raw file into typed pieces, in source order, covering every line."""
    lines = content_lines(text)
    scanner = _Scanner(footnote_numbers(lines))
    for line in lines:
        scanner.feed(line)
    return scanner.pieces


@dataclass
class _Draft:
    """A proposal being assembled from its pieces."""

    label: str
    chapter: str
    title: str = ""
    blocks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _add(draft: _Draft, piece: Piece, footnote_label: str) -> None:
    """Put one piece's text into the proposal it belongs to."""
    if piece.kind == TITLE:
        draft.title = join_two(draft.title, piece.text)
    elif piece.kind == BODY and piece.cont and draft.blocks:
        draft.blocks[-1] = join_two(draft.blocks[-1], piece.text)
    elif piece.kind == BODY:
        draft.blocks.append(piece.text)
    elif piece.kind == FOOTNOTE:
        draft.notes.append(f"註{footnote_label}：{piece.text}")


def _drafts(all_pieces: Iterable[Piece]) -> Iterator[_Draft]:
    """Group the pieces by proposal, remembering the chapter each proposal opened in."""
    drafts: dict[str, _Draft] = {}
    chapter = ""
    footnote_label = ""
    for piece in all_pieces:
        if piece.kind == CHAPTER:
            chapter = piece.text
        elif piece.kind == NUMBER and piece.owner is not None:
            drafts[piece.owner] = _Draft(piece.owner, chapter)
        elif piece.kind == FOOTNOTE_LABEL:
            footnote_label = piece.text
        elif piece.owner in drafts and piece.kind not in EXCLUDED:
            _add(drafts[piece.owner], piece, footnote_label)
    yield from drafts.values()


def parse(text: str) -> list[ParsedRecommendation]:
    """The 148 proposals of the document, in order, each under its chapter heading."""
    return [
        ParsedRecommendation(
            key=draft.label,
            label=draft.label,
            title=draft.title,
            text="\n".join([*draft.blocks, *draft.notes]),
            section_path=(draft.chapter,),
        )
        for draft in _drafts(pieces(text))
    ]
