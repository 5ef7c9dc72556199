"""The generic structure parser for Chinese policy documents, driven by data/layouts.yaml.

It reads the numbering a document prints: chapters (一、), parts (第一章), roman numerals,
甲、乙、, （一）, numbered items (1. / (1) / (a) / a. / ① / (i)), bullets, and bracketed bureaux at
the end of an item. Which marker opens a heading and which a recommendation, at which level,
what is page furniture: all of that is data (`Rules`), so a new document needs no code; a
document whose layout differs declares its differences in the data too (see data/layouts.yaml).

Records: every item is a recommendation, keyed by the numbers printed above and on it
(`2-3-a`: chapter 二, item 3, sub-item (a)); its section path is the headings (and parent
items) above it. An item whose only content is a short heading-like line and that has items
under it is a heading, not a record.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bot.ingest.clean import BULLET, format_body, is_page_furniture, normalize_line
from bot.ingest.document import ParsedRecommendation
from bot.resources import load_yaml

RULES_FILE = "layouts.yaml"
HEADING, ITEM = "heading", "item"
_SENTENCE_PUNCT = re.compile(r"[。！？；]")
_CLAUSE_END = re.compile(r"[。！？；：，]")
_TRAILING_LABEL_PUNCT = re.compile(r"[\s、.．:：]+$")


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


@dataclass(frozen=True)
class Rules:
    """Everything the generic parser needs to know about one document's layout."""

    markers: tuple[Marker, ...]
    bullets: re.Pattern[str]
    bureaux: re.Pattern[str]
    bureau_separators: re.Pattern[str]
    drop_lines: tuple[re.Pattern[str], ...]
    repeated_line_min: int
    repeated_line_max_chars: int
    start_after: re.Pattern[str] | None
    stop_at: re.Pattern[str] | None
    title_max_chars: int


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise RulesError(f"{where}: bad pattern {pattern!r} ({error})") from error


def _optional(pattern: str | None, where: str) -> re.Pattern[str] | None:
    return _compile(pattern, where) if pattern else None


def _marker(entry: dict[str, Any]) -> Marker:
    name = str(entry.get("name", "?"))
    if entry.get("role") not in (HEADING, ITEM) or entry.get("numeral") not in NUMERALS:
        raise RulesError(f"marker {name}: role must be heading|item, numeral one of {NUMERALS}")
    pattern = _compile(str(entry["pattern"]), f"marker {name}")
    if "n" not in pattern.groupindex:
        raise RulesError(f"marker {name}: the pattern needs a group (?P<n>…) for the number")
    return Marker(name, pattern, str(entry["role"]), int(entry["level"]), str(entry["numeral"]))


def rule_settings(overrides: str | dict[str, Any] | None = None) -> dict[str, Any]:
    """The generic settings with a named rule set or inline overrides applied."""
    data = load_yaml(RULES_FILE)
    settings = dict(data["generic"])
    if isinstance(overrides, str):
        named = (data.get("rule_sets") or {}).get(overrides)
        if named is None:
            raise RulesError(f"unknown rule set {overrides!r} (data/{RULES_FILE}: rule_sets)")
        settings.update(named)
    elif overrides:
        unknown = set(overrides) - set(settings)
        if unknown:
            raise RulesError(f"unknown rule keys: {', '.join(sorted(unknown))}")
        settings.update(overrides)
    return settings


def load_rules(overrides: str | dict[str, Any] | None = None) -> Rules:
    """Compile the rules (generic defaults, then a rule set name or inline overrides)."""
    settings = rule_settings(overrides)
    try:
        return Rules(
            markers=tuple(_marker(entry) for entry in settings["markers"]),
            bullets=_compile(settings["bullets"], "bullets"),
            bureaux=_compile(settings["bureaux"], "bureaux"),
            bureau_separators=_compile(settings["bureau_separators"], "bureau_separators"),
            drop_lines=tuple(_compile(p, "drop_lines") for p in settings["drop_lines"] or ()),
            repeated_line_min=int(settings["repeated_line_min"]),
            repeated_line_max_chars=int(settings["repeated_line_max_chars"]),
            start_after=_optional(settings.get("start_after"), "start_after"),
            stop_at=_optional(settings.get("stop_at"), "stop_at"),
            title_max_chars=int(settings["title_max_chars"]),
        )
    except (KeyError, TypeError) as error:
        raise RulesError(f"data/{RULES_FILE}: missing or malformed rule {error}") from error


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
}


