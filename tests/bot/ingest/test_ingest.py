"""Ingest end to end into a real store: idempotency, in-place change, withdrawal, export."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.admin.export import write_csv, write_json
from bot.core.resources import sources_dir
from bot.ingest.pipeline import ingest, select_documents
from bot.store.corpus import get_recommendation, list_recommendations
from bot.store.db import SessionFactory
from bot.store.models import Recommendation, Source

LEGCO_FILE = "004_960b6cc202b4fd9b.txt"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 2, 1, tzinfo=UTC)
T2 = datetime(2026, 3, 1, tzinfo=UTC)


def _snapshot(sessions: SessionFactory) -> dict[str, tuple[str, str, bool, datetime]]:
    with sessions() as session:
        rows = session.scalars(select(Recommendation)).all()
        return {
            row.id: (row.content_hash, row.text, row.withdrawn, row.last_changed) for row in rows
        }


@pytest.fixture
def sources_copy(tmp_path: Path) -> Path:
    """A writable copy of data/sources, to edit a document between ingests."""
    target = tmp_path / "sources"
    shutil.copytree(sources_dir(), target)
    return target


def test_ingest_twice_changes_nothing(sessions: SessionFactory) -> None:
    first = ingest(sessions, now=T0)
    assert first.changed
    before = _snapshot(sessions)
    second = ingest(sessions, now=T1)
    assert not second.changed
    assert all(source.skipped for source in second.sources)
    assert _snapshot(sessions) == before


def test_reprocessing_unchanged_file_keeps_rows(sessions: SessionFactory) -> None:
    ingest(sessions, now=T0)
    before = _snapshot(sessions)
    with sessions.begin() as session:  # as if the parser code had changed: force a re-parse
        for source in session.scalars(select(Source)):
            source.fingerprint = "stale"
    report = ingest(sessions, now=T1)
    assert not report.changed
    assert not any(source.skipped for source in report.sources)
    assert _snapshot(sessions) == before


def test_changed_record_keeps_id_and_vanished_record_is_withdrawn(
    sessions: SessionFactory, sources_copy: Path
) -> None:
    documents = select_documents([Path(LEGCO_FILE)], directory=sources_copy)
    ingest(sessions, documents, now=T0)
    path = sources_copy / LEGCO_FILE
    original = path.read_text(encoding="utf-8")
    edited = original.replace(
        "制訂政策推動高端工業服務產業的發展", "制訂政策大力推動高端工業服務產業的發展"
    )
    u_line = next(line for line in edited.splitlines() if line.startswith("- (u)"))
    edited = edited.replace(u_line, "")
    assert edited != original
    path.write_text(edited, encoding="utf-8")

    report = ingest(sessions, documents, now=T1).sources[0]
    assert report.updated == ["legco24-b"]
    assert report.withdrawn == ["legco24-u"]
    assert report.added == []
    with sessions() as session:
        changed = get_recommendation(session, "legco24-b")
        assert changed is not None
        assert "大力推動高端工業服務產業" in changed.text
        assert changed.first_seen == T0
        assert changed.last_changed == T1
        gone = get_recommendation(session, "legco24-u")
        assert gone is not None and gone.withdrawn and gone.last_changed == T1
        active = [row.id for row in list_recommendations(session)]
        assert "legco24-u" not in active

    path.write_text(original, encoding="utf-8")  # the recommendation comes back: same ID, active
    report = ingest(sessions, documents, now=T2).sources[0]
    assert sorted(report.updated) == ["legco24-b", "legco24-u"]
    with sessions() as session:
        back = get_recommendation(session, "legco24-u")
        assert back is not None and not back.withdrawn and back.first_seen == T0
        total = session.scalar(select(func.count()).select_from(Recommendation))
        assert total == 21  # nothing was ever deleted or duplicated


def test_ids_are_short_ascii_and_deep_link_safe(corpus_sessions: SessionFactory) -> None:
    with corpus_sessions() as session:
        ids = [row.id for row in list_recommendations(session)]
    assert len(ids) == len(set(ids))
    for rec_id in ids:
        assert rec_id.isascii() and rec_id == rec_id.lower()
        assert all(char.isalnum() or char == "-" for char in rec_id)
        assert len(f"rec_{rec_id}") <= 64  # /start deep-link payload


def test_every_record_is_citable(corpus_sessions: SessionFactory) -> None:
    with corpus_sessions() as session:
        for record in list_recommendations(session):
            assert record.text.strip() and record.label and record.title
            assert record.source.org and record.source.title
            assert record.areas and record.areas[0] == record.primary_area
            assert len(record.areas) <= 2


def test_export_json_and_csv_carry_every_field(corpus_sessions: SessionFactory) -> None:
    with corpus_sessions() as session:
        records = list_recommendations(session)
        json_out, csv_out = io.StringIO(), io.StringIO()
        write_json(records, json_out)
        write_csv(records, csv_out)
    exported = json.loads(json_out.getvalue())
    rows = list(csv.DictReader(io.StringIO(csv_out.getvalue())))
    assert len(exported) == len(rows) == len(records)
    first = exported[0]
    for name in ("id", "doc", "org", "org_short", "label", "title", "text", "areas"):
        assert first[name]
    assert {"section_path", "bureaux", "refs"} <= set(first)
    by_id = {record["id"]: record for record in exported}
    assert by_id["fhki23-1-1-1"]["section_path"][0].startswith("1.")
    assert by_id["fhki23-1-1-1"]["bureaux"]
    assert by_id["legco24-b"]["refs"][0]["text"]
    for row, record in zip(rows, exported, strict=True):
        assert row["id"] == record["id"]
        assert row["text"] == record["text"]
        assert row["section_path"] == "; ".join(record["section_path"])  # readable, not JSON
        assert row["areas"] == "; ".join(record["areas"])
        assert row["bureaux"] == "; ".join(record["bureaux"])
        refs = [f"{ref['label']} {ref['text']}".strip() for ref in record["refs"]]
        assert row["refs"] == "; ".join(refs)
        assert not row["refs"].startswith("[") and not row["areas"].startswith("[")
