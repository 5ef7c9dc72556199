"""The upload caption: forgiving `field: value` lines in Chinese or English."""

from __future__ import annotations

from bot.ingest.caption import read_caption
from bot.ingest.imports import ImportMeta


def test_fields_in_either_language_with_either_colon() -> None:
    reading = read_caption(
        "機構：香港未來產業協會\nTitle: 對2025年《施政報告》的建議\n日期: 2025-09\n"
        "Org-EN：Hong Kong Future Industries Association\norg short: 未來產業協會\n"
        "kind: budget-submission\n\n多謝！\n"
    )
    assert reading.meta == ImportMeta(
        org="香港未來產業協會",
        title="對2025年《施政報告》的建議",
        date="2025-09",
        kind="budget-submission",
        org_en="Hong Kong Future Industries Association",
        org_short="未來產業協會",
    )
    assert reading.unknown == ("多謝！",)
    assert reading.missing == ()


def test_missing_fields_are_listed() -> None:
    assert read_caption(None).missing == ("org", "title", "date")
    reading = read_caption("org: 工總\ndate:\nfoo: bar")
    assert reading.meta is None
    assert reading.missing == ("title", "date")
    assert reading.unknown == ("foo: bar",)


def test_payload_round_trip() -> None:
    meta = read_caption("org: 工總\ntitle: t\ndate: 2025").meta
    assert meta is not None
    assert ImportMeta.from_payload(meta.as_payload()) == meta