def key_part(marker: Marker, number: str, value: int) -> str:
    """The ASCII key segment of a label: letters stay letters, every other numeral its value."""
    return number.lower() if marker.numeral == "letter" else str(value)


# --- the tree ---------------------------------------------------------------------------------


@dataclass
class Node:
    """A heading or item of the document and the lines under it (before its first child)."""

    role: str
    level: int
    label: str  # as printed, trailing punctuation removed: "一", "3", "(a)", "①"
    key: str  # its segment of the record key
    line: str  # its whole first line, label included: how it reads in a section path
    first: str  # the rest of its first line (after the label)
    lines: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None


def _attach(current: Node, marker: Marker, found: re.Match[str], value: int) -> Node:
    """A new node under the nearest open node of a smaller level."""
    parent = current
    while parent.level >= marker.level and parent.parent is not None:
        parent = parent.parent
    label = _TRAILING_LABEL_PUNCT.sub("", found.group(0).strip())
    line = found.string
    node = Node(
        marker.role,
        marker.level,
        label,
        key_part(marker, found.group("n"), value),
        line,
        line[found.end() :],
        parent=parent,
    )
    parent.children.append(node)
    return node


def _furniture(lines: list[str], rules: Rules) -> set[str]:
    """Short lines repeated on many pages (running headers/footers)."""
    counts = Counter(line for line in lines if len(line) <= rules.repeated_line_max_chars)
    return {line for line, count in counts.items() if count >= rules.repeated_line_min}


def content_lines(text: str, rules: Rules) -> list[str]:
    """The document's lines, normalized, without blank lines, page furniture and anything
    outside start_after … stop_at."""
    lines = [normalize_line(raw) for raw in text.splitlines()]
    if rules.start_after is not None:
        start = next((i for i, line in enumerate(lines) if rules.start_after.search(line)), -1)
        lines = lines[start + 1 :]
    if rules.stop_at is not None:
        stop = next((i for i, line in enumerate(lines) if rules.stop_at.search(line)), None)
        lines = lines[:stop]
    lines = [line for line in lines if line and not is_page_furniture(line)]
    lines = [line for line in lines if not any(p.search(line) for p in rules.drop_lines)]
    repeated = _furniture(lines, rules)
    kept = []
    for line in lines:
        if line in repeated and _match(line, rules) is None:
            continue
        kept.append(line)
    return kept


def _match(
    line: str, rules: Rules, last_value: dict[str, int] | None = None
) -> tuple[Marker, re.Match[str], int] | None:
    """The first marker that opens this line: its pattern matches and its number is 1 or the
    next in its sequence (without `last_value`, any number)."""
    for marker in rules.markers:
        found = marker.pattern.match(line)
        if not found:
            continue
        try:
            value = int(NUMERALS[marker.numeral](found.group("n")))
        except (ValueError, IndexError):
            continue
        if value <= 0:
            continue
        if last_value is None or value == 1 or value == last_value.get(marker.name, 0) + 1:
            return marker, found, value
    return None


def build_tree(text: str, rules: Rules) -> Node:
    """The document's headings and items, in order, with their lines."""
    root = Node(HEADING, 0, "", "", "", "")
    current = root
    last_value: dict[str, int] = {}  # marker name -> the last number it opened
    for line in content_lines(text, rules):
        matched = _match(line, rules, last_value)
        if matched is not None:
            marker, found, value = matched
            current = _attach(current, marker, found, value)
            last_value[marker.name] = value  # kept across parents: numbering may run on
        elif current is not root:
            bullet = rules.bullets.match(line)
            current.lines.append(BULLET + " " + line[bullet.end() :] if bullet else line)
    return root


