"""The rules every field describing a new document must follow, checked before anything is
written (command line, --dry-run and Telegram upload alike): names and titles are one line of
printable text of bounded length (no control characters, no Unicode non-characters, which YAML
cannot store); the kind and the slug are short ASCII identifiers; the date is a real date."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# field → (longest length in characters, how the command line and the caption name it)
TEXT_FIELDS = {
    "org": (120, "--org / org:"),
    "org_short": (40, "--org-short / org_short:"),
    "org_en": (160, "--org-en / org_en:"),
    "org_short_en": (40, "--org-short-en / org_short_en:"),
    "title": (300, "--title / title:"),
    "title_en": (300, "--title-en / title_en:"),
}
KIND = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
SLUG = re.compile(r"^[a-z][a-z0-9]{1,15}$")
# Control characters, lone surrogates, line and paragraph separators; non-characters below.
_FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong with one field: an English one-line message, a catalogue code, params."""

    message: str
    code: str
    params: dict[str, object]


def forbidden_character(text: str) -> str | None:
    """The first character a one-line name may not hold, as U+XXXX (None if all are fine)."""
    for char in text:
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES or _is_noncharacter(char):
            return f"U+{ord(char):04X}"
    return None


def _is_noncharacter(char: str) -> bool:
    point = ord(char)
    return 0xFDD0 <= point <= 0xFDEF or (point & 0xFFFE) == 0xFFFE


def text_problem(name: str, value: str | None) -> FieldProblem | None:
    """A problem with a name or title field (None: fine or absent)."""
    if value is None:
        return None
    limit, option = TEXT_FIELDS[name]
    bad = forbidden_character(value)
    if bad is not None:
        return FieldProblem(
            f"{option} contains the control or non-character {bad}: remove it",
            "bad_character",
            {"field": option, "char": bad},
        )
    if len(value.strip()) > limit:
        return FieldProblem(
            f"{option} is {len(value.strip())} characters long: at most {limit} are allowed",
            "too_long",
            {"field": option, "length": len(value.strip()), "limit": limit},
        )
    return None


def kind_problem(kind: str) -> FieldProblem | None:
    """A problem with the document kind (e.g. policy-address-submission; empty: the default)."""
    if not kind.strip() or KIND.match(kind.strip()):
        return None
    return FieldProblem(
        "bad kind (--kind / kind:): 1-40 of a-z, 0-9 and -, starting with a letter, "
        "e.g. policy-address-submission",
        "bad_kind",
        {},
    )
