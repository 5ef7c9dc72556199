"""The importer the Telegram upload uses: store-only, records new in the next digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core.resources import sources_dir
from bot.digest.compose import compose
from bot.ingest.extract import ExtractError
from bot.ingest.imports import ImportMeta, ImportProblem, apply, plan
from bot.ingest.pipeline import ingest
from bot.search.live import LiveIndex
from bot.search.normalize import fold_text
from bot.store.corpus import corpus_version
from bot.store.db import SessionFactory
from bot.store.models import Recommendation, SentItem, Source
from bot.store.subscriptions import subscribe
from bot.ui.i18n import t
from tests.bot.ingest.documents import make_docx

SYNTHETIC = Path(__file__).resolve().parents[2] / "data" / "synthetic_submission.txt"
META = ImportMeta(
    org="香港未來產業協會",
    title="對2025年《施政報告》的建議",
    date="2025-09",
    org_short="未來產業協會",
    org_en="Hong Kong Future Industries Association",
    org_short_en="HKFIA",
)
T0 = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
CHAT = 555


def test_apply_stores_only_and_the_digest_shows_the_records_as_new(
    sessions: SessionFactory,
) -> None:
    ingest(sessions, now=T0)
    sent_at = T0 + timedelta(hours=1)
    with sessions.begin() as session:
        subscribe(session, CHAT, "private", ["health"], ZoneInfo("Asia/Hong_Kong"), now=T0)
        for record_id in session.scalars(select(Recommendation.id)):  # all seen already
            session.add(SentItem(chat_id=CHAT, recommendation_id=record_id, sent_at=sent_at))
        version = corpus_version(session)
    manifest_before = (sources_dir() / "manifest.yaml").read_bytes()
    now = T0 + timedelta(days=1)
    the_plan, report = apply(sessions, make_docx(SYNTHETIC.read_text()), "a.docx", META, now)
    assert the_plan.document.slug == "hkfia25" and len(report.added) == 15
    assert (sources_dir() / "manifest.yaml").read_bytes() == manifest_before  # store only
    with sessions() as session:
        assert corpus_version(session) != version
        source = session.get(Source, "hkfia25")
        assert source is not None and source.org_short == "未來產業協會"
        digest = compose(session, CHAT, "zh-Hant-HK", "2026-11-02", sent_at, None)
    health = ["hkfia25-3-2-1-1", "hkfia25-3-2-1-1-1", "hkfia25-3-2-1-1-2"]
    assert digest is not None and digest.record_ids == health
    html = "\n".join(message.html for message in digest.messages)
    assert html.count(t("zh-Hant-HK", "digest.new")) == 3
    # the same upload again changes nothing; the release step's ingest leaves it alone
    _, again = apply(sessions, make_docx(SYNTHETIC.read_text()), "a.docx", META, now)
    assert again.skipped or not again.changed
    ingest(sessions, now=now + timedelta(days=1))
    with sessions() as session:
        assert session.get(Source, "hkfia25") is not None


@pytest.mark.parametrize(
    ("data", "meta", "error", "message"),
    [
        (b"", META, ExtractError, "empty"),
        (SYNTHETIC.read_bytes(), ImportMeta("工總", "", "2025"), ImportProblem, "title"),
        (SYNTHETIC.read_bytes(), ImportMeta("工總", "t", "25"), ImportProblem, "bad date"),
        (b"just some words with no numbering at all " * 3, ImportMeta("工總", "t", "2025"),
         ImportProblem, "no recommendations"),
    ],
)  # fmt: skip
def test_plan_refuses_with_a_reason(
    data: bytes, meta: ImportMeta, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        plan(data, "x.pdf", meta)


def test_every_replica_learns_a_new_source_with_its_index(sessions: SessionFactory) -> None:
    """Source facts (document kinds, organisation filters) come with the index, so a replica
    that did not run the upload learns the new organisation when it rebuilds, not never."""
    ingest(sessions, now=T0)
    other_replica = LiveIndex(sessions, interval=3600)  # checks only when told to, below
    assert "hkfia" not in other_replica.get().sources.org_codes
    apply(sessions, make_docx(SYNTHETIC.read_text()), "a.docx", META, T0 + timedelta(days=1))
    assert other_replica.refresh()  # what its periodic corpus-version check does
    facts = other_replica.get().sources
    assert facts.org_codes["hkfia"] == fold_text("未來產業協會")
    assert facts.org_names_en["hkfia"] == "HKFIA" and facts.kinds["hkfia25"]
