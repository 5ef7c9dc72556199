"""Insight figures on a seeded store: members, chats, subscriptions, queries (folded), and the
organisation × area matrix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.admin.insight import QUERY_DAYS, collect, format_insight, query_key
from bot.ingest.pipeline import ingest
from bot.store.chats import touch_chat
from bot.store.corpus import list_recommendations
from bot.store.db import SessionFactory
from bot.store.query_log import log_query
from bot.store.subscriptions import set_chat_reachable, subscribe

ZONE = ZoneInfo("Asia/Hong_Kong")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 20:00 in Hong Kong


def _seed(sessions: SessionFactory) -> None:
    ingest(sessions)
    with sessions.begin() as session:
        for chat_id, chat_type in ((1, "private"), (2, "private"), (3, "private"), (-5, "group")):
            touch_chat(session, chat_id, chat_type, None, now=NOW)
        subscribe(session, 1, "private", ["talent", "innotech"], ZONE, now=NOW)
        subscribe(session, -5, "group", ["talent"], ZONE, now=NOW)
        subscribe(session, 3, "private", ["land"], ZONE, now=NOW)  # then blocked: not counted
        session.flush()
        set_chat_reachable(session, 3, False)  # blocked the bot: not a member any more
        queries = [
            ("北部都會區", 30, 0),
            ("北部都会区", 30, 1),
            ("北部 都會區", 30, 2),
            ("中試", 8, 0),
            ("中試", 8, 40),  # older than the window
            ("火星殖民地", 0, 1),
            ("火星殖民地", 0, 3),
            ("月球基地", 0, 0),
        ]
        for text, results, days_ago in queries:
            at = NOW - timedelta(days=days_ago, hours=1)
            log_query(session, text, "private", results, retention_days=90, at=at)


def test_figures(sessions: SessionFactory) -> None:
    _seed(sessions)
    with sessions() as session:
        insight = collect(session, ZONE, now=NOW)
        records = list_recommendations(session)
    assert insight.members == 2
    assert insight.chats == {"group": (1, 1), "private": (2, 3)}
    assert insight.subscriptions["talent"] == 2
    assert insight.subscriptions["innotech"] == 1
    assert insight.subscriptions["land"] == 0
    assert len(insight.queries_per_day) == QUERY_DAYS
    per_day = dict(insight.queries_per_day)
    assert per_day[NOW.date()] == 3  # 北部都會區, 中試, 月球基地
    assert per_day[NOW.date() - timedelta(days=1)] == 2
    assert insight.total_queries == 7
    top = [(item.text, item.count) for item in insight.top_queries]
    assert top[0][1] == 3 and query_key(top[0][0]) == query_key("北部都會區")
    assert ("火星殖民地", 2) in top and ("中試", 1) in top
    assert [(item.text, item.count) for item in insight.empty_queries] == [
        ("火星殖民地", 2),
        ("月球基地", 1),
    ]
    assert sum(insight.per_org_area.values()) == len(records)
    bpa_talent = sum(1 for r in records if r.source_id == "bpa24" and r.primary_area == "talent")
    assert insight.per_org_area["bpa", "talent"] == bpa_talent
    cma = sum(1 for r in records if r.source_id.startswith("cma"))
    assert sum(v for (org, _), v in insight.per_org_area.items() if org == "cma") == cma
    assert [org.code for org in insight.organisations].count("cma") == 1


def test_folding_counts_scripts_and_spacing_together() -> None:
    assert query_key("北部都會區") == query_key("北部都会区") == query_key(" 北部 都會區 ")
    assert query_key("ＡＩ") == query_key("ai")
    assert query_key("中試") != query_key("北部都會區")


def test_tables_in_both_languages(sessions: SessionFactory) -> None:
    _seed(sessions)
    with sessions() as session:
        insight = collect(session, ZONE, now=NOW)
    chinese = format_insight("zh-Hant-HK", insight)
    english = format_insight("en", insight)
    assert "火星殖民地" in chinese and "火星殖民地" in english
    assert "人才、教育與青年" in chinese and "Talent" in english
    assert "經民聯" in chinese and "BPA" in english


def test_empty_store_says_none(sessions: SessionFactory) -> None:
    with sessions() as session:
        insight = collect(session, ZONE, now=NOW)
    assert insight.members == 0 and insight.total_queries == 0 and not insight.top_queries
    assert "(none)" in format_insight("en", insight)
