"""A few recommendations written into a real store through `bot.ingest.store`, as an ingest
would, without parsing a document: for tests of the store writer and of what reads it back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.ingest.document import ParsedRecommendation, Reference
from bot.ingest.sources import SourceDocument
from bot.ingest.store import SourceReport, sync_records, upsert_source
from bot.store.db import SessionFactory

AREAS = ("innotech",)


def document(slug: str = "test24", title: str = "測試意見書") -> SourceDocument:
    """A manifest entry; its file is never read here (only its name is stored)."""
    return SourceDocument(
        path=Path(f"{slug}.txt"),
        slug=slug,
        layout="generic",
        org="測試商會",
        org_short="測商會",
        org_en="Test Chamber",
        org_short_en="TC",
        title=title,
        title_en="Test submission",
        kind="policy-address-submission",
        date="2024-05",
    )


def recommendation(key: str, text: str, title: str = "") -> ParsedRecommendation:
    """A parsed recommendation labelled by its key, with one cited paragraph."""
    return ParsedRecommendation(
        key=key,
        label=f"({key})",
        title=title or text[:8],
        text=text,
        section_path=("一、創新科技",),
        refs=(Reference(label="第 3 段", text="上文提及的背景"),),
    )


def write(
    sessions: SessionFactory,
    items: list[ParsedRecommendation],
    now: datetime,
    *,
    slug: str = "test24",
    areas: tuple[str, ...] = AREAS,
) -> SourceReport:
    """One ingest of one source in one transaction: the source row, then its records."""
    with sessions.begin() as session:
        source = upsert_source(session, document(slug), "checksum", "fingerprint", now)
        session.flush()
        return sync_records(session, source, [(item, areas) for item in items], now)
