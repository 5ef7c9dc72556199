"""The ingest pipeline: source files → parse → clean → classify → store. Idempotent.

`ingest` takes the session factory and commits once per source document, so a failure in one
document leaves the others ingested.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.core.resources import data_dir, sources_dir
from bot.ingest.classify import classify
from bot.ingest.layouts import parser_for
from bot.ingest.sources import ManifestError, SourceDocument, read_manifest
from bot.ingest.store import SourceReport, sync_records, upsert_source
from bot.ingest.vectors import sync_vectors
from bot.store.corpus import bump_corpus_version
from bot.store.db import SessionFactory
from bot.store.models import Source, utcnow

__all__ = ["IngestReport", "ManifestError", "ingest", "pipeline_fingerprint", "select_documents"]

_INGEST_PACKAGE = Path(__file__).resolve().parent  # bot/ingest: its code is in the fingerprint
_TAXONOMY_FILES = ("areas.yaml", "heading_areas.yaml", "layouts.yaml")


@dataclass
class IngestReport:
    """What an ingest run did, per source."""

    sources: list[SourceReport] = field(default_factory=list)
    vectors: int = 0  # record vectors computed or read from the cache (new or changed records)

    @property
    def changed(self) -> bool:
        """True when any record was added, updated or withdrawn."""
        return any(source.changed for source in self.sources)


def pipeline_fingerprint() -> str:
    """sha256 of the parsing code and the taxonomy: a change re-processes unchanged files."""
    digest = hashlib.sha256()
    for path in sorted(_INGEST_PACKAGE.rglob("*.py")):
        digest.update(path.read_bytes())
    for name in _TAXONOMY_FILES:
        digest.update((data_dir() / name).read_bytes())
    return digest.hexdigest()


def select_documents(
    paths: Sequence[Path] = (), directory: Path | None = None
) -> list[SourceDocument]:
    """The manifest's documents, or only those whose files are named in `paths`."""
    documents = read_manifest(directory or sources_dir())
    if not paths:
        return documents
    by_name = {document.path.name: document for document in documents}
    unknown = [str(path) for path in paths if Path(path).name not in by_name]
    if unknown:
        raise ManifestError(f"not in the manifest: {', '.join(unknown)}")
    return [by_name[Path(path).name] for path in paths]


def ingest(
    sessions: SessionFactory,
    documents: Sequence[SourceDocument] | None = None,
    now: datetime | None = None,
) -> IngestReport:
    """Ingest `documents` (default: every source in data/sources); commits per document."""
    now = now or utcnow()
    pipeline = pipeline_fingerprint()
    report = IngestReport()
    for document in select_documents() if documents is None else documents:
        with sessions.begin() as session:
            source_report = _ingest_one(session, document, pipeline, now)
            if source_report.changed:
                bump_corpus_version(session, now)
        report.sources.append(source_report)
    with sessions.begin() as session:
        report.vectors = sync_vectors(session)
    return report


def _ingest_one(
    session: Session, document: SourceDocument, pipeline: str, now: datetime
) -> SourceReport:
    checksum = document.checksum()
    described = f"{checksum}:{pipeline}:{document.describe()}"
    fingerprint = hashlib.sha256(described.encode("utf-8")).hexdigest()
    existing = session.get(Source, document.slug)
    if existing is not None and existing.fingerprint == fingerprint:
        return SourceReport(slug=document.slug, skipped=True)
    parsed = parser_for(document.layout, document.rules)(document.read_text())
    classified = [(item, classify(item.title, item.section_path, item.text)) for item in parsed]
    source = upsert_source(session, document, checksum, fingerprint, now)
    session.flush()
    return sync_records(session, source, classified, now)
