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
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from bot.ingest.clean import BULLET, format_body, join_two
from bot.ingest.document import ParsedRecommendation
from bot.ingest.layouts.generic_lines import Line, TraceEntry, content_lines, whole_text_lines
from bot.ingest.layouts.generic_refs import numbered_paragraphs, references
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
__all__ += ["rule_settings", "trace"]

_SENTENCE_PUNCT = re.compile(r"[。！？；]")
_CLAUSE_END = re.compile(r"[。！？；：，]")
_HEADING_PUNCT = re.compile(r"[。，；：！？、]")  # a heading line carries none of these
_TRAILING_LABEL_PUNCT = re.compile(r"[\s、.．:：]+$")

# What became of a piece of a content line (see `trace`); generic_lines names the others.
HEADING_LINE, LABEL, TITLE, TEXT = "heading", "label", "title", "text"
HEADING_TEXT, UNATTACHED = "heading-text", "unattached"


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
    key: str  # its segment of the record key ("" for an un-numbered heading)
    line: str  # its whole first line, label included: how it reads in a section path
    first: str  # the rest of its first line (after the label)
    marker: str = ""  # the name of the marker that opened it
    title_line: bool = False  # `first` is its title, not the start of its text
    # Its text, `first` included unless a title: (line, starts a paragraph).
    lines: list[tuple[str, bool]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # footnotes, in order
    spec: Marker | None = None  # the marker that opened it (None: the root or a group heading)
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None


def _parent_for(current: Node, level: int) -> Node:
    """The nearest open node of a smaller level."""
    parent = current
    while parent.level >= level and parent.parent is not None:
        parent = parent.parent
    return parent


def _number(found: re.Match[str]) -> str:
    return found.groupdict().get("n") or ""


class _TreeBuilder:
    """Feeds content lines into the tree, one at a time.

    A line opens a node when a marker matches it with an acceptable number (see `sequence`);
    with `open_at_paragraph_start` (or a marker's `at_paragraph_start`), only a line that starts
    a paragraph may open one.
    """

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.root = Node(HEADING, 0, "", "", "", "")
        self.current = self.root
        self.last_value: dict[str, int] = {}  # marker name -> the last number it opened
        self.paragraph_start = True  # the previous line ended a paragraph
        self.open_title: Line | None = None  # the last line of a title that may wrap on
        self.closed = False  # a closing paragraph came: no record may follow
        self.trace: list[tuple[TraceEntry, Node | None]] = []  # each piece and its node

    def _note(self, line: Line, kind: str, text: str) -> None:
        """Trace a piece of `line` as part of the current node, with what was moved onto it."""
        node = None if self.current is self.root else self.current
        self.trace.append(((line.number, kind, text), node))
        self.trace.extend((moved, node) for moved in line.moved)
        self.current.notes.extend(line.notes)

    def feed(self, line: Line, following: str) -> None:
        """Take the next line; `following` is the text of the line after it."""
        starts = self.paragraph_start or (self.rules.spaced_line_breaks and line.spaced)
        opens = starts or (self.rules.glued_page_breaks and line.page_break)
        if (opens or not self.rules.open_at_paragraph_start) and (
            self._open_marker(line, opens) or self._open_group(line, following)
        ):
            return
        if self._wrap_title(line):
            return
        sub_paragraph = bool(self.rules.sub_paragraph and self.rules.sub_paragraph.match(line.text))
        if self.current is self.root or (starts and not sub_paragraph and self._finished()):
            self.trace.append(((line.number, UNATTACHED, line.text), None))
        else:
            bullet = self.rules.bullets.match(line.text)
            text = BULLET + " " + line.text[bullet.end() :] if bullet else line.text
            self.current.lines.append((text, starts or sub_paragraph))
            self._note(line, TEXT if self.current.role == ITEM else HEADING_TEXT, line.text)
        self.paragraph_start = line.ends_paragraph(self.rules)

    def _finished(self) -> bool:
        """A `one_paragraph` item ends with its paragraph: a line starting another one (and
        opening nothing) belongs to no record; with `closing_paragraph`, it ends the records."""
        node = self.current
        if node.spec is None or not node.spec.one_paragraph or not node.lines:
            return False
        if self.rules.closing_paragraph:
            self.closed = True
            self.current = self.root
        return True

    def match(self, text: str, opens: bool = True) -> tuple[Marker, re.Match[str], int] | None:
        """The first marker that opens this line with an acceptable number (`opens`: the line
        starts a paragraph or a page)."""
        for marker in self.rules.markers:
            found = marker.pattern.match(text)
            if not found or (marker.at_paragraph_start and not opens) or not self._placed(marker):
                continue
            if marker.heading_like and not looks_like_heading(text[found.end() :], self.rules):
                continue
            try:
                value = self._value(marker, found)
            except (ValueError, IndexError):
                continue
            if value > 0 and self._acceptable(marker, value):
                return marker, found, value
        return None

    def _placed(self, marker: Marker) -> bool:
        """A marker `under` another one opens only right below a node of that marker."""
        return not marker.under or _parent_for(self.current, marker.level).marker == marker.under

    def _siblings(self, marker: Marker) -> int:
        siblings = _parent_for(self.current, marker.level).children
        return sum(1 for node in siblings if node.marker == marker.name)

    def _value(self, marker: Marker, found: re.Match[str]) -> int:
        """The printed number; for `position` (bullets), the place under its parent."""
        if marker.numeral == "position":
            return 1 + self._siblings(marker)
        return int(NUMERALS[marker.numeral](_number(found)))

    def _acceptable(self, marker: Marker, value: int) -> bool:
        """loose: 1 or the next of this marker anywhere (numbering may run on across parents);
        document: exactly the next; parent: exactly the next under the same parent; any."""
        if marker.sequence == "any" or marker.numeral in ("none", "position"):
            return True
        if marker.sequence == "parent":
            return value == 1 + self._siblings(marker)
        following = self.last_value.get(marker.name, 0) + 1
        return value == following or (marker.sequence == "loose" and value == 1)

    def _open_marker(self, line: Line, opens: bool) -> bool:
        matched = self.match(line.text, opens)
        if matched is None:
            return False
        marker, found, value = matched
        if self.closed and marker.role == ITEM:
            raise ValueError(f"a record after the closing paragraph: {line.text!r}")
        printed = found.groupdict().get("label") or _TRAILING_LABEL_PUNCT.sub("", found[0].strip())
        label = marker.label_format.format(label=printed, n=value)
        rest = line.text[found.end() :]
        key = key_part(marker, _number(found), value)
        node = Node(marker.role, marker.level, label, key, line.text, rest, marker.name)
        node.title_line, node.spec = marker.title_line, marker
        self._attach(node)
        if marker.role == HEADING:
            self._note(line, HEADING_LINE, line.text)
        else:
            self._note(line, LABEL, found.group(0))
            self.trace.append(((line.number, TITLE if marker.title_line else TEXT, rest), node))
        self.last_value[marker.name] = value
        self.open_title = line if marker.title_wraps != "no" else None
        if not marker.title_line:
            node.lines.append((rest, True))
            self.paragraph_start = line.ends_paragraph(self.rules)
        else:
            self.paragraph_start = True  # the line after a heading starts a paragraph
        return True

    def _open_group(self, line: Line, following: str) -> bool:
        """An un-numbered heading line directly above the next expected `before` marker."""
        text = line.text
        groups = self.rules.group_headings
        if groups is None or (groups.heading_like and not looks_like_heading(text, self.rules)):
            return False
        upcoming = self.match(following)
        if upcoming is None or upcoming[0].name != groups.before:
            return False
        self._attach(Node(HEADING, groups.level, text, "", text, text, "group", True))
        self._note(line, HEADING_LINE, text)
        self.open_title = None
        return True

    def _title_goes_on(self, line: Line, previous: Line) -> bool:
        """Whether `line` continues the wrapping title of the current node (see `title_wraps`)."""
        node = self.current
        if node.spec is None or line.text.startswith(BULLET + " "):
            return False
        mode = node.spec.title_wraps
        if mode == "paragraph":
            return not line.spaced
        if mode == "trailing_space":
            return not ((line.spaced or previous.trailing_space) and node.first)
        return mode == "until_item"

    def _wrap_title(self, line: Line) -> bool:
        """A wrapping title takes the line (a bullet, or what its mode excludes, is text)."""
        previous, self.open_title = self.open_title, None
        if previous is None or not self._title_goes_on(line, previous):
            return False
        node = self.current
        node.first = join_two(node.first, line.text)
        node.line = join_two(node.line, line.text)
        self._note(line, TITLE if node.role == ITEM else HEADING_LINE, line.text)
        trailing_stop = node.spec is not None and node.spec.title_wraps == "trailing_space"
        self.open_title = None if trailing_stop and line.trailing_space else line
        return True

    def _attach(self, node: Node) -> Node:
        node.parent = _parent_for(self.current, node.level)
        node.parent.children.append(node)
        self.current = node
        return node


def _build(text: str, rules: Rules) -> tuple[Node, list[tuple[TraceEntry, Node | None]]]:
    """The tree, and what became of every piece of the text (with the node it went to)."""
    left_out: list[TraceEntry] = []
    builder = _TreeBuilder(rules)
    lines = content_lines(text, rules, left_out)
    for index, line in enumerate(lines):
        builder.feed(line, lines[index + 1].text if index + 1 < len(lines) else "")
    root = _skip_preamble(builder.root) if rules.skip_preamble else builder.root
    return root, [*((entry, None) for entry in left_out), *builder.trace]


def build_tree(text: str, rules: Rules) -> Node:
    """The document's headings and items, in order, with their lines."""
    return _build(text, rules)[0]


# --- records --------------------------------------------------------------------------------


def _paragraphs(lines: list[tuple[str, bool]]) -> list[list[str]]:
    paragraphs: list[list[str]] = []
    for text, starts in lines:
        if starts or not paragraphs:
            paragraphs.append([])
        paragraphs[-1].append(text)
    return [paragraph for paragraph in paragraphs if any(paragraph)]


def _own_text(node: Node) -> str:
    """Its text: one line per paragraph, bullets on lines of their own, then its footnotes."""
    paragraphs = [format_body(paragraph) for paragraph in _paragraphs(node.lines)]
    return "\n".join([*paragraphs, *node.notes]) if paragraphs else ""


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
    """A title line as printed; else `title_lead` (group 1) or, failing that (or without one),
    the fallback: the parent's title or the opening words."""
    if node.title_line:
        return node.first.strip()
    lead = rules.title_lead.match(text) if rules.title_lead else None
    if lead:
        return lead.group(1)
    if rules.title_fallback == "parent" and node.parent is not None and node.parent.first:
        return _without_bureaux(node.parent.first, rules)
    return title_of(text, rules)


def _without_bureaux(text: str, rules: Rules) -> str:
    found = rules.bureaux.search(text.strip()) if rules.bureaux else None
    return (text.strip()[: found.start()] if found else text).strip()


def bureaux_of(text: str, rules: Rules) -> tuple[str, ...]:
    """Bureaux named in brackets at the end of a text: （發展局、運輸及物流局）."""
    found = rules.bureaux.search(text.strip()) if rules.bureaux else None
    if not found:
        return ()
    names = rules.bureau_separators.split(found.group("names"))
    return tuple(name.strip() for name in names if name.strip())


_Made = tuple[Node, ParsedRecommendation]


def _records(node: Node, rules: Rules, path: tuple[Node, ...]) -> list[_Made]:
    """Every item with text under `node`, as a record (with the node it was made from)."""
    records: list[_Made] = []
    for child in node.children:
        chain = (*path, child)
        text = _own_text(child)
        if child.role == ITEM and text and not _is_heading_like(child, rules):
            records.append((child, _record(child, chain, text, rules)))
        records.extend(_records(child, rules, chain))
    return records


def _keyed(chain: tuple[Node, ...], rules: Rules) -> list[Node]:
    """The nodes whose numbers make the key: the whole path, its items only, or its own."""
    if rules.key_scheme == "own":
        return [chain[-1]]
    keyed = [n for n in chain if n.key]
    return [n for n in keyed if n.role == ITEM] if rules.key_scheme == "items" else keyed


def _record(node: Node, chain: tuple[Node, ...], text: str, rules: Rules) -> ParsedRecommendation:
    bureaux = bureaux_of(text, rules) if rules.bureaux_scope == "text_or_headings" else ()
    for ancestor in reversed(chain[:-1]):
        if bureaux:
            break
        bureaux = bureaux_of(ancestor.first, rules)
    keyed = _keyed(chain, rules)
    return ParsedRecommendation(
        key="-".join(n.key for n in keyed),
        label=_label(keyed, rules),
        title=_title(node, text, rules),
        text=text,
        section_path=tuple(_in_path(n) for n in chain[:-1] if _in_path(n)),
        bureaux=bureaux,
    )


def _label(keyed: list[Node], rules: Rules) -> str:
    """The printed labels joined: by the rule's joiner, or a marker's own separator."""
    label = ""
    for index, node in enumerate(keyed):
        separator = node.spec.label_separator if node.spec else None
        label += (rules.label_joiner if separator is None else separator) if index else ""
        label += node.label
    return label


def _in_path(node: Node) -> str:
    """How a node reads in a section path (see the marker's `in_path`)."""
    mode = node.spec.in_path if node.spec else "line"
    return node.line if mode == "line" else node.label if mode == "label" else ""


def _unique_keys(records: list[_Made]) -> list[_Made]:
    """A label printed twice under the same parent (a document's own typo) gets a suffix."""
    seen: Counter[str] = Counter()
    unique = []
    for node, record in records:
        seen[record.key] += 1
        if seen[record.key] > 1:
            record = replace(record, key=f"{record.key}x{seen[record.key]}")
        unique.append((node, record))
    return unique


def _skip_preamble(root: Node) -> Node:
    """Items before the first heading belong to a summary or foreword, when there are headings."""
    first_heading = next((i for i, n in enumerate(root.children) if n.role == HEADING), None)
    if first_heading:
        root.children = root.children[first_heading:]
    return root


def _made(root: Node, rules: Rules, text: str) -> list[_Made]:
    records = _unique_keys(_records(root, rules, ()))
    if not records and rules.empty_is_error:
        raise ValueError("no numbered section or item found: the text does not follow these rules")
    if rules.references is not None:
        paragraphs = numbered_paragraphs(whole_text_lines(text, rules), rules.references)
        records = [
            (node, replace(record, refs=references(record.text, paragraphs, rules.references)))
            for node, record in records
        ]
    return records


def parse(text: str, rules: Rules | None = None) -> list[ParsedRecommendation]:
    """Every recommendation of a document, in order."""
    rules = rules or load_rules()
    return [record for _, record in _made(build_tree(text, rules), rules, text)]


@dataclass(frozen=True)
class Piece:
    """A piece of the source text and what became of it (see `trace`)."""

    kind: str  # before-start, after-stop, furniture, footnote-mark, footnote-label, footnote,
    # heading, heading-text, label, title, text, unattached
    text: str  # as cleaned
    key: str | None  # the record it went into (None: none)
    marker: str  # the marker of its node ("" for none)


def trace(text: str, rules: Rules | None = None) -> list[Piece]:
    """Every non-blank line of the source, in order, cut into pieces that say what became of
    them: the proof that nothing was dropped or reordered without a reason."""
    rules = rules or load_rules()
    root, entries = _build(text, rules)
    keys = {id(node): record.key for node, record in _made(root, rules, text)}
    ordered = sorted(enumerate(entries), key=lambda item: (item[1][0][0], item[0]))
    return [
        Piece(kind, piece, keys.get(id(node)) if node else None, node.marker if node else "")
        for _, ((_, kind, piece), node) in ordered
    ]


def parser_with(overrides: str | dict[str, Any] | None) -> Any:
    """`parse` bound to the generic rules with a rule set name or inline overrides applied."""
    return partial(parse, rules=load_rules(overrides))
