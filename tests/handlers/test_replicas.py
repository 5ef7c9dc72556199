"""Two webhook replicas (each its own Application, store connection and uvicorn server on a
loopback port) share one store; every update reaches both, as when Telegram retries or a
balancer misroutes, some at the same moment: each is answered exactly once, the copy is logged as
a duplicate."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, func, select

from bot.core.config import load_settings
from bot.ingest.pipeline import ingest
from bot.search import SearchIndex
from bot.search.live import LiveIndex
from bot.store.db import SessionFactory, make_engine, make_sessions
from bot.store.models import ProcessedUpdate
from handlers.app import build_application
from handlers.context import BotApplication
from handlers.webhook import SECRET_HEADER, WEBHOOK_PATH, webhook_server
from tests.bot_process import database_url, free_port
from tests.fake_bot_api import FakeBotAPI
from tests.fake_bot_api.absorb import absorb

pytestmark = pytest.mark.db
SECRET = "replica-test-secret-0001"
QUERIES = ("中試", "北部都會區", "烈酒稅", "liquor duty", "新型工業化", "人才", "數據中心")


@dataclass
class Replica:
    """One replica: its Application, its server and where it listens."""

    app: BotApplication
    server: uvicorn.Server
    task: asyncio.Task[None]
    url: str


async def start_replica(
    api: FakeBotAPI, engine: Engine, search_index: SearchIndex
) -> tuple[Replica, Engine]:
    own_engine = make_engine(database_url(engine))  # its own pool, as a separate process has
    sessions = make_sessions(own_engine)
    settings = load_settings({"BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url})
    app = build_application(
        settings, sessions, LiveIndex(sessions, 3600, search_index), polling=False
    )
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    port = free_port()
    server = webhook_server(app, SECRET, port, host="127.0.0.1")
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # bounded: 10 s
        if server.started:
            break
        await asyncio.sleep(0.02)
    assert server.started, "the replica's server did not start"
    return Replica(app, server, task, f"http://127.0.0.1:{port}"), own_engine


@pytest.fixture
async def replicas(
    fake_bot_api: FakeBotAPI, engine: Engine, sessions: SessionFactory, search_index: SearchIndex
) -> AsyncIterator[list[Replica]]:
    ingest(sessions)
    started = [await start_replica(fake_bot_api, engine, search_index) for _ in range(2)]
    try:
        yield [replica for replica, _ in started]
    finally:
        for replica, own_engine in started:
            replica.server.should_exit = True
            await replica.task
            await replica.app.stop()
            await replica.app.shutdown()
            own_engine.dispose()


async def test_every_update_is_answered_once_when_both_replicas_get_it(
    replicas: list[Replica],
    fake_bot_api: FakeBotAPI,
    sessions: SessionFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="handlers.updates")
    rng = random.Random(6)
    chats = [5001 + offset for offset in range(8)]
    bodies = []
    for round_ in range(3):
        for chat in chats:
            body = fake_bot_api.build.private_message(rng.choice(QUERIES), user_id=chat)
            absorb(fake_bot_api.state, fake_bot_api.faults, body)
            bodies.append({"update_id": 9000 + round_ * 100 + chat % 100, **body})
    expected = Counter(body["message"]["chat"]["id"] for body in bodies)
    first, second = replicas
    headers = {SECRET_HEADER: SECRET}

    async def deliver(http: httpx.AsyncClient, body: dict[str, object], position: int) -> None:
        """Both replicas get the update: at once, or one after the other in either order."""
        targets = (first, second) if position % 2 else (second, first)
        posts = [f"{target.url}{WEBHOOK_PATH}" for target in targets]
        if position % 3 == 0:
            answers = await asyncio.gather(
                *(http.post(p, json=body, headers=headers) for p in posts)
            )
        else:
            answers = [await http.post(posts[0], json=body, headers=headers)]
            await asyncio.sleep(rng.random() * 0.05)
            answers.append(await http.post(posts[1], json=body, headers=headers))
        assert [answer.status_code for answer in answers] == [200, 200]

    async with httpx.AsyncClient() as http:
        await asyncio.gather(*(deliver(http, body, n) for n, body in enumerate(bodies)))

    def all_answered() -> bool:
        return all(
            len(fake_bot_api.sent_messages(chat)) >= count for chat, count in expected.items()
        )

    await fake_bot_api.wait_for(all_answered, timeout=30)
    for _ in range(100):  # every copy has been looked at (the duplicates' lines come last)
        lines = [r for r in caplog.records if hasattr(r, "outcome")]
        if len(lines) >= 2 * len(bodies):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # a second answer, if there were one, would have arrived by now
    answered = Counter(message.chat_id for message in fake_bot_api.sent_messages())
    assert answered == expected
    outcomes = Counter(record.outcome for record in lines)  # type: ignore[attr-defined]
    assert outcomes == {"handled": len(bodies), "duplicate": len(bodies)}
    per_update = Counter(record.update_id for record in lines)  # type: ignore[attr-defined]
    assert set(per_update.values()) == {2}  # each update: one line on each replica
    with sessions() as session:
        claimed = session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert claimed == len(bodies)
