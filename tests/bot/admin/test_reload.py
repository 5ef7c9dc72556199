"""/reload's core: per-source counts from a real re-ingest, and a corpus version bump every time."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.admin.reload import reload_corpus
from bot.ingest.pipeline import ingest
from bot.store.corpus import corpus_version
from bot.store.db import SessionFactory
from bot.store.models import Recommendation, Source


def _current_counts(sessions: SessionFactory) -> dict[str, int]:
    with sessions() as session:
        rows = session.execute(
            select(Recommendation.source_id, func.count())
            .where(Recommendation.withdrawn.is_(False))
            .group_by(Recommendation.source_id)
        ).all()
    return {slug: int(count) for slug, count in rows}


def test_unchanged_sources_are_skipped_and_the_version_still_moves(
    sessions: SessionFactory,
) -> None:
    ingest(sessions)
    counts = _current_counts(sessions)
    with sessions() as session:
        before = corpus_version(session)
    report = reload_corpus(sessions)
    assert {row.slug for row in report.sources} == set(counts)
    for row in report.sources:
        assert row.skipped
        assert (row.added, row.updated, row.withdrawn) == (0, 0, 0)
        assert row.unchanged == counts[row.slug]
    assert not report.changed
    with sessions() as session:
        assert corpus_version(session) == report.version != before


def test_changes_in_the_store_are_repaired_and_counted(sessions: SessionFactory) -> None:
    ingest(sessions)
    total = _current_counts(sessions)["bpa24"]
    with sessions.begin() as session:
        session.get(Source, "bpa24").fingerprint = "stale"  # type: ignore[union-attr]
        edited = session.get(Recommendation, "bpa24-6")
        assert edited is not None
        edited.text, edited.content_hash = "edited by hand", "x"
        session.delete(session.get(Recommendation, "bpa24-148"))
        session.add(
            Recommendation(
                **{
                    name: getattr(edited, name)
                    for name in ("source_id", "label", "title", "text", "primary_area")
                },
                id="bpa24-999",
                key="999",
                section_path=[],
                areas=[edited.primary_area],
                position=999,
                content_hash="y",
                first_seen=edited.first_seen,
                last_changed=edited.last_changed,
            )
        )
    report = reload_corpus(sessions)
    [bpa] = [row for row in report.sources if row.slug == "bpa24"]
    assert not bpa.skipped
    assert (bpa.added, bpa.updated, bpa.withdrawn) == (1, 1, 1)
    assert bpa.unchanged == total - 2
    assert report.changed
    with sessions() as session:
        assert session.get(Recommendation, "bpa24-6").text != "edited by hand"  # type: ignore[union-attr]
        assert session.get(Recommendation, "bpa24-999").withdrawn  # type: ignore[union-attr]
