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

from bot.ingest.clean import BULLET, ends_sentence, format_body, is_page_furniture, normalize_line
from bot.ingest.document import ParsedRecommendation
from bot.ingest.layouts.generic_rules import (
    HEADING,
    ITEM,
    NUMERALS,
    Marker,
    Rules,
    RulesError,
    chinese_value,
    key_part,
    load_rules,
    roman_value,
    rule_settings,
)

__all__ = ["RulesError", "chinese_value", "load_rules", "parse", "parser_with", "roman_value"]
__all__ += ["rule_settings"]

_SENTENCE_PUNCT = re.compile(r"[。！？；]")
_CLAUSE_END = re.compile(r"[。！？；：，]")
_HEADING_PUNCT = re.compile(r"[。，；：！？、]")  # a heading line carries none of these
_TRAILING_LABEL_PUNCT = re.compile(r"[\s、.．:：]+$")


@dataclass(frozen=True)
class Line:
    """A cleaned content line; `ends_paragraph` is read from the raw line when the rules say so."""

    text: str
    ends_paragraph: bool = False


# --- lines ------------------------------------------------------------------------------------


def _ends_paragraph(raw: str, cleaned: str, rules: Rules) -> bool:
    """`trailing_whitespace`: the extraction ends a paragraph's last line with a sentence mark AND
    trailing whitespace; a soft-wrapped line that happens to end with 。 has none."""
    if rules.paragraph_breaks != "trailing_whitespace":
        return False
    return raw != raw.rstrip() and ends_sentence(cleaned)


def _region(lines: list[tuple[str, str]], rules: Rules) -> list[tuple[str, str]]:
    """The lines from start_at (inclusive) or after start_after, up to stop_at (exclusive)."""
    if rules.start_at is not None:
        start = next((i for i, (_, line) in enumerate(lines) if rules.start_at.search(line)), 0)
        lines = lines[start:]
    if rules.start_after is not None:
        start = next((i for i, (_, line) in enumerate(lines) if rules.start_after.search(line)), -1)
        lines = lines[start + 1 :]
    if rules.stop_at is not None:
        stop = next((i for i, (_, line) in enumerate(lines) if rules.stop_at.search(line)), None)
        lines = lines[:stop]
    return lines


def _furniture(lines: list[str], rules: Rules) -> set[str]:
    """Short lines repeated on many pages (running headers/footers)."""
    counts = Counter(line for line in lines if len(line) <= rules.repeated_line_max_chars)
    return {line for line, count in counts.items() if count >= rules.repeated_line_min}


def _dropped(line: str, rules: Rules) -> bool:
    return not line or is_page_furniture(line) or any(p.search(line) for p in rules.drop_lines)


def content_lines(text: str, rules: Rules) -> list[Line]:
    """The document's lines, normalized, without blank lines, page furniture and anything
    outside the region (start_at / start_after … stop_at)."""
    pairs = _region([(raw, normalize_line(raw)) for raw in text.splitlines()], rules)
    pairs = [(raw, line) for raw, line in pairs if not _dropped(line, rules)]
    repeated = _furniture([line for _, line in pairs], rules)
    return [
        Line(line, _ends_paragraph(raw, line, rules))
        for raw, line in pairs
        if line not in repeated or _first_match(line, rules) is not None
    ]


def _first_match(line: str, rules: Rules) -> re.Match[str] | None:
    return next((m for m in (mk.pattern.match(line) for mk in rules.markers) if m), None)


def looks_like_heading(text: str, rules: Rules) -> bool:
    """Short and without clause punctuation: a heading, not a line of running prose."""
    text = text.strip()
    return bool(text) and len(text) <= rules.heading_max_chars and not _HEADING_PUNCT.search(text)


# --- the tree ---------------------------------------------------------------------------------


