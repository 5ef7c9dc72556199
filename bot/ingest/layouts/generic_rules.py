"""The rules of the generic structure parser: data/layouts.yaml compiled, and how numerals read.

Every field of `Rules` is one data-switchable capability of the parser; data/layouts.yaml
documents each of them next to its default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.core.resources import load_yaml

RULES_FILE = "layouts.yaml"
HEADING, ITEM = "heading", "item"
SEQUENCES = ("loose", "document", "parent", "any")
KEY_SCHEMES = ("path", "items", "own")
TITLE_FALLBACKS = ("opening", "parent")
PARAGRAPH_BREAKS = ("none", "trailing_whitespace", "line_end")
TITLE_WRAPS = ("no", "trailing_space", "paragraph", "until_item")
IN_PATH = ("line", "label", "none")
BUREAUX_SCOPES = ("text_or_headings", "headings")


class RulesError(ValueError):
    """data/layouts.yaml or a manifest `rules:` entry is malformed."""


@dataclass(frozen=True)
class Marker:
    """A numbering style: the pattern of its label and its place in the tree."""

    name: str
    pattern: re.Pattern[str]
    role: str  # HEADING or ITEM
    level: int  # 1 = outermost
    numeral: str  # how the printed number reads: arabic, chinese, roman, letter, circled, stem
    # loose: 1 or the next number of this marker anywhere; document: exactly the next number
    # over the whole document; parent: exactly the next number under the same parent; any.
    sequence: str = "loose"
    # The rest of the line is the node's title, not the start of its text ...
    title_line: bool = False
    # ... and it may wrap onto the next lines: no; trailing_space (up to a line ending with
    # whitespace, not after a whitespace-only line); paragraph (up to a new paragraph);
    # until_item (up to the next bullet or marker). A bullet is never part of a title.
    title_wraps: str = "no"
    # The rest of the line must look like a heading (short, no clause punctuation).
    heading_like: bool = False
    under: str = ""  # opens only right under a node of this marker
    at_paragraph_start: bool = False  # opens only on a line that starts a paragraph (or page)
    in_path: str = "line"  # how it shows in section paths: its line, its label, not at all
    key_prefix: str = ""  # put before its key segment: "k" + "1"
    label_format: str = "{label}"  # its printed label from the matched one: "•{n}"
    label_separator: str | None = None  # joins its label to the one above (default: the rule's)
    one_paragraph: bool = False  # its text is one paragraph (plus sub_paragraph lines)


@dataclass(frozen=True)
class Footnotes:
    """Footnote markers cut from the end of a line, their text moved to the end of its record."""

    marker: re.Pattern[str]  # group `n`: the number ending a line
    reach: int  # the lone number opening the footnote text comes within this many lines
    note: str  # how the note reads at the end of the record: "註{label}：{text}"


@dataclass(frozen=True)
class References:
    """Cited paragraphs of the same document, attached to the records citing them."""

    citation: re.Pattern[str]  # group `body`: the citation, e.g. （請參閱上文第 9 至 11 段）
    cited: re.Pattern[str]  # group `spec` inside a body: "9 至 11"
    range_marks: tuple[str, ...]  # words for "to" in a spec: 至, -
    paragraph: re.Pattern[str]  # a numbered paragraph's label, group `n`
    list_item: re.Pattern[str]  # a list item line that continues the paragraph introducing it
    list_intro_end: re.Pattern[str]  # how a paragraph introducing a list ends (：)
    label: str  # the reference's label: "第 {n} 段"


@dataclass(frozen=True)
class GroupHeadings:
    """Un-numbered heading lines standing directly above the next `before` marker."""

    before: str  # a marker name
    level: int
    heading_like: bool = True  # the line must look like a heading (else any line will do)


@dataclass(frozen=True)
class Rules:
    """Everything the generic parser needs to know about one document's layout."""

    markers: tuple[Marker, ...]
    bullets: re.Pattern[str]
    bureaux: re.Pattern[str] | None
    bureau_separators: re.Pattern[str]
    drop_lines: tuple[re.Pattern[str], ...]
    repeated_line_min: int
    repeated_line_max_chars: int
    page_edge_lines: int
    bureaux_column: re.Pattern[str] | None
    start_at: re.Pattern[str] | None
    start_after: re.Pattern[str] | None
    stop_at: re.Pattern[str] | None
    title_max_chars: int
    heading_max_chars: int
    title_lead: re.Pattern[str] | None
    title_fallback: str
    paragraph_breaks: str
    paragraph_end: re.Pattern[str] | None
    spaced_line_breaks: bool
    open_at_paragraph_start: bool
    glued_page_breaks: bool
    split_inline_bullets: bool
    sub_paragraph: re.Pattern[str] | None
    closing_paragraph: bool
    bureaux_scope: str
    footnotes: Footnotes | None
    references: References | None
    group_headings: GroupHeadings | None
    key_scheme: str
    label_joiner: str
    skip_preamble: bool
    empty_is_error: bool


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise RulesError(f"{where}: bad pattern {pattern!r} ({error})") from error


