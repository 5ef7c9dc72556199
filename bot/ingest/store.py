"""Write parsed documents into the store: stable IDs, content hashes, withdrawn flags.

Functions here take a Session and never commit; `bot.ingest.ingest` owns the transactions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.ingest.document import ParsedRecommendation
from bot.ingest.sources import SourceDocument
from bot.store.models import Recommendation, Source


@dataclass
class SourceReport:
    """What one ingest did to one source."""

    slug: str
    skipped: bool = False  # file, parser and taxonomy unchanged: nothing was parsed
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """True when any record was added, updated or withdrawn."""
        return bool(self.added or self.updated or self.withdrawn)


def record_id(slug: str, key: str) -> str:
    """The stable public ID of a recommendation: `<slug>-<key>` (ASCII, ≤ 64 chars)."""
    return f"{slug}-{key}"


def content_fields(parsed: ParsedRecommendation, areas: tuple[str, ...]) -> dict[str, Any]:
    """The columns that come from the document, as stored."""
    return {
        "label": parsed.label,
        "title": parsed.title,
        "text": parsed.text,
        "section_path": list(parsed.section_path),
        "bureaux": list(parsed.bureaux),
        "refs": [{"label": ref.label, "text": ref.text} for ref in parsed.refs],
        "areas": list(areas),
        "primary_area": areas[0],
    }


def content_hash(fields: dict[str, Any]) -> str:
    """sha256 over the content columns (canonical JSON)."""
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def upsert_source(
    session: Session, document: SourceDocument, checksum: str, fingerprint: str, now: datetime
) -> Source:
    """Create or refresh the Source row from the manifest."""
    source = session.get(Source, document.slug) or Source(id=document.slug)
    source.file = document.path.name
    for name in ("org", "org_short", "org_en", "org_short_en", "title", "title_en", "kind", "date"):
        setattr(source, name, getattr(document, name))
    source.checksum, source.fingerprint, source.ingested_at = checksum, fingerprint, now
    session.add(source)
    return source


def sync_records(
    session: Session,
    source: Source,
    parsed: list[tuple[ParsedRecommendation, tuple[str, ...]]],
    now: datetime,
) -> SourceReport:
    """Make the source's records match `parsed` (with their areas): insert new ones, update
    changed ones in place (same ID, last_changed bumped), withdraw vanished ones (never delete)."""
    report = SourceReport(slug=source.id)
    keys = [item.key for item, _ in parsed]
    if len(set(keys)) != len(keys):
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"{source.id}: the parser produced duplicate keys {duplicates}")
    existing = {
        row.key: row
        for row in session.scalars(
            select(Recommendation).where(Recommendation.source_id == source.id)
        )
    }
    for position, (item, areas) in enumerate(parsed):
        fields = content_fields(item, areas)
        row = existing.pop(item.key, None)
        _apply(session, source, row, item.key, position, fields, now, report)
    for row in existing.values():
        if not row.withdrawn:
            row.withdrawn, row.last_changed = True, now
            report.withdrawn.append(row.id)
    return report


def _apply(
    session: Session,
    source: Source,
    row: Recommendation | None,
    key: str,
    position: int,
    fields: dict[str, Any],
    now: datetime,
    report: SourceReport,
) -> None:
    digest = content_hash(fields)
    if row is None:
        row = Recommendation(
            id=record_id(source.id, key), source_id=source.id, key=key, first_seen=now
        )
        session.add(row)
        report.added.append(row.id)
    elif row.content_hash == digest and not row.withdrawn:
        row.position = position
        report.unchanged += 1
        return
    else:
        report.updated.append(row.id)
    for name, value in fields.items():
        setattr(row, name, value)
    row.position, row.content_hash, row.last_changed, row.withdrawn = position, digest, now, False
