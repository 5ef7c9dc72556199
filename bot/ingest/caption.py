"""The caption an admin writes under an uploaded document: one `field: value` per line.

Forgiving: full-width or half-width colon, any case, `-`/space/`_` alike, Chinese or English
field names, blank and unknown lines reported rather than fatal:

    org: 香港未來產業協會          (機構 / 組織)
    title: 對2025年《施政報告》的建議  (標題)
    date: 2025-09                  (日期)
    kind: policy-address-submission (類型, optional)
    org_en: Hong Kong Future Industries Association (英文名稱; required for a new organisation)
    org_short: 未來產業協會 / org_short_en: HKFIA / title_en: … / slug: hkfia25 (optional)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.text import clip
from bot.ingest.imports import DEFAULT_KIND, ImportMeta

REQUIRED = ("org", "title", "date")
UNKNOWN_LINE_SHOWN = 40  # of a line not understood, repeated back to the admin
_ALIASES = {
    "org": "org", "organisation": "org", "organization": "org", "機構": "org", "組織": "org",
    "title": "title", "標題": "title", "文件": "title",
    "date": "date", "日期": "date",
    "kind": "kind", "type": "kind", "類型": "kind",
    "slug": "slug",
    "orgshort": "org_short", "short": "org_short", "簡稱": "org_short",
    "orgen": "org_en", "english": "org_en", "英文名稱": "org_en", "英文名": "org_en",
    "orgshorten": "org_short_en", "英文簡稱": "org_short_en",
    "titleen": "title_en", "英文標題": "title_en",
}  # fmt: skip
_LINE = re.compile(r"^\s*([^:：]{1,20}?)\s*[:：]\s*(.*?)\s*$")


@dataclass(frozen=True)
class CaptionReading:
    """What a caption said: the metadata if complete, else what is missing or not understood."""

    meta: ImportMeta | None
    missing: tuple[str, ...]
    unknown: tuple[str, ...]


def read_caption(caption: str | None) -> CaptionReading:
    """Parse the caption's `field: value` lines."""
    fields: dict[str, str] = {}
    unknown: list[str] = []
    for line in (caption or "").splitlines():
        if not line.strip():
            continue
        found = _LINE.match(line)
        name = re.sub(r"[\s_\-]", "", found.group(1)).lower() if found else ""
        if found is None or name not in _ALIASES:
            unknown.append(clip(line.strip(), UNKNOWN_LINE_SHOWN))
            continue
        fields[_ALIASES[name]] = found.group(2)
    missing = tuple(name for name in REQUIRED if not fields.get(name))
    if missing:
        return CaptionReading(None, missing, tuple(unknown))
    meta = ImportMeta(
        org=fields["org"],
        title=fields["title"],
        date=fields["date"],
        kind=fields.get("kind") or DEFAULT_KIND,
        **{k: v for k, v in fields.items() if k not in (*REQUIRED, "kind") and v},
    )
    return CaptionReading(meta, (), tuple(unknown))
