"""Policy areas: the taxonomy and the classifier that gives each recommendation 1 or 2 areas.

Data (read through `bot.core.resources.load_yaml`, validated on load):
  * `data/areas.yaml`: the areas in display order, each with names and keywords;
  * `data/heading_areas.yaml`: ordered rules mapping a heading (regex) to an area.

Primary area: the first heading that matches a heading rule, trying the record's title (only
when it is a heading of its own, not the opening words of its text) and then its section path,
innermost heading first. When no heading matches: the area with the best keyword score, or
DEFAULT_AREA when no keyword occurs at all.

Secondary area: the best keyword-scoring area other than the primary, kept only when its score
is at least SECONDARY_MIN_SCORE and at least SECONDARY_RATIO of the primary's evidence: the
primary's own keyword score, but at least HEADING_EVIDENCE when a heading chose it (a heading
is evidence even when the text repeats none of the area's keywords).

Keyword score: occurrences in the title count TITLE_WEIGHT times, in the text once. Keywords
are matched longest first without overlap ("綠色金融" is not also counted as "金融"); a keyword
listed under several areas counts for each of them. Everything is deterministic: ties go to
the area listed first in `areas.yaml`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.core.resources import load_yaml
from bot.store.areas import AREAS_FILE, Area, TaxonomyError, parse_areas

HEADING_RULES_FILE = "heading_areas.yaml"

# Used only when neither a heading nor any keyword says anything: every source document is
# about innovation-led (re-)industrialisation, so that is the least surprising guess.
DEFAULT_AREA = "innotech"
TITLE_WEIGHT = 3  # one title hit counts like three text hits
HEADING_EVIDENCE = 3  # the least evidence a matching heading gives the primary area
SECONDARY_MIN_SCORE = 3  # a secondary area needs at least this keyword score …
SECONDARY_RATIO = 0.5  # … and at least this share of the primary's evidence

_WHITESPACE = re.compile(r"\s+")
# Parenthesised asides in headings, e.g. the responsible bureaux "（創科及工業局、北都辦）".
_ASIDE = re.compile(r"（[^（）]*）|\([^()]*\)")
_TITLE_SLACK = 12  # a title found this close to the start of the text is only its lead


@dataclass(frozen=True)
class HeadingRule:
    """`pattern` (a regex) found in a normalised heading means `area`."""

    pattern: str
    area: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Taxonomy:
    """Validated areas and heading rules, with the compiled keyword matcher."""

    areas: tuple[Area, ...]
    rules: tuple[HeadingRule, ...]
    keyword_regex: re.Pattern[str] | None
    keyword_areas: Mapping[str, tuple[str, ...]]  # casefolded keyword -> area ids

    def area_ids(self) -> tuple[str, ...]:
        """Area ids in display order."""
        return tuple(area.id for area in self.areas)

    def heading_area(self, heading: str) -> str | None:
        """The area of the first rule matching `heading`, or None."""
        normalized = normalize_heading(heading)
        if not normalized:
            return None
        for rule in self.rules:
            if rule.regex.search(normalized):
                return rule.area
        return None

    def keyword_scores(self, title: str, text: str) -> dict[str, int]:
        """Keyword score of every area (display order): title hits weigh TITLE_WEIGHT."""
        scores = dict.fromkeys(self.area_ids(), 0)
        for source, weight in ((title, TITLE_WEIGHT), (text, 1)):
            for keyword, count in self._keyword_counts(source).items():
                for area_id in self.keyword_areas.get(keyword, ()):
                    scores[area_id] += weight * count
        return scores

    def classify(self, title: str, section_path: Sequence[str], text: str) -> tuple[str, ...]:
        """1 or 2 area ids for a recommendation, primary first."""
        scores = self.keyword_scores(title, text)
        primary = self._primary_from_headings(title, section_path, text)
        if primary is not None:
            evidence = max(scores[primary], HEADING_EVIDENCE)
        else:
            primary = _best_area(scores, exclude=None) or DEFAULT_AREA
            evidence = scores[primary]
        secondary = _best_area(scores, exclude=primary)
        if secondary is None or not _clears_threshold(scores[secondary], evidence):
            return (primary,)
        return (primary, secondary)

    def _primary_from_headings(
        self, title: str, section_path: Sequence[str], text: str
    ) -> str | None:
        """The area of the innermost heading that matches a rule."""
        headings = list(reversed(section_path))
        if _title_is_heading(title, text):
            headings.insert(0, title)
        for heading in headings:
            area_id = self.heading_area(heading)
            if area_id is not None:
                return area_id
        return None

    def _keyword_counts(self, source: str) -> Counter[str]:
        """Occurrences of each keyword (casefolded) in `source`, longest match first."""
        if self.keyword_regex is None:
            return Counter()
        squashed = _WHITESPACE.sub("", source)
        return Counter(match.casefold() for match in self.keyword_regex.findall(squashed))


def normalize_heading(heading: str) -> str:
    """A heading as the rules see it: parenthesised asides dropped, whitespace removed."""
    return _WHITESPACE.sub("", _ASIDE.sub("", heading))


def _title_is_heading(title: str, text: str) -> bool:
    """False when the title is only the opening words of the text (e.g. a bullet's lead)."""
    head = _WHITESPACE.sub("", title).rstrip("…．.。，,：:")
    if not head:
        return False
    body = _WHITESPACE.sub("", text)
    return head not in body[: len(head) + _TITLE_SLACK]


def _best_area(scores: Mapping[str, int], exclude: str | None) -> str | None:
    """The highest-scoring area (first listed on ties) other than `exclude`; None if all 0."""
    best: str | None = None
    for area_id, score in scores.items():
        if area_id != exclude and score > 0 and (best is None or score > scores[best]):
            best = area_id
    return best


def _clears_threshold(score: int, primary_evidence: int) -> bool:
    """Whether a secondary area's score is clear enough next to the primary's evidence."""
    return score >= SECONDARY_MIN_SCORE and score >= SECONDARY_RATIO * primary_evidence


# --- loading and validation ----------------------------------------------------------------


def build_taxonomy(areas_data: Any, rules_data: Any) -> Taxonomy:
    """Validate parsed `areas.yaml` / `heading_areas.yaml` data and build the taxonomy."""
    areas = parse_areas(areas_data)
    ids = {area.id for area in areas}
    if DEFAULT_AREA not in ids:
        raise TaxonomyError(f"{AREAS_FILE}: the default area {DEFAULT_AREA!r} is missing")
    rules = _parse_rules(rules_data, ids)
    keyword_areas = _keyword_index(areas)
    return Taxonomy(areas, rules, _keyword_regex(keyword_areas), keyword_areas)


def _parse_rules(data: Any, area_ids: set[str]) -> tuple[HeadingRule, ...]:
    """Check the heading rules: a compilable `match` and an existing `area` each."""
    if not isinstance(data, list) or not data:
        raise TaxonomyError(f"{HEADING_RULES_FILE}: expected a non-empty list of rules")
    return tuple(_parse_rule(index, entry, area_ids) for index, entry in enumerate(data))


def _parse_rule(index: int, entry: Any, area_ids: set[str]) -> HeadingRule:
    """One rule entry; every error names the rule."""
    where = f"{HEADING_RULES_FILE}: rule #{index + 1}"
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{where}: expected a mapping with 'match' and 'area'")
    pattern, area_id = entry.get("match"), entry.get("area")
    if not isinstance(pattern, str) or not pattern or _WHITESPACE.search(pattern):
        raise TaxonomyError(f"{where}: 'match' must be a non-empty regex without whitespace")
    if area_id not in area_ids:
        raise TaxonomyError(f"{where} ({pattern}): unknown area {area_id!r}")
    try:
        regex = re.compile(pattern)
    except re.error as error:
        raise TaxonomyError(f"{where}: invalid regex {pattern!r}: {error}") from error
    return HeadingRule(pattern, area_id, regex)


def _keyword_index(areas: Iterable[Area]) -> dict[str, tuple[str, ...]]:
    """Casefolded keyword -> the ids of the areas listing it (display order)."""
    index: dict[str, list[str]] = {}
    for area in areas:
        for keyword in area.keywords:
            index.setdefault(keyword.casefold(), []).append(area.id)
    return {keyword: tuple(ids) for keyword, ids in index.items()}


def _keyword_regex(keyword_areas: Mapping[str, tuple[str, ...]]) -> re.Pattern[str] | None:
    """One alternation over all keywords, longest first (so the longest match wins)."""
    if not keyword_areas:
        return None
    ordered = sorted(keyword_areas, key=lambda keyword: (-len(keyword), keyword))
    return re.compile("|".join(re.escape(keyword) for keyword in ordered), re.IGNORECASE)


@cache
def load_taxonomy() -> Taxonomy:
    """The taxonomy from `data/` (validated once; `load_taxonomy.cache_clear()` reloads)."""
    return build_taxonomy(load_yaml(AREAS_FILE), load_yaml(HEADING_RULES_FILE))


# --- public shortcuts over the shipped taxonomy -------------------------------------------


def heading_area(heading: str) -> str | None:
    """The area that the heading rules give this heading, or None."""
    return load_taxonomy().heading_area(heading)


def keyword_scores(title: str, text: str) -> dict[str, int]:
    """Keyword score of every area (display order) for a title and text."""
    return load_taxonomy().keyword_scores(title, text)


def classify(title: str, section_path: Sequence[str], text: str) -> tuple[str, ...]:
    """1 or 2 area ids for a recommendation, primary first (see the module docstring)."""
    return load_taxonomy().classify(title, section_path, text)
