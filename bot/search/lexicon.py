"""The search vocabulary from data/: synonym groups, the English glossary, organisation and area
names, and the query stop phrases. Everything is folded (bot.search.normalize) once, here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from bot.core.resources import load_yaml
from bot.search.normalize import fold_text
from bot.search.prefilter import ByFirstCharacter
from bot.store.areas import load_areas


@dataclass(frozen=True)
class Lexicon:
    """Folded lookup tables; build with `load_lexicon()`."""

    synonyms: dict[str, frozenset[str]] = field(default_factory=dict)  # term → its group
    glossary: dict[str, tuple[str, ...]] = field(default_factory=dict)  # english → zh terms
    orgs: dict[str, str] = field(default_factory=dict)  # alias → org_short (as stored)
    areas: dict[str, str] = field(default_factory=dict)  # alias → area id
    stop_phrases: tuple[str, ...] = ()  # longest first
    stop_chars: frozenset[str] = frozenset()

    @cached_property
    def stop_words(self) -> frozenset[str]:
        """Every stop phrase and character, for dropping whole query words."""
        return frozenset(self.stop_phrases) | self.stop_chars

    @cached_property
    def chinese_stop_phrases(self) -> tuple[str, ...]:
        """The stop phrases cut out of a query's text wherever they occur (two characters or
        more, not ASCII), longest first."""
        return tuple(p for p in self.stop_phrases if len(p) >= 2 and not p.isascii())

    @cached_property
    def chinese_stop_phrase_starts(self) -> ByFirstCharacter:
        """`chinese_stop_phrases` by first character: those a query may hold."""
        return ByFirstCharacter(self.chinese_stop_phrases)

    @cached_property
    def stop_char_spaces(self) -> dict[int, str]:
        """A str.translate table turning each one-character stop word into a space."""
        return {ord(char): " " for char in self.stop_chars if len(char) == 1}

    @cached_property
    def org_patterns(self) -> tuple[tuple[str, re.Pattern[str], str], ...]:
        """(alias, its pattern, org_short) per organisation alias, longest first. An ASCII alias
        matches only as a whole word; any other anywhere."""
        patterns = []
        for alias in sorted(self.orgs, key=len, reverse=True):
            if alias.isascii():
                pattern = re.compile(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])")
            else:
                pattern = re.compile(re.escape(alias))
            patterns.append((alias, pattern, self.orgs[alias]))
        return tuple(patterns)

    @cached_property
    def org_starts(self) -> ByFirstCharacter:
        """`org_patterns`' aliases by first character: those a query may hold."""
        return ByFirstCharacter([alias for alias, _, _ in self.org_patterns])

    def expansions(self, term: str) -> set[str]:
        """The term, its synonyms, and (for English) its glossary translations."""
        found = {term} | set(self.synonyms.get(term, ()))
        for translated in self.glossary.get(term, ()):
            found |= {translated} | set(self.synonyms.get(translated, ()))
        return found

    def phrases(self) -> list[str]:
        """Every multi-character known term, longest first (for spotting them in a query)."""
        terms = set(self.synonyms) | set(self.glossary) | set(self.orgs)
        return sorted((term for term in terms if len(term) >= 2), key=lambda t: (-len(t), t))


def _folded(terms: Iterable[object]) -> list[str]:
    return [fold_text(str(term)).strip() for term in terms if str(term).strip()]


def load_lexicon() -> Lexicon:
    """Read data/synonyms.yaml, data/stopwords.yaml and data/areas.yaml."""
    synonyms_data = load_yaml("synonyms.yaml") or {}
    stop_data = load_yaml("stopwords.yaml") or {}
    synonyms: dict[str, frozenset[str]] = {}
    for group in synonyms_data.get("groups", []):
        members = frozenset(_folded(group))
        for member in members:
            synonyms[member] = synonyms.get(member, frozenset()) | members
    glossary = {
        fold_text(str(english)).strip(): tuple(_folded(targets))
        for english, targets in (synonyms_data.get("glossary") or {}).items()
    }
    orgs = {
        alias: fold_text(str(short)).strip()
        for short, aliases in (synonyms_data.get("orgs") or {}).items()
        for alias in _folded([short, *aliases])
    }
    areas: dict[str, str] = {}
    for area in load_areas():
        for alias in _folded([area.id, area.zh, area.en]):
            areas[alias] = area.id
    phrases = sorted(
        set(_folded(stop_data.get("query_stop_phrases", []))), key=lambda p: (-len(p), p)
    )
    return Lexicon(
        synonyms=synonyms,
        glossary=glossary,
        orgs=orgs,
        areas=areas,
        stop_phrases=tuple(phrases),
        stop_chars=frozenset(_folded(stop_data.get("query_stop_chars", []))),
    )
