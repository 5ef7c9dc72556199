"""What the Telegram layer needs to know of each source, built with the search index from the
same read of the store, so it is exactly as fresh as the index on every replica."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.search.normalize import fold_text
from bot.store.corpus import org_code
from bot.store.models import Source


@dataclass(frozen=True)
class SourceFacts:
    """Per-source facts keyed for the views and the narrowing buttons."""

    kinds: Mapping[str, str] = field(default_factory=dict)  # source id → document kind
    org_codes: Mapping[str, str] = field(default_factory=dict)  # org code (bpa) → folded org_short
    org_names: Mapping[str, str] = field(default_factory=dict)  # org code → org_short as shown
    org_names_en: Mapping[str, str] = field(default_factory=dict)  # org code → English short name

    @classmethod
    def of(cls, sources: Iterable[Source]) -> SourceFacts:
        """The facts of these sources."""
        kinds: dict[str, str] = {}
        codes: dict[str, str] = {}
        names: dict[str, str] = {}
        names_en: dict[str, str] = {}
        for source in sources:
            code = org_code(source.id)
            kinds[source.id] = source.kind
            codes[code] = fold_text(source.org_short)
            names[code] = source.org_short
            names_en[code] = source.org_short_en
        return cls(kinds, codes, names, names_en)
