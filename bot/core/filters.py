"""Search filters as a plain value: light to import (the store saves them, search applies them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    """Restrictions on results; empty sets mean no restriction."""

    orgs: frozenset[str] = frozenset()  # folded org_short values
    areas: frozenset[str] = frozenset()  # area ids
    sources: frozenset[str] = frozenset()  # source slugs
    years: frozenset[int] = frozenset()

    def merge(self, other: Filters) -> Filters:
        """Both sets of restrictions."""
        return Filters(
            self.orgs | other.orgs,
            self.areas | other.areas,
            self.sources | other.sources,
            self.years | other.years,
        )

    def __bool__(self) -> bool:
        return bool(self.orgs or self.areas or self.sources or self.years)
