"""Structure parsers, one module per layout; the manifest names a source's layout. Every current
document uses `generic` with a named rule set (data/layouts.yaml): a layout that differs is
declared in data, not given a module of its own."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial
from typing import Any

from bot.ingest.document import ParsedRecommendation

Parser = Callable[[str], list[ParsedRecommendation]]

KNOWN_LAYOUTS = ("generic",)
DEFAULT_LAYOUT = "generic"  # new documents: the data-driven parser (data/layouts.yaml)


def parser_for(layout: str, rules: str | dict[str, Any] | None = None) -> Parser:
    """The `parse(raw_text) -> list[ParsedRecommendation]` function of a layout; `rules` (a rule
    set name or inline overrides from the manifest) apply to the generic layout only."""
    if layout not in KNOWN_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(KNOWN_LAYOUTS)}")
    module = importlib.import_module(f"{__name__}.{layout}")
    if layout == "generic":
        return module.parser_with(rules)
    if rules:
        raise ValueError(f"layout {layout!r} takes no rules (only the generic layout does)")
    return module.parse


def furniture_for(
    layout: str, rules: str | dict[str, Any] | None = None
) -> Callable[[str], list[str]]:
    """The lines a layout drops from a text as page furniture (only the generic layout says)."""
    if layout != "generic":
        return lambda text: []
    module = importlib.import_module(f"{__name__}.generic")
    return partial(module.furniture, rules=module.load_rules(rules))