@dataclass
class Node:
    """A heading or item of the document and the lines under it (before its first child)."""

    role: str
    level: int
    label: str  # as printed, trailing punctuation removed: "一", "3", "(a)", "①"
    key: str  # its segment of the record key ("" for an un-numbered group heading)
    line: str  # its whole first line, label included: how it reads in a section path
    first: str  # the rest of its first line (after the label)
    marker: str = ""  # the name of the marker that opened it
    title_line: bool = False  # `first` is its title, not the start of its text
    lines: list[Line] = field(default_factory=list)  # its text, `first` included unless a title
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None


def _parent_for(current: Node, level: int) -> Node:
    """The nearest open node of a smaller level."""
    parent = current
    while parent.level >= level and parent.parent is not None:
        parent = parent.parent
    return parent


class _TreeBuilder:
    """Feeds content lines into the tree, one at a time.

    A line opens a node when a marker matches it with an acceptable number (see `sequence`);
    with `open_at_paragraph_start`, only a line that starts a paragraph may open one.
    """

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.root = Node(HEADING, 0, "", "", "", "")
        self.current = self.root
        self.last_value: dict[str, int] = {}  # marker name -> the last number it opened
        self.paragraph_start = True

    def feed(self, line: Line, following: str) -> None:
        """Take the next line; `following` is the text of the line after it."""
        may_open = self.paragraph_start or not self.rules.open_at_paragraph_start
        if may_open and self._open_marker(line):
            return
        if may_open and self._open_group(line.text, following):
            return  # the line after a heading starts a paragraph
        if self.current is not self.root:
            bullet = self.rules.bullets.match(line.text)
            text = BULLET + " " + line.text[bullet.end() :] if bullet else line.text
            self.current.lines.append(Line(text, line.ends_paragraph))
        self.paragraph_start = line.ends_paragraph

    def match(self, text: str) -> tuple[Marker, re.Match[str], int] | None:
        """The first marker that opens this line with an acceptable number."""
        for marker in self.rules.markers:
            found = marker.pattern.match(text)
            if not found:
                continue
            if marker.title_line and not looks_like_heading(text[found.end() :], self.rules):
                continue
            try:
                value = int(NUMERALS[marker.numeral](found.group("n")))
            except (ValueError, IndexError):
                continue
            if value > 0 and value in self._acceptable(marker):
                return marker, found, value
        return None

    def _acceptable(self, marker: Marker) -> set[int]:
        """loose: 1 or the next of this marker anywhere (numbering may run on across parents);
        document: exactly the next; parent: exactly the next under the same parent."""
        if marker.sequence == "parent":
            siblings = _parent_for(self.current, marker.level).children
            return {1 + sum(1 for node in siblings if node.marker == marker.name)}
        following = self.last_value.get(marker.name, 0) + 1
        return {following} if marker.sequence == "document" else {1, following}

    def _open_marker(self, line: Line) -> bool:
        matched = self.match(line.text)
        if matched is None:
            return False
        marker, found, value = matched
        label = _TRAILING_LABEL_PUNCT.sub("", found.group(0).strip())
        rest = line.text[found.end() :]
        node = self._attach(
            Node(marker.role, marker.level, label, key_part(marker, found.group("n"), value),
                 line.text, rest, marker.name, marker.title_line)
        )  # fmt: skip
        self.last_value[marker.name] = value
        if not marker.title_line:
            node.lines.append(Line(rest, line.ends_paragraph))
            self.paragraph_start = line.ends_paragraph
        return True

    def _open_group(self, text: str, following: str) -> bool:
        """An un-numbered heading line directly above the next expected `before` marker."""
        groups = self.rules.group_headings
        if groups is None or not looks_like_heading(text, self.rules):
            return False
        upcoming = self.match(following)
        if upcoming is None or upcoming[0].name != groups.before:
            return False
        self._attach(Node(HEADING, groups.level, text, "", text, text, "group", True))
        return True

    def _attach(self, node: Node) -> Node:
        node.parent = _parent_for(self.current, node.level)
        node.parent.children.append(node)
        self.current = node
        return node


