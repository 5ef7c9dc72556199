"""The tree the generic parser reads out of a document: headings and items, nested by the level
of the marker that opened them, with their lines (see generic.py for the records made of it).

A line opens a node when one of the rules' markers matches it with an acceptable number; every
other line continues the node above it (or a wrapping title). What became of each piece of each
line is traced, so that `generic.trace` can account for the whole document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.ingest.clean import BULLET, join_two
from bot.ingest.layouts.generic_lines import Line, TraceEntry, content_lines
from bot.ingest.layouts.generic_rules import HEADING, ITEM, NUMERALS, Marker, Rules, key_part

_HEADING_PUNCT = re.compile(r"[。，；：！？、]")  # a heading line carries none of these
_TRAILING_LABEL_PUNCT = re.compile(r"[\s、.．:：]+$")

# What became of a piece of a content line (see `generic.trace`); generic_lines names the others.
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


def build_with_trace(text: str, rules: Rules) -> tuple[Node, list[tuple[TraceEntry, Node | None]]]:
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
    return build_with_trace(text, rules)[0]


def _skip_preamble(root: Node) -> Node:
    """Items before the first heading belong to a summary or foreword, when there are headings."""
    first_heading = next((i for i, n in enumerate(root.children) if n.role == HEADING), None)
    if first_heading:
        root.children = root.children[first_heading:]
    return root
