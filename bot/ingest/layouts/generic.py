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

Modules: generic_rules (the rules compiled from data), generic_lines (region, furniture,
paragraph signals, footnotes), generic_tree (headings and items), generic_refs (cited
paragraphs); this one turns the tree into records and traces what became of every line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from bot.ingest.clean import BULLET, format_body
from bot.ingest.document import ParsedRecommendation
from bot.ingest.layouts.generic_lines import FURNITURE, TraceEntry, content_lines, whole_text_lines
from bot.ingest.layouts.generic_refs import numbered_paragraphs, references
from bot.ingest.layouts.generic_rules import (
    ITEM,
    Rules,
    RulesError,
    chinese_value,
    load_rules,
    roman_value,
    rule_settings,
)
from bot.ingest.layouts.generic_tree import Node, build_tree, build_with_trace

__all__ = [
    "RulesError",
    "build_tree",
    "chinese_value",
    "furniture",
    "load_rules",
    "parse",
    "parser_with",
    "roman_value",
    "rule_settings",
    "trace",
]

_SENTENCE_PUNCT = re.compile(r"[。！？；]")
_CLAUSE_END = re.compile(r"[。！？；：，]")


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


def _bureaux_match(text: str, rules: Rules) -> re.Match[str] | None:
    """Bureaux in brackets at the end of a text, or a table row's department column."""
    for pattern in (rules.bureaux, rules.bureaux_column):
        found = pattern.search(text) if pattern else None
        if found:
            return found
    return None


def title_of(text: str, rules: Rules) -> str:
    """The first clause (up to the first 。，；： …) if short enough, else the opening words."""
    first_line = text.split("\n", 1)[0].removeprefix(BULLET + " ")
    bureaux = _bureaux_match(first_line, rules)
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
    found = _bureaux_match(text.strip(), rules)
    return (text.strip()[: found.start()] if found else text).strip()


def bureaux_of(text: str, rules: Rules) -> tuple[str, ...]:
    """Bureaux named in brackets at the end of a text: （發展局、運輸及物流局）, or in a table
    row's department column (`bureaux_column`)."""
    found = _bureaux_match(text.strip(), rules)
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
    root, entries = build_with_trace(text, rules)
    keys = {id(node): record.key for node, record in _made(root, rules, text)}
    ordered = sorted(enumerate(entries), key=lambda item: (item[1][0][0], item[0]))
    return [
        Piece(kind, piece, keys.get(id(node)) if node else None, node.marker if node else "")
        for _, ((_, kind, piece), node) in ordered
    ]


def furniture(text: str, rules: Rules | None = None) -> list[str]:
    """The lines dropped as page furniture (running headers and footers, page numbers), in
    order: for a human to check that nothing else went."""
    rules = rules or load_rules()
    left_out: list[TraceEntry] = []
    content_lines(text, rules, left_out)
    return [piece for _, kind, piece in sorted(left_out) if kind == FURNITURE]


def parser_with(overrides: str | dict[str, Any] | None) -> Any:
    """`parse` bound to the generic rules with a rule set name or inline overrides applied."""
    return partial(parse, rules=load_rules(overrides))
