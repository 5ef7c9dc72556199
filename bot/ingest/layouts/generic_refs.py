"""References for the generic parser: a record that cites numbered paragraphs of its document
("(請參閱上文第 13 至 14 段)") carries those paragraphs along as `Reference`s.

The paragraphs are read from the whole document (not only the parsed region): a line opening
the next number of `paragraph` starts one; it goes on over the next lines while it has not ended
a sentence (a page break split it), takes list-item lines as new lines when it introduces a
list, and ends at any other line (a heading).
"""

from __future__ import annotations

import re

from bot.ingest.clean import ends_sentence, join_two
from bot.ingest.document import Reference
from bot.ingest.layouts.generic_rules import References


def numbered_paragraphs(lines: list[str], rule: References) -> dict[int, str]:
    """Paragraph number → its cleaned text (without the label), page breaks rejoined."""
    paragraphs: dict[int, str] = {}
    current: int | None = None
    for line in lines:
        opened = rule.paragraph.match(line)
        if opened and (not paragraphs or int(opened["n"]) == max(paragraphs) + 1):
            current = int(opened["n"])
            paragraphs[current] = line[opened.end() :]
        elif current is None:
            continue
        elif rule.list_item.match(line) and rule.list_intro_end.search(paragraphs[current]):
            paragraphs[current] += "\n" + line
        elif not ends_sentence(paragraphs[current]):
            paragraphs[current] = join_two(paragraphs[current], line)
        else:
            current = None
    return paragraphs


def cited_numbers(text: str, rule: References) -> list[int]:
    """Paragraph numbers a text cites: "第 9 段", "第 9 及 10 段", "第 9 至 11 段"…"""
    numbers: list[int] = []
    for citation in rule.citation.finditer(text):
        for cited in rule.cited.finditer(citation["body"]):
            numbers.extend(n for n in _expand(cited["spec"], rule) if n not in numbers)
    return numbers


def _expand(spec: str, rule: References) -> list[int]:
    """ "9 至 11" → [9, 10, 11]; "9 及 10" → [9, 10]."""
    numbers: list[int] = []
    in_range = False
    tokens = re.findall(r"\d+|" + "|".join(map(re.escape, rule.range_marks)), spec)
    for token in tokens:
        if token in rule.range_marks:
            in_range = True
        elif in_range and numbers:
            numbers.extend(range(numbers[-1] + 1, int(token) + 1))
            in_range = False
        else:
            numbers.append(int(token))
    return numbers


def references(text: str, paragraphs: dict[int, str], rule: References) -> tuple[Reference, ...]:
    """The paragraphs a record's text cites; citing a paragraph that is not there is an error."""
    refs = []
    for number in cited_numbers(text, rule):
        if number not in paragraphs:
            raise ValueError(f"a record cites paragraph {number}, which the document lacks")
        refs.append(Reference(label=rule.label.format(n=number), text=paragraphs[number]))
    return tuple(refs)
