"""A human-checkable outline of what an ingest would create: headings, labels, short titles,
areas per record, counts per area and the total (the `--dry-run` and Telegram preview)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.text import clip
from bot.ingest.classify import classify
from bot.ingest.document import ParsedRecommendation

Classified = tuple[ParsedRecommendation, tuple[str, ...]]
_TITLE_CHARS = 40


@dataclass(frozen=True)
class Outline:
    """The tree as text lines, and the figures under it."""

    lines: tuple[str, ...]
    area_counts: tuple[tuple[str, int], ...]  # primary area → records, most first
    total: int

    @property
    def text(self) -> str:
        """The whole outline with the figures, as printed by `ingest --dry-run`."""
        figures = ", ".join(f"{area} {count}" for area, count in self.area_counts)
        return "\n".join([*self.lines, "", f"areas (primary): {figures}", f"total: {self.total}"])


def classify_all(parsed: Sequence[ParsedRecommendation]) -> list[Classified]:
    """Each parsed record with its policy areas (primary first), as the ingest stores them."""
    return [(item, classify(item.title, item.section_path, item.text)) for item in parsed]


def _short(title: str) -> str:
    return clip(title, _TITLE_CHARS, one_line=True)


def outline(records: Sequence[Classified], slug: str = "") -> Outline:
    """Headings where they change, indented by depth; one line per record:
    `ID  label  title  [areas]`."""
    lines: list[str] = []
    shown: tuple[str, ...] = ()
    for item, areas in records:
        path = item.section_path
        common = 0
        while common < min(len(path), len(shown)) and path[common] == shown[common]:
            common += 1
        for depth in range(common, len(path)):
            lines.append("  " * depth + _short(path[depth]))
        shown = path
        record_id = f"{slug}-{item.key}" if slug else item.key
        bureaux = f"  ({'、'.join(item.bureaux)})" if item.bureaux else ""
        lines.append(
            f"{'  ' * len(path)}{record_id}  {item.label}  {_short(item.title)}"
            f"  [{', '.join(areas)}]{bureaux}"
        )
    counts = Counter(areas[0] for _, areas in records)
    return Outline(tuple(lines), tuple(counts.most_common()), len(records))
