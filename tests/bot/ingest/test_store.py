"""Writing parsed records into the store: stable IDs, content hashes, changes in place and
withdrawal instead of deletion (`bot.ingest.store`, on a real, empty store)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.ingest.store import content_fields, content_hash, record_id, upsert_source
from bot.store.db import SessionFactory
from bot.store.models import Recommendation, Source
from tests.bot.ingest.records import AREAS, document, recommendation, write

pytestmark = pytest.mark.db

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 2, 1, tzinfo=UTC)
T2 = datetime(2026, 3, 1, tzinfo=UTC)

HYDROGEN = recommendation("1", "推動氫能巴士在港試行。")
BATTERY = recommendation("2", "設立電池回收基金。")


def stored(sessions: SessionFactory) -> dict[str, Recommendation]:
    with sessions() as session:
        return {row.id: row for row in session.scalars(select(Recommendation))}


def vars_of(row: Recommendation) -> dict[str, object]:
    """The stored columns of a row."""
    return {column.key: getattr(row, column.key) for column in Recommendation.__table__.columns}


def test_new_records_are_added(sessions: SessionFactory) -> None:
    report = write(sessions, [HYDROGEN, BATTERY], T0)
    assert report.added == ["test24-1", "test24-2"]
    assert report.updated == report.withdrawn == [] and report.unchanged == 0
    assert report.changed
    row = stored(sessions)["test24-1"]
    assert (row.source_id, row.key, row.label, row.position) == ("test24", "1", "(1)", 0)
    assert row.text == HYDROGEN.text and row.section_path == ["一、創新科技"]
    assert row.refs == [{"label": "第 3 段", "text": "上文提及的背景"}]
    assert row.areas == ["innotech"] and row.primary_area == "innotech"
    assert row.first_seen == row.last_changed == T0
    assert not row.withdrawn
    assert row.content_hash == content_hash(content_fields(HYDROGEN, AREAS))
    assert stored(sessions)["test24-2"].position == 1


def test_unchanged_records_are_untouched(sessions: SessionFactory) -> None:
    write(sessions, [HYDROGEN, BATTERY], T0)
    before = {rec_id: vars_of(row) for rec_id, row in stored(sessions).items()}
    report = write(sessions, [HYDROGEN, BATTERY], T1)
    assert report.added == report.updated == report.withdrawn == []
    assert report.unchanged == 2 and not report.changed
    assert {rec_id: vars_of(row) for rec_id, row in stored(sessions).items()} == before


def test_a_moved_record_is_not_a_change(sessions: SessionFactory) -> None:
    write(sessions, [HYDROGEN, BATTERY], T0)
    report = write(sessions, [BATTERY, HYDROGEN], T1)
    assert report.unchanged == 2 and not report.changed
    rows = stored(sessions)
    assert (rows["test24-2"].position, rows["test24-1"].position) == (0, 1)
    assert rows["test24-1"].last_changed == T0


def test_changed_text_updates_hash_and_last_changed_under_the_same_id(
    sessions: SessionFactory,
) -> None:
    write(sessions, [HYDROGEN, BATTERY], T0)
    old_hash = stored(sessions)["test24-1"].content_hash
    edited = recommendation("1", "大力推動氫能巴士在港試行。")
    report = write(sessions, [edited, BATTERY], T1)
    assert report.updated == ["test24-1"] and report.added == report.withdrawn == []
    assert report.unchanged == 1
    rows = stored(sessions)
    assert len(rows) == 2
    changed = rows["test24-1"]
    assert changed.text == edited.text
    assert changed.content_hash == content_hash(content_fields(edited, AREAS)) != old_hash
    assert changed.first_seen == T0 and changed.last_changed == T1
    assert rows["test24-2"].last_changed == T0


def test_a_new_classification_is_a_change(sessions: SessionFactory) -> None:
    write(sessions, [HYDROGEN], T0)
    report = write(sessions, [HYDROGEN], T1, areas=("green", "innotech"))
    assert report.updated == ["test24-1"]
    row = stored(sessions)["test24-1"]
    assert row.areas == ["green", "innotech"] and row.primary_area == "green"
    assert row.last_changed == T1


def test_a_vanished_record_is_withdrawn_not_deleted(sessions: SessionFactory) -> None:
    write(sessions, [HYDROGEN, BATTERY], T0)
    report = write(sessions, [HYDROGEN], T1)
    assert report.withdrawn == ["test24-2"] and report.changed
    assert report.added == report.updated == [] and report.unchanged == 1
    gone = stored(sessions)["test24-2"]
    assert gone.withdrawn and gone.last_changed == T1
    assert gone.text == BATTERY.text and gone.first_seen == T0  # kept, citable

    again = write(sessions, [HYDROGEN], T2)  # still absent: withdrawn once, not again
    assert again.withdrawn == [] and not again.changed
    assert stored(sessions)["test24-2"].last_changed == T1


def test_a_returning_record_is_active_again_under_its_id(sessions: SessionFactory) -> None:
    write(sessions, [HYDROGEN, BATTERY], T0)
    write(sessions, [HYDROGEN], T1)
    report = write(sessions, [HYDROGEN, BATTERY], T2)
    assert report.updated == ["test24-2"] and report.added == []  # same text, but it was gone
    rows = stored(sessions)
    assert len(rows) == 2
    back = rows["test24-2"]
    assert not back.withdrawn and back.first_seen == T0 and back.last_changed == T2


def test_one_source_never_touches_another(sessions: SessionFactory) -> None:
    write(sessions, [HYDROGEN], T0, slug="test24")
    write(sessions, [HYDROGEN], T0, slug="other24")
    report = write(sessions, [], T1, slug="other24")
    assert report.withdrawn == ["other24-1"]
    rows = stored(sessions)
    assert not rows["test24-1"].withdrawn and rows["other24-1"].withdrawn


def test_duplicate_keys_are_refused(sessions: SessionFactory) -> None:
    with pytest.raises(ValueError, match=r"duplicate keys \['1'\]"):
        write(sessions, [HYDROGEN, BATTERY, recommendation("1", "另一條建議。")], T0)
    assert stored(sessions) == {}  # the transaction wrote nothing


def test_the_source_row_follows_the_manifest(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        upsert_source(session, document(title="舊標題"), "aaa", "f1", T0)
    with sessions.begin() as session:
        upsert_source(session, document(title="新標題"), "bbb", "f2", T1)
    with sessions() as session:
        (source,) = session.scalars(select(Source)).all()
    assert (source.id, source.file, source.title) == ("test24", "test24.txt", "新標題")
    assert (source.checksum, source.fingerprint, source.ingested_at) == ("bbb", "f2", T1)
    assert source.year == 2024


def test_ids_and_hashes() -> None:
    assert record_id("test24", "3-iv-a") == "test24-3-iv-a"
    fields = content_fields(HYDROGEN, AREAS)
    assert content_hash(fields) == content_hash(dict(reversed(fields.items())))  # key order
    assert content_hash(fields) != content_hash({**fields, "text": HYDROGEN.text + " "})
    assert len(content_hash(fields)) == 64
