"""Text helpers shared by the fake: UTF-16 lengths and Telegram's input cleaning and trimming.

Telegram measures message lengths and entity offsets in UTF-16 code units, cleans control
characters out of every input string, and trims spaces and line feeds around a message
(TDLib's ``clean_input_string`` and ``fix_formatted_text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Characters TDLib replaces by a space: every C0 control except "\n" and "\r" (and space itself).
_TO_SPACE = {code: " " for code in range(32) if code not in (10, 13)}
# Characters TDLib drops: "\r", U+2028..U+202E, and the combining vertical lines U+0333,
# U+033F, U+030A.
_DROPPED = frozenset({"\r", *map(chr, range(0x2028, 0x202F)), "\u0333", "\u033f", "\u030a"})
_TRIMMED = " \n"


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, as Telegram counts it."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def utf16_units(char: str) -> int:
    """UTF-16 code units of one character (2 for astral-plane characters such as most emoji)."""
    return 2 if ord(char) > 0xFFFF else 1


@dataclass
class Entity:
    """A message entity (offsets and lengths in UTF-16 code units) plus its optional fields."""

    type: str
    offset: int
    length: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The entity as a Bot API ``MessageEntity`` object."""
        return {"type": self.type, "offset": self.offset, "length": self.length, **self.extra}


# TDLib's sort priority of entity types with equal offset and length (lower first).
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "date_time": 30,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Entities in Telegram's order: by offset, longer first, then by type priority."""
    return sorted(entities, key=lambda e: (e.offset, -e.length, _PRIORITY.get(e.type, 50)))


def clean_and_trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Apply TDLib's input cleaning and whitespace trimming to a text with entities.

    Control characters become spaces, a few invisible characters are dropped, trailing spaces
    and line feeds are removed, and leading ones are removed up to the first entity. Entity
    offsets are moved along; entities that end up empty are dropped.
    """
    mapping: list[int] = []  # old UTF-16 offset -> new UTF-16 offset
    pieces: list[str] = []
    new_offset = 0
    for char in text:
        units = utf16_units(char)
        mapping.extend([new_offset] * units)
        if char in _DROPPED:
            continue
        pieces.append(_TO_SPACE.get(ord(char), char))
        new_offset += units
    mapping.append(new_offset)
    cleaned = "".join(pieces)
    moved = [_moved(entity, mapping) for entity in entities]
    return _trim(cleaned, [entity for entity in moved if entity.length > 0])


def _moved(entity: Entity, mapping: list[int]) -> Entity:
    last = len(mapping) - 1
    start = mapping[min(entity.offset, last)]
    end = mapping[min(entity.offset + entity.length, last)]
    return Entity(entity.type, start, end - start, dict(entity.extra))


def _trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    stripped = text.rstrip(_TRIMMED)
    end = utf16_len(stripped)
    kept = []
    for entity in entities:
        if entity.offset >= end:
            continue
        length = min(entity.length, end - entity.offset)
        kept.append(Entity(entity.type, entity.offset, length, entity.extra))
    first_entity = min((entity.offset for entity in kept), default=len(stripped))
    lead = 0
    while lead < first_entity and lead < len(stripped) and stripped[lead] in _TRIMMED:
        lead += 1
    shifted = [Entity(e.type, e.offset - lead, e.length, e.extra) for e in kept]
    return stripped[lead:], sort_entities(shifted)
