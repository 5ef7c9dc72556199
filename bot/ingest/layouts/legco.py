"""Structure parser for a LegCo subcommittee report (立法會…小組委員會報告).

Layout: numbered paragraphs ("7. 委員認為…") under topic headings record the deliberations;
under the heading "建議" one numbered paragraph ("62. …考慮：") lists the subcommittee's
recommendations as "- (a) …" items, again grouped under topic headings, each citing the
paragraphs it comes from ("(請參閱上文第 13 至 14 段)"). Only those items are records; the
cited paragraphs travel with them as references. Appendices (terms of reference, membership)
have no numbered paragraphs and produce nothing.

The extraction puts each paragraph on one line, except where a page break splits it: the
rest then follows on a new line, sometimes after a footnote ("¹ 首次會議…") from the bottom
of the page, which is page furniture and is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.clean import ends_sentence, is_page_furniture, join_two, normalize_line
from bot.ingest.document import ParsedRecommendation, Reference

RECOMMENDATIONS_HEADING = "建議"
_NUMBERED = re.compile(r"^(?P<number>\d{1,3})\.\s*(?P<text>.*)$")
_ITEM = re.compile(r"^-\s*\((?P<letter>[a-z])\)\s*(?P<text>.*)$")
_FOOTNOTE = re.compile(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s")
# An item is finished when it ends like a list item: "；", "；及", "。".
_ITEM_END = re.compile(r"[；。](?:及|和|或)?$")
_CITATION = re.compile(r"[(（]請參閱(?P<body>[^()（）]*)[)）]")
_CITED = re.compile(r"第\s*(?P<spec>\d+(?:\s*(?:至|及|和|、|,|，|-)\s*\d+)*)\s*段")
_SPEC_TOKEN = re.compile(r"\d+|至|-")


def parse(text: str) -> list[ParsedRecommendation]:
    """The "- (a)" … items of the recommendations paragraph, with their cited paragraphs."""
    lines = body_lines(text)
    paragraphs = numbered_paragraphs(lines)
    intro, items = _recommendation_items(lines)
    return [_record(item, intro, paragraphs) for item in items]


def body_lines(text: str) -> list[str]:
    """Normalized non-blank lines without page numbers and footnotes."""
    lines = (normalize_line(raw) for raw in text.splitlines())
    return [line for line in lines if line and not _is_furniture(line)]


def footnotes(text: str) -> list[str]:
    """The footnote lines that `body_lines` leaves out (kept for coverage checks)."""
    lines = (normalize_line(raw) for raw in text.splitlines())
    return [line for line in lines if _FOOTNOTE.match(line)]


def _is_furniture(line: str) -> bool:
    """Page numbers and footnotes: they interrupt a paragraph split by a page break."""
    return is_page_furniture(line) or bool(_FOOTNOTE.match(line))


# --- numbered paragraphs ------------------------------------------------------------------


def numbered_paragraphs(lines: list[str]) -> dict[int, str]:
    """Paragraph number → its cleaned text (without the "9." label), page breaks rejoined.

    A line continues the open paragraph when that paragraph stops mid-sentence; "- (a)" list
    items continue a paragraph that introduces them ("…包括："). Any other line is a heading
    and closes the paragraph.
    """
    paragraphs: dict[int, str] = {}
    current: int | None = None
    for line in lines:
        numbered = _NUMBERED.match(line)
        if numbered and _is_next_paragraph(int(numbered["number"]), paragraphs):
            current = int(numbered["number"])
            paragraphs[current] = numbered["text"]
        elif current is None:
            continue
        elif _ITEM.match(line) and paragraphs[current].endswith(("：", "；", "；及", "；和")):
            paragraphs[current] += "\n" + line
        elif not ends_sentence(paragraphs[current]):
            paragraphs[current] = join_two(paragraphs[current], line)
        else:
            current = None
    return paragraphs


def _is_next_paragraph(number: int, paragraphs: dict[int, str]) -> bool:
    """Numbers run on from the first one seen; anything else is not a paragraph label."""
    return not paragraphs or number == max(paragraphs) + 1


# --- the recommendations paragraph --------------------------------------------------------


@dataclass
class _Item:
    letter: str
    heading: str
    text: str


@dataclass
class _ListState:
    intro: str
    heading: str = ""
    items: list[_Item] = field(default_factory=list)


def _recommendation_items(lines: list[str]) -> tuple[str, list[_Item]]:
    """The intro line ("62. …考慮：") and its items, each with the topic heading above it."""
    start = _recommendations_start(lines)
    state = _ListState(intro=lines[start])
    rest = lines[start + 1 :]
    for i, line in enumerate(rest):
        item = _ITEM.match(line)
        followed_by_item = i + 1 < len(rest) and bool(_ITEM.match(rest[i + 1]))
        if item:
            state.items.append(_Item(item["letter"], state.heading, item["text"]))
        elif state.items and not _ITEM_END.search(state.items[-1].text):
            state.items[-1].text = join_two(state.items[-1].text, line)  # page break
        elif not state.items and not ends_sentence(state.intro):
            state.intro = join_two(state.intro, line)  # wrapped intro
        elif followed_by_item:
            state.heading = line
        else:
            break  # the next section ("徵詢意見") or paragraph
    if not state.items:
        raise ValueError("LegCo layout: the recommendations paragraph lists no items")
    return state.intro, state.items


def _recommendations_start(lines: list[str]) -> int:
    """Index of the first numbered paragraph after the "建議" heading."""
    try:
        heading = lines.index(RECOMMENDATIONS_HEADING)
    except ValueError:
        raise ValueError("LegCo layout: no 建議 heading") from None
    for i in range(heading + 1, len(lines)):
        if _NUMBERED.match(lines[i]):
            return i
    raise ValueError("LegCo layout: no numbered paragraph under 建議")


def _record(item: _Item, intro: str, paragraphs: dict[int, str]) -> ParsedRecommendation:
    """Key "a", label "(a)", the topic heading as title, cited paragraphs as references."""
    refs: list[Reference] = []
    for number in cited_paragraphs(item.text):
        if number not in paragraphs:
            raise ValueError(f"LegCo layout: item ({item.letter}) cites missing paragraph {number}")
        refs.append(Reference(label=f"第 {number} 段", text=paragraphs[number]))
    return ParsedRecommendation(
        key=item.letter,
        label=f"({item.letter})",
        title=item.heading or _NUMBERED.sub(r"\g<text>", intro),
        text=item.text,
        section_path=(intro, item.heading) if item.heading else (intro,),
        refs=tuple(refs),
    )


def cited_paragraphs(text: str) -> list[int]:
    """Paragraph numbers cited by "(請參閱上文第 9 段)", "第 9 及 10 段", "第 9 至 11 段"…"""
    numbers: list[int] = []
    for citation in _CITATION.finditer(text):
        for cited in _CITED.finditer(citation["body"]):
            numbers.extend(n for n in _expand(cited["spec"]) if n not in numbers)
    return numbers


def _expand(spec: str) -> list[int]:
    """ "9 至 11" → [9, 10, 11]; "9 及 10" → [9, 10]."""
    numbers: list[int] = []
    in_range = False
    for token in _SPEC_TOKEN.findall(spec):
        if token in ("至", "-"):
            in_range = True
        elif in_range and numbers:
            numbers.extend(range(numbers[-1] + 1, int(token) + 1))
            in_range = False
        else:
            numbers.append(int(token))
    return numbers
