"""Followed topics in digests and "notify at once" alerts, with a scripted Sender on a real store:
topic sections before the areas, a proposal once per digest and never again unchanged, one
search per folded topic, and alerts sent exactly once whatever fails in between."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from bot.core.filters import Filters
from bot.digest.alerts import alert_new_documents, queue_new_documents
from bot.digest.compose import RunData, compose
from bot.digest.deliver import send_due, topic_matches
from bot.messaging.sender import Blocked, Migrated, RetryAfter
from bot.search import SearchIndex, search
from bot.search import topics as topics_module
from bot.search.topics import topic_key
from bot.store.corpus import list_recommendations
from bot.store.db import SessionFactory
from bot.store.models import AlertedSource, Chat, FollowedTopic, Source, TopicAlert
from bot.store.subscriptions import set_schedule, subscribe
from bot.store.topics import follow, set_notify_now, topics_for_chats
from tests.bot.digest.test_deliver import HK, OPTIONS, T0, Killed, ScriptedSender, _due

pytestmark = pytest.mark.db


@pytest.fixture
def store(sessions: SessionFactory) -> SessionFactory:
    from bot.ingest.pipeline import ingest

    ingest(sessions, now=T0 - timedelta(days=30))
    return sessions


def _follow(store: SessionFactory, chat_id: int, text: str, notify: bool = False) -> None:
    with store.begin() as session:
        _, topic = follow(session, chat_id, "private", text, topic_key(text), Filters(), HK, T0)
        assert topic is not None
        set_notify_now(session, chat_id, topic.id, notify)
        set_schedule(session, chat_id, "daily", 9, 0, HK, now=T0)


def _run(store: SessionFactory, index: SearchIndex, chat_id: int) -> RunData:
    with store() as session:
        records = list_recommendations(session)
        matches = topic_matches(index, topics_for_chats(session, [chat_id]))
    return RunData(records, matches)


async def test_topic_sections_come_first_and_never_repeat(
    store: SessionFactory, search_index: SearchIndex
) -> None:
    with store.begin() as session:
        subscribe(session, 1, "private", ["land"], HK, now=T0)
    _follow(store, 1, "北都")
    run = _run(store, search_index, 1)
    north = set(run.matches[topic_key("北都")])
    assert north
    with store() as session:
        digest = compose(session, 1, "en", "p1", T0, None, run=run)
    assert digest is not None
    text = digest.messages[0].html
    assert text.index("🔎 北都") < text.index("━ Land")  # the topic's section, then the area
    assert len(digest.record_ids) == len(set(digest.record_ids))  # once per digest
    topic_part = digest.record_ids[: len([r for r in digest.record_ids if r in north])]
    assert set(topic_part) <= north
    sender = ScriptedSender()
    when = _due(store)
    await send_due(store, sender, OPTIONS, now=when, index=search_index)
    with store() as session:
        later = compose(session, 1, "en", "p2", when, None, run=run)
    assert later is not None
    assert set(later.record_ids).isdisjoint(digest.record_ids)  # never repeated unchanged


async def test_a_topic_is_searched_once_for_every_chat(
    store: SessionFactory, search_index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    chats = list(range(10, 30))
    for chat_id in chats:
        _follow(store, chat_id, "北都" if chat_id % 2 else "北部都会区")  # one folded key
    calls: list[str] = []
    real = topics_module.matching_ids

    def counted(index: SearchIndex, query: str, filters: Filters | None = None) -> list[str]:
        calls.append(query)
        return real(index, query, filters)

    monkeypatch.setattr(topics_module, "matching_ids", counted)
    sender = ScriptedSender()
    report = await send_due(store, sender, OPTIONS, now=_due(store), index=search_index)
    assert report.counts["sent"] == len(chats)
    assert len(calls) == 2  # "北都" and "北部都會區" fold differently: two searches, not 20


async def test_nothing_to_say_sends_nothing(store: SessionFactory, search_index: SearchIndex):
    _follow(store, 40, "量子引力波火星殖民")
    sender = ScriptedSender()
    report = await send_due(store, sender, OPTIONS, now=_due(store), index=search_index)
    assert report.counts["empty"] == 1 and sender.sent == []


def _new_document(store: SessionFactory, index: SearchIndex, query: str) -> str:
    """Everything examined except the document of the query's best match: that one is new."""
    slug = search(index, query, limit=1).results[0].record.source_id
    queue_new_documents(store, index)  # no topics yet: every document examined, nothing queued
    with store.begin() as session:
        session.execute(delete(AlertedSource).where(AlertedSource.source_id == slug))
        source = session.get(Source, slug)
        source.ingested_at = T0 + timedelta(days=1)  # arrives after the topics (followed at T0)
    return slug


async def test_a_document_older_than_the_topic_alerts_nobody(
    store: SessionFactory, search_index: SearchIndex
) -> None:
    slug = search(search_index, "北都", limit=1).results[0].record.source_id
    _follow(store, 60, "北都", notify=True)  # followed at T0; the corpus arrived a month before
    sender = ScriptedSender()
    await alert_new_documents(store, sender, OPTIONS, search_index)
    assert sender.calls == []
    with store() as session:
        assert session.get(AlertedSource, slug) is not None  # examined: never alerted later


async def test_alerts_exactly_once_through_faults(
    store: SessionFactory, search_index: SearchIndex
) -> None:
    slug = _new_document(store, search_index, "北都")
    chats = [51, 52, 53, 54, 55]
    for chat_id in chats:
        _follow(store, chat_id, "北都", notify=True)
    _follow(store, 56, "北都", notify=False)  # digest only: no alert
    _follow(store, 57, "量子引力波火星殖民", notify=True)  # nothing matches: no alert
    script = {
        52: [Blocked("blocked by the user")],
        53: [RetryAfter(1.0)],
        54: [Migrated(-1000054), Migrated(-1000054)],  # the old id stays migrated
    }
    sender = ScriptedSender(script, kill_after=2)  # 51 sent, 54 (migrated) sent, then dies
    rerun = ScriptedSender({54: script[54]})
    with pytest.raises(Killed):
        await alert_new_documents(store, sender, OPTIONS, search_index)
    report = await alert_new_documents(store, rerun, OPTIONS, search_index)
    again = ScriptedSender()
    await alert_new_documents(store, again, OPTIONS, search_index)
    assert again.calls == []  # nothing twice
    received = Counter(sender.sent + rerun.sent)
    assert set(received) == {51, 53, 55, -1000054}
    assert [chat for chat, n in received.items() if n > 1] in ([], [-1000054])  # the one in flight
    assert report.counts["sent"] >= 2
    with store() as session:
        alerts = {a.chat_id: a for a in session.scalars(select(TopicAlert))}
        assert set(alerts) == {51, 52, 53, -1000054, 55}
        assert all(a.source_id == slug for a in alerts.values())
        assert alerts[52].status == "blocked" and not session.get(Chat, 52).active
        assert alerts[53].status == "sent" and alerts[53].attempts == 2  # 429, then next run
        moved = session.scalars(select(FollowedTopic.chat_id).where(FollowedTopic.chat_id < 0))
        assert list(moved) == [-1000054]
