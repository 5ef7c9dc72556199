"""The neutral result of parsing one source document: a flat list of recommendations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Reference:
    """A paragraph that a recommendation cites, kept as context (e.g. LegCo's 請參閱上文第 N 段)."""

    label: str  # as printed, e.g. "第 12 段" or "12"
    text: str  # the cited paragraph's cleaned text


@dataclass(frozen=True)
class ParsedRecommendation:
    """One recommendation as the document presents it.

    `key` is ASCII (`[a-z0-9-]`), unique within its document and derived from the printed
    labels only (never from a running counter over the whole document), so that the record ID
    `<source slug>-<key>` stays stable across re-ingest.
    """

    key: str
    label: str  # as printed: "148", "(u)", "3.IV.A•2", "5(2)"
    title: str  # heading; for a bullet, a short lead taken from its first clause
    text: str  # full cleaned text, otherwise verbatim; bullets as lines starting with "• "
    section_path: tuple[str, ...] = ()  # headings above it, outermost first
    bureaux: tuple[str, ...] = ()  # responsible bureaux named by the document
    refs: tuple[Reference, ...] = field(default=())

    def __post_init__(self) -> None:
        if not KEY_PATTERN.match(self.key):
            raise ValueError(f"recommendation key must match {KEY_PATTERN.pattern}: {self.key!r}")
        if not self.text.strip():
            raise ValueError(f"recommendation {self.key!r} has no text")