# --- records --------------------------------------------------------------------------------


def _own_text(node: Node) -> str:
    return format_body([node.first, *node.lines])


def _is_heading_like(node: Node, rules: Rules) -> bool:
    """An item with children whose own text is one short line without a full stop."""
    if not node.children or node.lines:
        return False
    first = node.first.strip()
    return len(first) <= rules.title_max_chars and not _SENTENCE_PUNCT.search(first)


def title_of(text: str, rules: Rules) -> str:
    """The first clause (up to the first 。，；： …) if short enough, else the opening words."""
    first_line = text.split("\n", 1)[0].removeprefix(BULLET + " ")
    bureaux = rules.bureaux.search(first_line)
    first_line = first_line[: bureaux.start()] if bureaux else first_line
    clause = _CLAUSE_END.split(first_line, 1)[0].strip()
    if 2 <= len(clause) <= rules.title_max_chars:
        return clause
    short = first_line[: rules.title_max_chars].strip()
    return short + ("…" if len(first_line) > rules.title_max_chars else "")


def bureaux_of(text: str, rules: Rules) -> tuple[str, ...]:
    """Bureaux named in brackets at the end of a text: （發展局、運輸及物流局）."""
    found = rules.bureaux.search(text.strip())
    if not found:
        return ()
    names = rules.bureau_separators.split(found.group("names"))
    return tuple(name.strip() for name in names if name.strip())


def _records(node: Node, rules: Rules, path: tuple[Node, ...]) -> list[ParsedRecommendation]:
    records: list[ParsedRecommendation] = []
    for child in node.children:
        chain = (*path, child)
        text = _own_text(child)
        if child.role == ITEM and text and not _is_heading_like(child, rules):
            records.append(_record(child, chain, text, rules))
        records.extend(_records(child, rules, chain))
    return records


def _record(node: Node, chain: tuple[Node, ...], text: str, rules: Rules) -> ParsedRecommendation:
    items = [n for n in chain if n.role == ITEM]
    headings = [n for n in chain[:-1] if n.role == HEADING or n in items]
    bureaux = bureaux_of(text, rules)
    for ancestor in reversed(chain[:-1]):
        if bureaux:
            break
        bureaux = bureaux_of(ancestor.first, rules)
    return ParsedRecommendation(
        key="-".join(n.key for n in chain),
        label=".".join(n.label for n in chain),
        title=title_of(text, rules),
        text=text,
        section_path=tuple(n.line for n in headings),
        bureaux=bureaux,
    )


def _unique_keys(records: list[ParsedRecommendation]) -> list[ParsedRecommendation]:
    """A label printed twice under the same parent (a document's own typo) gets a suffix."""
    seen: Counter[str] = Counter()
    unique = []
    for record in records:
        seen[record.key] += 1
        if seen[record.key] > 1:
            record = ParsedRecommendation(
                key=f"{record.key}x{seen[record.key]}",
                label=record.label,
                title=record.title,
                text=record.text,
                section_path=record.section_path,
                bureaux=record.bureaux,
            )
        unique.append(record)
    return unique


def _skip_preamble(root: Node) -> Node:
    """Items before the first heading belong to a summary or foreword, when there are headings."""
    first_heading = next((i for i, n in enumerate(root.children) if n.role == HEADING), None)
    if first_heading:
        root.children = root.children[first_heading:]
    return root


def parse(text: str, rules: Rules | None = None) -> list[ParsedRecommendation]:
    """Every recommendation of a document, in order."""
    rules = rules or load_rules()
    return _unique_keys(_records(_skip_preamble(build_tree(text, rules)), rules, ()))


def parser_with(overrides: str | dict[str, Any] | None) -> Any:
    """`parse` bound to the generic rules with a rule set name or inline overrides applied."""
    return partial(parse, rules=load_rules(overrides))
