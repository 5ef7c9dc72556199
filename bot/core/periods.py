"""A document's period as the document states it: the year or fiscal year in its title
("對2024-25年財政預算案的建議" → "2024-25"), else the year of its date."""

from __future__ import annotations

import re
from collections.abc import Iterable

# A year, optionally followed by the year after it (2024-25, 2024–2025, 2024/25).
_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*[-–—/至]\s*((?:19|20)?\d{2}))?(?!\d)")


def document_period(titles: Iterable[str], date: str) -> str:
    """The first year (or "YYYY-YY" fiscal year) any of `titles` states, else the date's year."""
    for title in titles:
        match = _PERIOD.search(title)
        if match is None:
            continue
        start, end = match.group(1), match.group(2)
        if end is not None and int(end[-2:]) == (int(start) + 1) % 100:
            return f"{start}-{end[-2:]}"
        return start
    return date[:4]
