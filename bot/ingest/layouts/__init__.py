"""Structure parsers, one module per document layout; the manifest names a source's layout."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from bot.ingest.document import ParsedRecommendation

Parser = Callable[[str], list[ParsedRecommendation]]

KNOWN_LAYOUTS = ("fhki", "cma", "bpa", "legco")


def parser_for(layout: str) -> Parser:
    """The `parse(raw_text) -> list[ParsedRecommendation]` function of a layout."""
    if layout not in KNOWN_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(KNOWN_LAYOUTS)}")
    module = importlib.import_module(f"{__name__}.{layout}")
    return module.parse
