"""The background writer (bot.store.deferred_writes): the query log, saved searches and chat
touches a search hands over are all in the store after a graceful stop (SIGTERM while updates are
still queued), and a flush the store refuses is retried, losing nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from bot.core.filters import Filters
from bot.ingest.pipeline import ingest
from bot.store.db import SessionFactory, make_engine, make_sessions
from bot.store.deferred_writes import DeferredWrites
from bot.store.models import Chat, QueryLogEntry, SavedQuery
from bot.store.saved_queries import load_query, query_key
from bot.ui import actions
from handlers.webhook import SECRET_HEADER, WEBHOOK_PATH
from tests.bot_process import BotProcess
from tests.fake_bot_api import FakeBotAPI
from tests.fake_bot_api.absorb import absorb

pytestmark = pytest.mark.db
SECRET = "deferred-writes-secret-1"
QUERIES = ("人才", "中試", "烈酒稅", "房屋", "火星殖民地", "醫療", "創科", "教育")


async def test_sigterm_with_updates_queued_stores_every_deferred_write(
    fake_bot_api: FakeBotAPI, engine: Engine, sessions: SessionFactory, tmp_path: Path
) -> None:
    ingest(sessions)
    bot = await BotProcess.start_webhook(
        fake_bot_api.token, fake_bot_api.base_url, engine, SECRET, tmp_path
    )
    chats = {4001 + number: query for number, query in enumerate(QUERIES)}
    rounds = 5  # 40 searches posted at once, SIGTERM right after: the last ones are handled
    # after the writer's last periodic flush, so their writes reach the store only through the
    # final flush at shutdown
    try:
        await bot.wait_healthy()
        bodies = []
        for round_ in range(rounds):
            for chat_id, query in chats.items():
                body = fake_bot_api.build.private_message(f"{query} {round_}", user_id=chat_id)
                absorb(fake_bot_api.state, fake_bot_api.faults, body)
                bodies.append({"update_id": 500 + len(bodies), **body})
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{bot.port}") as http:
            answers = await asyncio.gather(
                *(http.post(WEBHOOK_PATH, json=b, headers={SECRET_HEADER: SECRET}) for b in bodies)
            )
        bot.terminate()
        assert [answer.status_code for answer in answers] == [200] * len(bodies)
        assert await bot.wait(60) == 0, bot.stderr[-3000:]
    finally:
        await bot.stop()
    assert "Traceback" not in bot.stderr
    assert "could not be stored" not in bot.stderr
    with sessions() as session:
        logged = [(e.chat_type, e.text) for e in session.scalars(select(QueryLogEntry))]
        known_chats = set(session.scalars(select(Chat.id)))
        saved = {row.key: row.text for row in session.scalars(select(SavedQuery))}
        # The keys on the replies' buttons resolve in the store, for any replica.
        button_keys = {
            actions.decode(data).args[0]  # type: ignore[union-attr]
            for message in fake_bot_api.sent_messages()
            for data in message.callback_data()
            if data.startswith(f"{actions.PAGE}:")
        }
        assert all(load_query(session, key) is not None for key in button_keys)
    typed = [f"{query} {round_}" for round_ in range(rounds) for query in QUERIES]
    assert sorted(logged) == sorted(("private", query) for query in typed)
    assert set(chats) <= known_chats
    assert {query_key(query, Filters()): query for query in typed}.items() <= saved.items()
    assert len(fake_bot_api.sent_messages()) == len(bodies)  # and every update was answered


async def test_a_flush_during_an_outage_is_retried_and_nothing_is_lost(
    engine: Engine, tmp_path: Path
) -> None:
    sessions = make_sessions(make_engine(f"sqlite:///{tmp_path}/missing/folder/store.db"))
    writes = DeferredWrites(sessions, retention_days=90)  # the store cannot be opened: an outage
    writes.log_query("人才", "private", 12)
    key = writes.save_query("人才", Filters())
    writes.touch_chat(4101, "private", None)
    assert writes.pending_query(key) is not None  # this process finds it before the flush
    assert writes.flush() == 0
    assert writes.pending == 3
    writes.log_query("中試", "group", 3)  # handed over meanwhile
    sessions.configure(bind=engine)  # the store is back
    assert writes.flush() == 4
    assert writes.pending == 0 and writes.pending_query(key) is None
    with make_sessions(engine)() as session:
        entries = session.scalars(select(QueryLogEntry).order_by(QueryLogEntry.id))
        assert [(e.text, e.chat_type, e.results) for e in entries] == [
            ("人才", "private", 12),
            ("中試", "group", 3),
        ]
        assert load_query(session, key) is not None
        assert session.get(Chat, 4101) is not None
    assert writes.save_query("人才", Filters()) == key and writes.pending == 0  # known: no write


async def test_a_write_the_store_refuses_does_not_hold_back_the_others(
    sessions: SessionFactory,
) -> None:
    writes = DeferredWrites(sessions, retention_days=90)
    writes.log_query("人才", "private", 12)
    writes.log_query("odd", "carrier-pigeon", 1)  # refused by the log (an unknown chat type)
    writes.touch_chat(4102, "private", "x" * 300)  # longer than the column allows on PostgreSQL
    writes.log_query("中試", "group", 3)
    writes.flush()
    assert writes.pending == 0
    with sessions() as session:
        texts = session.scalars(select(QueryLogEntry.text).order_by(QueryLogEntry.id)).all()
    assert texts == ["人才", "中試"]


async def test_close_flushes_what_is_pending(sessions: SessionFactory) -> None:
    writes = DeferredWrites(sessions, retention_days=90, interval=3600)  # no periodic flush
    writes.start()
    writes.log_query("房屋", "supergroup", 5)
    await asyncio.sleep(0)
    await writes.close()
    with sessions() as session:
        assert session.scalars(select(QueryLogEntry.text)).all() == ["房屋"]


async def test_query_log_off_writes_no_log(sessions: SessionFactory) -> None:
    writes = DeferredWrites(sessions, retention_days=0)
    writes.log_query("人才", "private", 12)
    key = writes.save_query("人才", Filters())
    writes.flush()
    with sessions() as session:
        assert session.scalars(select(QueryLogEntry)).all() == []
        assert load_query(session, key) is not None  # buttons still work
