"""Query parsing: filters written in the text (`org:工總`, `#創科`, `year:2024`, `doc:bpa24`), the
organisation named in passing (經民聯 鐵路), stop phrases, and the concepts left to match."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.core.filters import Filters
from bot.search.lexicon import Lexicon
from bot.search.normalize import fold_text
from bot.store.areas import load_areas

MAX_QUERY_CHARS = 256  # longer input is cut: nobody types more, and it bounds the work
_FILTER = re.compile(r"(?:(?<=\s)|^)(org|area|doc|source|year)\s*:\s*(\S+)", re.IGNORECASE)
_HASHTAG = re.compile(r"(?:(?<=\s)|^)#(\S+)")
_LATIN_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class ParsedQuery:
    """A query split into filters and folded text to match."""

    text: str  # folded, filters and stop phrases removed
    filters: Filters
    unknown_filters: tuple[str, ...] = field(default=())  # filter values that named nothing
    plain: str = ""  # the words as typed (filter syntax removed, not folded): what is embedded


def clean_input(raw: str) -> str:
    """Bounded, NFKC-normalised input with control and format characters turned into spaces."""
    text = unicodedata.normalize("NFKC", raw[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]
    return "".join(" " if unicodedata.category(char)[0] == "C" else char for char in text)


def parse_query(raw: str, lexicon: Lexicon) -> ParsedQuery:
    """Extract explicit filters and organisation names, drop stop phrases, fold the rest."""
    text = clean_input(raw)
    filters, unknown = Filters(), []
    for match in list(_FILTER.finditer(text)) + list(_HASHTAG.finditer(text)):
        kind = match.group(1).lower() if match.re is _FILTER else "area"
        value = match.group(2) if match.re is _FILTER else match.group(1)
        resolved = resolve_filter(kind, value, lexicon)
        if resolved is None:
            unknown.append(match.group(0).strip())
        else:
            filters = filters.merge(resolved)
    text = _HASHTAG.sub(" ", _FILTER.sub(" ", text))
    folded, orgs = extract_orgs(fold_text(text), lexicon)
    if orgs:
        filters = filters.merge(Filters(orgs=frozenset(orgs)))
    plain = " ".join(text.split())
    return ParsedQuery(remove_stop_phrases(folded, lexicon), filters, tuple(unknown), plain)


def resolve_filter(kind: str, value: str, lexicon: Lexicon) -> Filters | None:
    """A filter from its written form, or None when the value names nothing known."""
    folded = fold_text(value).strip()
    if kind == "org":
        org = lexicon.orgs.get(folded)
        return Filters(orgs=frozenset({org})) if org else None
    if kind == "area":
        area = resolve_area(folded, lexicon)
        return Filters(areas=frozenset({area})) if area else None
    if kind in ("doc", "source"):
        return Filters(sources=frozenset({folded})) if re.fullmatch(r"[a-z0-9]+", folded) else None
    if kind == "year" and re.fullmatch(r"(19|20)\d\d", folded):
        return Filters(years=frozenset({int(folded)}))
    return None


def resolve_area(folded: str, lexicon: Lexicon) -> str | None:
    """An area by id or name, else by a name or keyword containing the term or a synonym."""
    if folded in lexicon.areas:
        return lexicon.areas[folded]
    candidates = lexicon.expansions(folded)
    for area in load_areas():
        names = [fold_text(area.zh), fold_text(area.en)]
        if any(term in name for term in candidates for name in names):
            return area.id
    for area in load_areas():
        keywords = {fold_text(keyword) for keyword in area.keywords}
        if candidates & keywords:
            return area.id
    return None


def extract_orgs(folded: str, lexicon: Lexicon) -> tuple[str, set[str]]:
    """Remove organisation names from the query; return the text left and the orgs named."""
    found: set[str] = set()
    patterns = lexicon.org_patterns
    # Only the aliases whose first character the query holds, in the same order as all of them:
    # a cut leaves nothing but a space where the alias was, so no alias can begin with another
    # character later (one beginning with a space, were there one, is tried all the same).
    for number in lexicon.org_starts.candidates(folded + " "):
        alias, pattern, short = patterns[number]
        if alias in folded and pattern.search(folded):  # the substring test is the cheap filter
            found.add(short)
            folded = pattern.sub(" ", folded)
    return folded, found


def remove_stop_phrases(folded: str, lexicon: Lexicon) -> str:
    """Drop question frames and particles (有冇, 邊個, 請問, who, …); keep the topic words."""
    # English stop words are dropped word by word later, after known phrases such as
    # "belt and road" have been spotted whole; Chinese frames are cut out here: every
    # occurrence of every phrase, overlapping ones too (俾我哋 holds 俾我 and 我哋), so that
    # what is left does not depend on the order the phrases are tried in.
    cut = bytearray(len(folded))
    phrases = lexicon.chinese_stop_phrases
    for number in lexicon.chinese_stop_phrase_starts.candidates(folded):
        phrase = phrases[number]
        found = folded.find(phrase)
        while found >= 0:
            cut[found : found + len(phrase)] = b"\x01" * len(phrase)
            found = folded.find(phrase, found + 1)
    if any(cut):
        folded = "".join(" " if gone else char for char, gone in zip(folded, cut, strict=True))
    folded = folded.translate(lexicon.stop_char_spaces)
    folded = re.sub(r"[^\w+&.'\-]+", " ", folded)  # punctuation separates, it never matches
    return " ".join(folded.split())
