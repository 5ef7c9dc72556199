"""Property: whatever arrives at the webhook with the right secret (random JSON, wrong types in
update_id, message, text or chat, missing fields, huge or control-character texts, oversized or
non-JSON bodies) gets either valid handling (200, and for a well-formed message a reply the fake
Bot API accepted) or a clean refusal (400, 413), never a stall: after the hostile batch a member's
search is still answered within seconds and /healthz says 200.

The bot runs as `python -m bot webhook` serves it (the real Application behind the real uvicorn
server, over HTTP, logging at INFO through the token filter), on its own event loop in a thread,
so that hypothesis can drive it example by example and shrink a failure."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ingest.pipeline import ingest
from bot.search import SearchIndex
from bot.store.db import SessionFactory
from handlers.context import BotApplication
from handlers.processing import ClaimingUpdateProcessor
from handlers.webhook import SECRET_HEADER, WEBHOOK_PATH, webhook_server
from handlers.webhook_body import MAX_BODY_BYTES
from tests.bot_process import free_port
from tests.fake_bot_api import FakeBotAPI
from tests.fake_bot_api.absorb import absorb
from tests.handlers.conftest import production_logging, started_webhook_application

pytestmark = pytest.mark.db
SECRET = "property-test-secret-0001"
T = TypeVar("T")


@dataclass
class BotInThread:
    """The fake Bot API, the Application and its webhook server on one loop in a thread."""

    loop: asyncio.AbstractEventLoop
    api: FakeBotAPI
    app: BotApplication
    server: uvicorn.Server
    url: str

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run `coroutine` on the bot's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


@contextmanager
def bot_in_thread(sessions: SessionFactory, search_index: SearchIndex) -> Iterator[BotInThread]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="bot-loop", daemon=True)
    thread.start()

    async def start() -> BotInThread:
        api = FakeBotAPI()
        await api.start()
        app = await started_webhook_application(api, sessions, search_index)
        port = free_port()
        server = webhook_server(app, SECRET, port, host="127.0.0.1")
        loop.create_task(server.serve())  # noqa: RUF006  # awaited through server.started
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        assert server.started
        return BotInThread(loop, api, app, server, f"http://127.0.0.1:{port}")

    async def stop(bot: BotInThread) -> None:
        bot.server.should_exit = True
        for _ in range(500):
            if not bot.server.started:
                break
            await asyncio.sleep(0.02)
        await bot.app.stop()
        await bot.app.shutdown()
        await bot.api.stop()

    bot = asyncio.run_coroutine_threadsafe(start(), loop).result(60)
    try:
        yield bot
    finally:
        bot.run(stop(bot), 60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=50),
    st.text(
        alphabet=st.sampled_from("中試北都<>&\"'\\\u200b\u202e\ufeff\x00\x7f 𠀀😀"), max_size=80
    ),
    st.integers(4000, 5000).map(lambda n: "中" * n),  # near and past Telegram's 4096
)
NON_JSON_CONSTANTS = st.sampled_from([b"NaN", b"Infinity", b"-Infinity"])
FIELDS = (
    ("update_id",),
    ("message",),
    ("message", "text"),
    ("message", "chat"),
    ("message", "chat", "id"),
    ("message", "chat", "type"),
    ("message", "from"),
    ("message", "from", "id"),
    ("message", "date"),
    ("message", "message_id"),
)


@dataclass(frozen=True)
class Hostile:
    """One request body, and the reply text expected in `chat` if it is handled (or None)."""

    body: bytes
    chat: int | None = None


@st.composite
def hostile_requests(draw: st.DrawFn, api: FakeBotAPI, users: Iterator[int]) -> Hostile:
    kind = draw(st.sampled_from(["json", "bytes", "message", "mutated", "constant", "huge"]))
    if kind == "json":
        return Hostile(json.dumps(draw(JSON)).encode())
    if kind == "bytes":
        return Hostile(draw(st.binary(max_size=200)))
    user = next(users)
    update: dict[str, Any] = {"update_id": user, **api.build.private_message("中試", user)}
    if kind == "message":
        text = draw(HOSTILE_TEXT)
        update["message"]["text"] = text
        update["message"].pop("entities", None)
        absorb(api.state, api.faults, update)
        wanted = text.strip() != "" and not text.startswith("/") and len(text) <= 4096
        return Hostile(json.dumps(update).encode(), user if wanted else None)
    if kind == "constant":  # NaN, Infinity as JSON accepts them unless told not to
        constant = draw(NON_JSON_CONSTANTS)
        where = draw(st.sampled_from(["update_id", "message_id", "date"]))
        placeholder = "__constant__"
        if where == "update_id":
            update["update_id"] = placeholder
        else:
            update["message"][where] = placeholder
        raw = json.dumps(update).encode()
        return Hostile(raw.replace(json.dumps(placeholder).encode(), constant))
    if kind == "huge":
        update["message"]["padding"] = "x" * draw(st.integers(MAX_BODY_BYTES, 3 * MAX_BODY_BYTES))
        return Hostile(json.dumps(update).encode())
    path = draw(st.sampled_from(FIELDS))
    parent = update
    for key in path[:-1]:
        parent = parent[key]
    if draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(JSON)
    with contextlib.suppress(Exception):  # Telegram knows the chat of what it sends, if any
        absorb(api.state, api.faults, update)
    return Hostile(json.dumps(update).encode())


def _rejected_calls(api: FakeBotAPI, since: int) -> list[tuple[str, int, dict[str, Any]]]:
    return [(r.method, r.status, r.response) for r in api.requests[since:] if r.status >= 400]


def _settled(app: BotApplication) -> bool:
    processor = app.update_processor
    assert isinstance(processor, ClaimingUpdateProcessor)
    return app.update_queue.qsize() == 0 and processor.in_flight == 0


def test_hostile_updates_get_handled_or_refused_never_a_stall(
    sessions: SessionFactory, search_index: SearchIndex
) -> None:
    ingest(sessions)
    with production_logging(), bot_in_thread(sessions, search_index) as bot:
        api = bot.api
        users = itertools.count(500_000)
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        http = httpx.Client(base_url=bot.url, timeout=5)

        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(hostile=hostile_requests(api, users))
        def one(hostile: Hostile) -> None:
            since = len(api.requests)
            answer = http.post(WEBHOOK_PATH, content=hostile.body, headers=headers)
            assert answer.status_code in (200, 400, 413), answer.status_code
            if len(hostile.body) > MAX_BODY_BYTES:
                assert answer.status_code == 413
            if hostile.chat is not None:
                assert answer.status_code == 200
                [reply] = bot.run(api.wait_for_messages(hostile.chat, 1, timeout=10))
                assert reply.text or reply.caption
            deadline = time.monotonic() + 10
            while not _settled(bot.app):  # handled to the end, not stuck
                assert time.monotonic() < deadline, "the update is still not handled"
                time.sleep(0.01)
            # Every call the bot made for it was one Telegram takes.
            assert _rejected_calls(api, since) == []

        try:
            one()
            member = {"update_id": 1, **api.build.private_message("中試", 499_999)}
            absorb(api.state, api.faults, member)
            assert http.post(WEBHOOK_PATH, json=member, headers=headers).status_code == 200
            [reply] = bot.run(api.wait_for_messages(499_999, 1, timeout=5))
            assert "中試" in (reply.text or "")
            assert http.get("/healthz").status_code == 200
        finally:
            http.close()
