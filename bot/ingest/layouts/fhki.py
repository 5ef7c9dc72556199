"""Structure parser for the FHKI (香港工業總會) Policy Address submission.

Layout: an introduction with two overview lists (summaries only, no records), then
"六大重點倡議：" with six numbered initiatives written as prose, then "七大建議範疇：" with
seven numbered areas, each split into roman-numeral subsections that name the responsible
bureaux in full-width brackets, sometimes into lettered groups, and finally "•" bullets:
one record per bullet. A signature block closes the document.

Paragraph breaks are read from the extraction itself: inside a paragraph every physical line
is followed by one empty line, while a paragraph break leaves a whitespace-only line in the
gap. A new PDF page shows as a line glued to the previous one with leading whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.clean import (
    BULLET,
    BULLET_GLYPHS,
    is_bullet,
    is_page_furniture,
    join_two,
    normalize_line,
)
from bot.ingest.document import ParsedRecommendation

_INITIATIVES = "重點倡議"
_AREAS = "建議範疇"
_MARKER = re.compile(r"^[一二三四五六七八九十]+大(?P<name>\S+)：$")
_NUMBERED = re.compile(r"^(?P<label>\d{1,2})\.\s*(?P<name>.+)$")
_ROMAN_HEAD = re.compile(r"^(?P<label>[IVX]+)\.\s*(?P<name>.+)$")
_LETTER_HEAD = re.compile(r"^(?P<label>[A-Z])\.\s*(?P<name>.+)$")
_BUREAUX = re.compile(r"^(?P<name>.*)（(?P<bureaux>[^（）]*)）$")
_SUB_ITEM = re.compile(r"^o\s")  # second-level list items ("o" glyph in the PDF)
# A bullet glyph after whitespace inside a line: a bullet glued to a heading.
_INLINE_BULLET = re.compile(rf"\s+(?=[{BULLET_GLYPHS}])")
_ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class _Line:
    """One normalized physical line and what the gap before it says."""

    text: str
    para_break: bool  # the gap before held a whitespace-only line: a new paragraph
    page_break: bool  # glued to the previous line with leading whitespace: a new page


def parse(text: str) -> list[ParsedRecommendation]:
    """Parse the whole raw file: six key initiatives, then one record per bullet."""
    lines = _lines(text)
    start = _marker_index(lines, _INITIATIVES)
    areas = _marker_index(lines, _AREAS)
    if not start < areas:
        raise ValueError("FHKI layout: key initiatives must precede the recommendation areas")
    part = lines[start].text.rstrip("：")  # "六大重點倡議"
    return _parse_initiatives(lines[start + 1 : areas], part) + _parse_areas(lines[areas + 1 :])


def _lines(text: str) -> list[_Line]:
    """Normalized non-blank lines with paragraph/page-break flags; page numbers dropped."""
    result: list[_Line] = []
    gap: list[str] = []
    for raw in text.splitlines():
        if not raw.strip():
            gap.append(raw)
            continue
        para_break = any(blank != "" for blank in gap)  # a whitespace-only (not empty) line
        page_break = not gap and raw[:1].isspace()
        gap = []
        if is_page_furniture(raw):
            continue
        for i, piece in enumerate(_INLINE_BULLET.split(raw.strip())):
            first = i == 0
            result.append(_Line(normalize_line(piece), para_break and first, page_break and first))
    return result


def _marker_index(lines: list[_Line], name: str) -> int:
    """Index of the "六大重點倡議：" / "七大建議範疇：" line that opens a part."""
    for i, line in enumerate(lines):
        match = _MARKER.match(line.text)
        if match and match["name"] == name:
            return i
    raise ValueError(f"FHKI layout: no heading line for {name!r}")


# --- key initiatives ---------------------------------------------------------------------


@dataclass
class _Initiative:
    label: str
    title: str
    paragraphs: list[str] = field(default_factory=list)


def _parse_initiatives(lines: list[_Line], part: str) -> list[ParsedRecommendation]:
    """Numbered headings ("1. …") each followed by prose paragraphs."""
    found: list[_Initiative] = []
    for line in lines:
        heading = _NUMBERED.match(line.text)
        expected = str(len(found) + 1)
        starts_block = line.para_break or line.page_break or not found
        if heading and heading["label"] == expected and starts_block:
            found.append(_Initiative(heading["label"], heading["name"]))
        elif not found:
            raise ValueError(f"FHKI layout: text before the first initiative: {line.text!r}")
        elif not found[-1].paragraphs and not line.para_break:
            found[-1].title = join_two(found[-1].title, line.text)  # wrapped heading
        elif line.para_break or is_bullet(line.text) or not found[-1].paragraphs:
            found[-1].paragraphs.append(line.text)
        else:
            found[-1].paragraphs[-1] = join_two(found[-1].paragraphs[-1], line.text)
    return [_initiative_record(item, part) for item in found]


def _initiative_record(item: _Initiative, part: str) -> ParsedRecommendation:
    """Key "k<N>", the heading as title, paragraphs separated by newlines."""
    return ParsedRecommendation(
        key=f"k{item.label}",
        label=item.label,
        title=item.title,
        text="\n".join(item.paragraphs),
        section_path=(part,),
    )


# --- recommendation areas ----------------------------------------------------------------


@dataclass
class _Heading:
    label: str  # "3", "IV" or "A"
    text: str  # as printed and cleaned, label included


@dataclass
class _Bullet:
    area: _Heading
    roman: _Heading
    letter: _Heading | None
    number: int  # position within its letter group, else within its roman subsection
    parts: list[str]  # the bullet's text, then one entry per "o" sub-item


@dataclass
class _AreaState:
    area: _Heading | None = None
    roman: _Heading | None = None
    letter: _Heading | None = None
    open_heading: _Heading | None = None  # the last heading while no bullet follows it yet
    bullets: list[_Bullet] = field(default_factory=list)
    group: list[_Bullet] = field(default_factory=list)  # bullets of the current group


def _parse_areas(lines: list[_Line]) -> list[ParsedRecommendation]:
    """Areas → roman subsections → optional letter groups → bullets; stops at the closing."""
    state = _AreaState()
    for i, line in enumerate(lines):
        if _take_heading(state, line):
            continue
        if is_bullet(line.text):
            _start_bullet(state, line.text.removeprefix(BULLET).strip())
        elif state.open_heading is not None:
            state.open_heading.text = join_two(state.open_heading.text, line.text)
        elif not state.group:
            raise ValueError(f"FHKI layout: unexpected text in the areas: {line.text!r}")
        elif _SUB_ITEM.match(line.text):
            state.group[-1].parts.append(line.text)
        elif line.para_break:
            _check_closing(lines[i:])
            break
        else:
            parts = state.group[-1].parts
            parts[-1] = join_two(parts[-1], line.text)
    return [_bullet_record(bullet) for bullet in state.bullets]


def _check_closing(lines: list[_Line]) -> None:
    """A new paragraph after a bullet must be the closing signature, never more bullets."""
    for line in lines:
        if is_bullet(line.text):
            raise ValueError(f"FHKI layout: bullet after a closing paragraph: {line.text!r}")


def _next_label(labels: str | tuple[str, ...], current: _Heading | None) -> str | None:
    """The label that follows `current` in a printed sequence ("IV" → "V", "A" → "B")."""
    position = labels.index(current.label) + 1 if current else 0
    return labels[position] if position < len(labels) else None


def _take_heading(state: _AreaState, line: _Line) -> bool:
    """Open the area, roman subsection or letter group the line starts, if it is the next one."""
    area = _NUMBERED.match(line.text)
    roman = _ROMAN_HEAD.match(line.text)
    letter = _LETTER_HEAD.match(line.text)
    next_area = str(int(state.area.label) + 1) if state.area else "1"
    heading = _Heading("", line.text)
    if area and area["label"] == next_area and (line.para_break or line.page_break):
        heading.label = area["label"]
        state.area, state.roman, state.letter = heading, None, None
    elif state.area and roman and roman["label"] == _next_label(_ROMANS, state.roman):
        heading.label = roman["label"]
        state.roman, state.letter = heading, None
    elif state.roman and letter and letter["label"] == _next_label(_LETTERS, state.letter):
        heading.label = letter["label"]
        state.letter = heading
    else:
        return False
    state.open_heading = heading
    state.group = []
    return True


def _start_bullet(state: _AreaState, text: str) -> None:
    """A new bullet, numbered within its letter group or roman subsection."""
    if state.area is None or state.roman is None:
        raise ValueError(f"FHKI layout: bullet outside a subsection: {text!r}")
    bullet = _Bullet(state.area, state.roman, state.letter, len(state.group) + 1, [text])
    state.group.append(bullet)
    state.bullets.append(bullet)
    state.open_heading = None


def _heading_name(heading: _Heading) -> str:
    """The heading text without its "IV. " style label."""
    return heading.text.removeprefix(heading.label + ".").strip()


def _split_bureaux(roman: _Heading) -> tuple[str, tuple[str, ...]]:
    """ "短期紓困措施（商經局、發展局）" → ("短期紓困措施", ("商經局", "發展局"))."""
    name = _heading_name(roman)
    match = _BUREAUX.match(name)
    if not match:
        return name, ()
    bureaux = tuple(part.strip() for part in match["bureaux"].split("、") if part.strip())
    return match["name"].strip(), bureaux


def _bullet_record(bullet: _Bullet) -> ParsedRecommendation:
    """Key "3-4-a-2" / label "3.IV.A•2" from the printed labels; bureaux from the subsection."""
    roman_no = _ROMANS.index(bullet.roman.label) + 1
    key = [bullet.area.label, str(roman_no)]
    label = f"{bullet.area.label}.{bullet.roman.label}"
    path = [bullet.area.text, bullet.roman.text]
    roman_name, bureaux = _split_bureaux(bullet.roman)
    title = roman_name
    if bullet.letter is not None:
        key.append(bullet.letter.label.lower())
        label += "." + bullet.letter.label
        path.append(bullet.letter.text)
        title = _heading_name(bullet.letter)
    return ParsedRecommendation(
        key="-".join([*key, str(bullet.number)]),
        label=f"{label}{BULLET}{bullet.number}",
        title=title,
        text="\n".join(bullet.parts),
        section_path=tuple(path),
        bureaux=bureaux,
    )