def _optional(pattern: str | None, where: str) -> re.Pattern[str] | None:
    return _compile(pattern, where) if pattern else None


def _choice(value: object, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise RulesError(f"{where} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def _marker(entry: dict[str, Any]) -> Marker:
    name = str(entry.get("name", "?"))
    if entry.get("role") not in (HEADING, ITEM) or entry.get("numeral") not in NUMERALS:
        raise RulesError(f"marker {name}: role must be heading|item, numeral one of {NUMERALS}")
    pattern = _compile(str(entry["pattern"]), f"marker {name}")
    if "n" not in pattern.groupindex and entry["numeral"] not in ("none", "position"):
        raise RulesError(f"marker {name}: the pattern needs a group (?P<n>…) for the number")
    return Marker(
        name,
        pattern,
        str(entry["role"]),
        int(entry["level"]),
        str(entry["numeral"]),
        _choice(entry.get("sequence", "loose"), SEQUENCES, f"marker {name}: sequence"),
        bool(entry.get("title_line", False)),
        _choice(entry.get("title_wraps", "no"), TITLE_WRAPS, f"marker {name}: title_wraps"),
        bool(entry.get("heading_like", False)),
        str(entry.get("under", "")),
        bool(entry.get("at_paragraph_start", False)),
        _choice(entry.get("in_path", "line"), IN_PATH, f"marker {name}: in_path"),
        str(entry.get("key_prefix", "")),
        str(entry.get("label_format", "{label}")),
        entry.get("label_separator"),
        bool(entry.get("one_paragraph", False)),
    )


def _footnotes(entry: dict[str, Any] | None) -> Footnotes | None:
    if not entry:
        return None
    marker = _compile(str(entry["marker"]), "footnotes: marker")
    if "n" not in marker.groupindex:
        raise RulesError("footnotes: the marker pattern needs a group (?P<n>…)")
    return Footnotes(marker, int(entry["reach"]), str(entry["note"]))


def _references(entry: dict[str, Any] | None) -> References | None:
    if not entry:
        return None
    where = "references"
    return References(
        citation=_compile(str(entry["citation"]), f"{where}: citation"),
        cited=_compile(str(entry["cited"]), f"{where}: cited"),
        range_marks=tuple(str(mark) for mark in entry["range_marks"]),
        paragraph=_compile(str(entry["paragraph"]), f"{where}: paragraph"),
        list_item=_compile(str(entry["list_item"]), f"{where}: list_item"),
        list_intro_end=_compile(str(entry["list_intro_end"]), f"{where}: list_intro_end"),
        label=str(entry["label"]),
    )


def _group_headings(entry: dict[str, Any] | None, markers: tuple[Marker, ...]) -> Any:
    if not entry:
        return None
    before = str(entry["before"])
    if before not in {marker.name for marker in markers}:
        raise RulesError(f"group_headings: before names no marker: {before!r}")
    return GroupHeadings(before, int(entry["level"]), bool(entry.get("heading_like", True)))


def rule_settings(overrides: str | dict[str, Any] | None = None) -> dict[str, Any]:
    """The generic settings with a named rule set or inline overrides applied."""
    data = load_yaml(RULES_FILE)
    settings = dict(data["generic"])
    if isinstance(overrides, str):
        named: dict[str, Any] | None = (data.get("rule_sets") or {}).get(overrides)
        if named is None:
            raise RulesError(f"unknown rule set {overrides!r} (data/{RULES_FILE}: rule_sets)")
        overrides = named
    if overrides:
        unknown = set(overrides) - set(settings)
        if unknown:
            raise RulesError(f"unknown rule keys: {', '.join(sorted(unknown))}")
        settings.update(overrides)
    return settings


def load_rules(overrides: str | dict[str, Any] | None = None) -> Rules:
    """Compile the rules (generic defaults, then a rule set name or inline overrides)."""
    settings = rule_settings(overrides)
    try:
        return _rules(settings)
    except (KeyError, TypeError) as error:
        raise RulesError(f"data/{RULES_FILE}: missing or malformed rule {error}") from error


def _rules(settings: dict[str, Any]) -> Rules:
    markers = tuple(_marker(entry) for entry in settings["markers"])
    return Rules(
        markers=markers,
        bullets=_compile(settings["bullets"], "bullets"),
        bureaux=_optional(settings["bureaux"], "bureaux"),
        bureau_separators=_compile(settings["bureau_separators"], "bureau_separators"),
        drop_lines=tuple(_compile(p, "drop_lines") for p in settings["drop_lines"] or ()),
        repeated_line_min=int(settings["repeated_line_min"]),
        repeated_line_max_chars=int(settings["repeated_line_max_chars"]),
        page_edge_lines=int(settings["page_edge_lines"]),
        bureaux_column=_optional(settings.get("bureaux_column"), "bureaux_column"),
        start_at=_optional(settings.get("start_at"), "start_at"),
        start_after=_optional(settings.get("start_after"), "start_after"),
        stop_at=_optional(settings.get("stop_at"), "stop_at"),
        title_max_chars=int(settings["title_max_chars"]),
        heading_max_chars=int(settings["heading_max_chars"]),
        title_lead=_optional(settings.get("title_lead"), "title_lead"),
        title_fallback=_choice(settings["title_fallback"], TITLE_FALLBACKS, "title_fallback"),
        paragraph_breaks=_choice(
            settings["paragraph_breaks"], PARAGRAPH_BREAKS, "paragraph_breaks"
        ),
        paragraph_end=_optional(settings.get("paragraph_end"), "paragraph_end"),
        spaced_line_breaks=bool(settings["spaced_line_breaks"]),
        open_at_paragraph_start=bool(settings["open_at_paragraph_start"]),
        glued_page_breaks=bool(settings["glued_page_breaks"]),
        split_inline_bullets=bool(settings["split_inline_bullets"]),
        sub_paragraph=_optional(settings.get("sub_paragraph"), "sub_paragraph"),
        closing_paragraph=bool(settings["closing_paragraph"]),
        bureaux_scope=_choice(settings["bureaux_scope"], BUREAUX_SCOPES, "bureaux_scope"),
        footnotes=_footnotes(settings.get("footnotes")),
        references=_references(settings.get("references")),
        group_headings=_group_headings(settings.get("group_headings"), markers),
        key_scheme=_choice(settings["key_scheme"], KEY_SCHEMES, "key_scheme"),
        label_joiner=str(settings["label_joiner"]),
        skip_preamble=bool(settings["skip_preamble"]),
        empty_is_error=bool(settings["empty_is_error"]),
    )


# --- numerals -------------------------------------------------------------------------------

_CN = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_ROMAN_GLYPHS = "ⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹⅺⅻ"


def chinese_value(numeral: str) -> int:
    """一 → 1, 十 → 10, 十三 → 13, 二十一 → 21."""
    if "十" not in numeral:
        return _CN.get(numeral, 0) if len(numeral) == 1 else 0
    tens, _, units = numeral.partition("十")
    return (_CN.get(tens, 0) if tens else 1) * 10 + (_CN.get(units, 0) if units else 0)


def roman_value(numeral: str) -> int:
    """IV → 4, xii → 12, Ⅲ → 3."""
    lowered = numeral.lower()
    if len(lowered) == 1 and lowered in _ROMAN_GLYPHS:
        return _ROMAN_GLYPHS.index(lowered) + 1
    total = 0
    values = [_ROMAN.get(char, 0) for char in lowered]
    for index, value in enumerate(values):
        following = values[index + 1] if index + 1 < len(values) else 0
        total += -value if value < following else value
    return total


NUMERALS: dict[str, Any] = {
    "arabic": int,
    "chinese": chinese_value,
    "roman": roman_value,
    "letter": lambda n: ord(n.lower()) - ord("a") + 1,
    "circled": lambda n: ord(n) - ord("①") + 1,
    "stem": lambda n: "甲乙丙丁戊己庚辛壬癸".index(n) + 1,
    "none": lambda n: 1,  # an un-numbered heading (its pattern has no group `n`)
    "position": lambda n: 1,  # unnumbered items (bullets) counted under their parent
}


def key_part(marker: Marker, number: str, value: int) -> str:
    """The ASCII key segment of a label: letters stay letters, every other numeral its value."""
    if marker.numeral == "none":
        return ""
    return marker.key_prefix + (number.lower() if marker.numeral == "letter" else str(value))
