"""Structure parser for the submissions of 香港中華廠商聯合會 (CMA).

Both CMA documents share one layout: a title block (organisation, 「對…的建議」, theme line),
then numbered sections "1. 標題" up to the end, some of them under short un-numbered group
headings ("優化創科體制"). A section is prose, or prose framing followed by numbered
sub-recommendations "(1) 短句。正文…". A budget submission ends with a sign-off date line.

Paragraphs: the extraction ends a paragraph's last line with a sentence mark AND trailing
whitespace; a soft-wrapped line that happens to end with "。" has none. This is the only reliable
paragraph signal (there is no indentation), so it is read from the raw line before cleaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.clean import ends_sentence, format_body, is_page_furniture, normalize_line
from bot.ingest.document import ParsedRecommendation

# "5. 打造「港版中試」"; the look-ahead keeps "15.5%，…" (a wrapped figure) out.
_SECTION = re.compile(r"^(\d{1,2})\.(?!\d)\s*(\S.*)$")
# "(2) 創科撥款向產業界傾斜。配合…"
_ITEM = re.compile(r"^\((\d{1,2})\)\s*(\S.*)$")
# Sign-off line closing a document: "2023 年 12 月".
_SIGN_OFF_DATE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月$")
# A sub-recommendation's lead: its short first sentence.
_LEAD = re.compile(r"^([^。！？；：]{2,30})。")
# Headings carry no clause punctuation and fit on one line.
_CLAUSE_PUNCT = re.compile(r"[。，；：！？、]")
_MAX_HEADING_CHARS = 30


@dataclass(frozen=True)
class _Line:
    """One non-blank physical line, cleaned, with the paragraph signal kept from its raw form."""

    text: str
    ends_paragraph: bool


@dataclass
class _Item:
    """A numbered sub-recommendation "(n)" being collected."""

    number: int
    paragraphs: list[list[str]] = field(default_factory=list)


@dataclass
class _Section:
    """A numbered section being collected: framing prose, then its sub-recommendations."""

    number: int
    heading: str  # as printed, "5. 打造「港版中試」"
    title: str  # the heading without its number
    group: str | None
    framing: list[list[str]] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)

    def add(self, text: str, new_paragraph: bool) -> None:
        """Append a body line to the open sub-recommendation, or to the framing before it."""
        paragraphs = self.items[-1].paragraphs if self.items else self.framing
        if new_paragraph or not paragraphs:
            paragraphs.append([])
        paragraphs[-1].append(text)


def parse(text: str) -> list[ParsedRecommendation]:
    """Every numbered section (or its sub-recommendations) of a CMA submission, in order."""
    sections = _read_sections(_content_lines(text))
    if not sections:
        raise ValueError("no numbered section '1.' found: not the CMA layout")
    return [record for section in sections for record in _section_records(section)]


def _content_lines(text: str) -> list[_Line]:
    """Non-blank lines without page numbers; blank lines follow every line, so they mean nothing."""
    lines: list[_Line] = []
    for raw in text.splitlines():
        cleaned = normalize_line(raw)
        if not cleaned or is_page_furniture(cleaned):
            continue
        hard_break = raw != raw.rstrip()
        lines.append(_Line(cleaned, hard_break and ends_sentence(cleaned)))
    return lines


def _read_sections(lines: list[_Line]) -> list[_Section]:
    """Skip the title block, then feed the state machine until the sign-off date (if any)."""
    start = next((i for i, line in enumerate(lines) if _section_number(line.text) == 1), None)
    if start is None:
        return []
    reader = _Reader()
    for index in range(start, len(lines)):
        line = lines[index]
        if reader.paragraph_start and _SIGN_OFF_DATE.match(line.text):
            break  # the closing sign-off; nothing after it is a recommendation
        following = lines[index + 1].text if index + 1 < len(lines) else ""
        reader.feed(line, following)
    return reader.sections


class _Reader:
    """The section state machine.

    Only a line that starts a paragraph can open a section or a sub-recommendation, and only with
    the number expected next: that tells headings from figures wrapped to a line start ("15.5%").
    """

    def __init__(self) -> None:
        self.sections: list[_Section] = []
        self.group: str | None = None
        self.paragraph_start = True

    def feed(self, line: _Line, following: str) -> None:
        """Take the next content line; `following` is the line after it (for group headings)."""
        if self.paragraph_start and self._heading(line.text, following):
            return  # the line after a heading starts a paragraph
        if self.paragraph_start:
            self._start_paragraph(line.text)
        else:
            self.sections[-1].add(line.text, new_paragraph=False)
        self.paragraph_start = line.ends_paragraph

    def _heading(self, text: str, following: str) -> bool:
        """Open the next section or note a group heading; False for any other line."""
        next_section = len(self.sections) + 1
        if _section_number(text) == next_section:
            self.sections.append(_open_section(text, self.group))
            return True
        if _is_group_heading(text, following, next_section):
            self.group = text
            return True
        return False

    def _start_paragraph(self, text: str) -> None:
        """A new paragraph: of the next sub-recommendation if it opens with "(n)", else prose."""
        section = self.sections[-1]
        item = _ITEM.match(text)
        if item and int(item.group(1)) == len(section.items) + 1:
            section.items.append(_Item(int(item.group(1))))
            text = item.group(2)
        section.add(text, new_paragraph=True)


def _section_number(text: str) -> int | None:
    """The number of a line that looks like a section heading "N. 標題", else None."""
    match = _SECTION.match(text)
    if match and _looks_like_heading(match.group(2)):
        return int(match.group(1))
    return None


def _looks_like_heading(text: str) -> bool:
    """Short, with no clause punctuation: a heading, not a line of running prose."""
    return len(text) <= _MAX_HEADING_CHARS and not _CLAUSE_PUNCT.search(text)


def _is_group_heading(text: str, following: str, next_section: int) -> bool:
    """An un-numbered heading line standing directly above the next expected section."""
    return (
        _looks_like_heading(text)
        and _section_number(text) is None
        and _section_number(following) == next_section
    )


def _open_section(text: str, group: str | None) -> _Section:
    """A new section from its heading line."""
    match = _SECTION.match(text)
    assert match is not None  # checked by _section_number
    return _Section(int(match.group(1)), text, match.group(2), group)


def _body(paragraphs: list[list[str]]) -> str:
    """Cleaned text, one line per paragraph."""
    return "\n".join(format_body(lines) for lines in paragraphs)


def _section_records(section: _Section) -> list[ParsedRecommendation]:
    """The section as one record, or its framing (if any) plus one record per sub-item."""
    path = (section.group,) if section.group else ()
    records: list[ParsedRecommendation] = []
    framing = _body(section.framing)
    if framing or not section.items:
        number = str(section.number)
        records.append(ParsedRecommendation(number, number, section.title, framing, path))
    records.extend(_item_record(section, item, (*path, section.heading)) for item in section.items)
    return records


def _item_record(section: _Section, item: _Item, path: tuple[str, ...]) -> ParsedRecommendation:
    """A sub-recommendation; its title is its lead sentence, else the section's title."""
    text = _body(item.paragraphs)
    lead = _LEAD.match(text)
    return ParsedRecommendation(
        key=f"{section.number}-{item.number}",
        label=f"{section.number}({item.number})",
        title=lead.group(1) if lead else section.title,
        text=text,
        section_path=path,
    )