def build_tree(text: str, rules: Rules) -> Node:
    """The document's headings and items, in order, with their lines."""
    builder = _TreeBuilder(rules)
    lines = content_lines(text, rules)
    for index, line in enumerate(lines):
        builder.feed(line, lines[index + 1].text if index + 1 < len(lines) else "")
    return builder.root


# --- records --------------------------------------------------------------------------------


def _paragraphs(lines: list[Line]) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        paragraphs[-1].append(line.text)
        if line.ends_paragraph:
            paragraphs.append([])
    return [paragraph for paragraph in paragraphs if any(paragraph)]


def _own_text(node: Node) -> str:
    """Its text: one line per paragraph, bullets on lines of their own."""
    return "\n".join(format_body(paragraph) for paragraph in _paragraphs(node.lines))


def _is_heading_like(node: Node, rules: Rules) -> bool:
    """An item with children whose own text is one short line without a full stop."""
    if node.title_line or not node.children or len(node.lines) > 1:
        return False
    first = node.first.strip()
    return len(first) <= rules.title_max_chars and not _SENTENCE_PUNCT.search(first)


def title_of(text: str, rules: Rules) -> str:
    """The first clause (up to the first 。，；： …) if short enough, else the opening words."""
    first_line = text.split("\n", 1)[0].removeprefix(BULLET + " ")
    bureaux = rules.bureaux.search(first_line) if rules.bureaux else None
    first_line = first_line[: bureaux.start()] if bureaux else first_line
    clause = _CLAUSE_END.split(first_line, 1)[0].strip()
    if 2 <= len(clause) <= rules.title_max_chars:
        return clause
    short = first_line[: rules.title_max_chars].strip()
    return short + ("…" if len(first_line) > rules.title_max_chars else "")


def _title(node: Node, text: str, rules: Rules) -> str:
    """A title line as printed; else `title_lead` (group 1) or, failing that, the fallback:
    the parent's title or the opening words."""
    if node.title_line:
        return node.first.strip()
    if rules.title_lead is None:
        return title_of(text, rules)
    lead = rules.title_lead.match(text)
    if lead:
        return lead.group(1)
    if rules.title_fallback == "parent" and node.parent is not None and node.parent.first:
        return node.parent.first.strip()
    return title_of(text, rules)


def bureaux_of(text: str, rules: Rules) -> tuple[str, ...]:
    """Bureaux named in brackets at the end of a text: （發展局、運輸及物流局）."""
    found = rules.bureaux.search(text.strip()) if rules.bureaux else None
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


def _keyed(chain: tuple[Node, ...], rules: Rules) -> list[Node]:
    """The nodes whose numbers make the key: the whole path, or its items only."""
    keyed = [n for n in chain if n.key]
    return [n for n in keyed if n.role == ITEM] if rules.key_scheme == "items" else keyed


def _record(node: Node, chain: tuple[Node, ...], text: str, rules: Rules) -> ParsedRecommendation:
    bureaux = bureaux_of(text, rules)
    for ancestor in reversed(chain[:-1]):
        if bureaux:
            break
        bureaux = bureaux_of(ancestor.first, rules)
    keyed = _keyed(chain, rules)
    return ParsedRecommendation(
        key="-".join(n.key for n in keyed),
        label=rules.label_joiner.join(n.label for n in keyed),
        title=_title(node, text, rules),
        text=text,
        section_path=tuple(n.line for n in chain[:-1]),
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
    root = build_tree(text, rules)
    if rules.skip_preamble:
        root = _skip_preamble(root)
    records = _unique_keys(_records(root, rules, ()))
    if not records and rules.empty_is_error:
        raise ValueError("no numbered section or item found: the text does not follow these rules")
    return records


def parser_with(overrides: str | dict[str, Any] | None) -> Any:
    """`parse` bound to the generic rules with a rule set name or inline overrides applied."""
    return partial(parse, rules=load_rules(overrides))
