"""Webhook mode: the secret token is enforced, valid updates are answered through the fake Bot
API, and /healthz reports a broken store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from telegram import Update

from bot.ingest.pipeline import ingest
from bot.search import SearchIndex
from bot.store.db import SessionFactory, make_engine, make_sessions
from bot.store.update_claims import UpdateClaims
from bot.ui.i18n import t
from handlers.context import BotApplication
from handlers.processing import ClaimingUpdateProcessor
from handlers.webhook import SECRET_HEADER, WEBHOOK_PATH, build_webhook_app, webhook_secret
from tests.fake_bot_api import DEFAULT_USER_ID, FakeBotAPI
from tests.handlers.conftest import production_logging, started_webhook_application

pytestmark = pytest.mark.db
SECRET = "a-secret-of-twenty-chars"


@pytest.fixture
async def client(
    fake_bot_api: FakeBotAPI, sessions: SessionFactory, search_index: SearchIndex
) -> AsyncIterator[tuple[httpx.AsyncClient, BotApplication]]:
    ingest(sessions)
    app = await started_webhook_application(fake_bot_api, sessions, search_index)
    transport = httpx.ASGITransport(app=build_webhook_app(app, SECRET))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
            yield http, app
    finally:
        await app.stop()
        await app.shutdown()


def _update(api: FakeBotAPI, text: str) -> dict[str, object]:
    return {"update_id": 1, **api.build.private_message(text)}


async def test_requests_without_the_secret_do_nothing(
    client: tuple[httpx.AsyncClient, BotApplication], fake_bot_api: FakeBotAPI
) -> None:
    http, _ = client
    body = _update(fake_bot_api, "/start")
    assert (await http.post(WEBHOOK_PATH, json=body)).status_code == 403
    wrong = {SECRET_HEADER: "not-the-secret-at-all"}
    assert (await http.post(WEBHOOK_PATH, json=body, headers=wrong)).status_code == 403
    good = _update(fake_bot_api, "/help")
    fake_bot_api.push_update(dict(good))  # the fake learns the chat from an update it sees
    ok = await http.post(WEBHOOK_PATH, json=good, headers={SECRET_HEADER: SECRET})
    assert ok.status_code == 200
    [reply] = await fake_bot_api.wait_for_messages(DEFAULT_USER_ID, 1)
    assert "/rec" in reply.text  # /help was answered; the two /start attempts never were
    assert len(fake_bot_api.sent_messages(DEFAULT_USER_ID)) == 1


async def test_malformed_body_is_refused(client: tuple[httpx.AsyncClient, BotApplication]) -> None:
    http, _ = client
    response = await http.post(WEBHOOK_PATH, content=b"{not json", headers={SECRET_HEADER: SECRET})
    assert response.status_code == 400


async def test_the_update_path_takes_only_post(
    client: tuple[httpx.AsyncClient, BotApplication],
) -> None:
    http, _ = client
    answer = await http.get(WEBHOOK_PATH, headers={SECRET_HEADER: SECRET})
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    assert (await http.get("/no-such-page")).status_code == 404  # the rest: the Starlette app


async def test_a_client_gone_before_the_whole_body_is_neither_answered_nor_queued(
    client: tuple[httpx.AsyncClient, BotApplication], fake_bot_api: FakeBotAPI
) -> None:
    _, app = client
    endpoint = build_webhook_app(app, SECRET)
    body = json.dumps(_update(fake_bot_api, "/help")).encode()
    arriving = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[object] = []

    async def receive() -> dict[str, object]:
        return arriving.pop(0)

    async def send(message: object) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": WEBHOOK_PATH,
        "headers": [(SECRET_HEADER.lower().encode(), SECRET.encode())],
    }
    queued = app.update_queue.qsize()
    await endpoint(scope, receive, send)
    assert sent == [] and app.update_queue.qsize() == queued


async def test_the_first_secret_header_is_the_one_checked(
    client: tuple[httpx.AsyncClient, BotApplication], fake_bot_api: FakeBotAPI
) -> None:
    http, _ = client
    body = json.dumps(_update(fake_bot_api, "/help")).encode()
    headers = [(SECRET_HEADER, "not-the-secret-at-all"), (SECRET_HEADER, SECRET)]
    answer = await http.post(WEBHOOK_PATH, content=body, headers=headers)
    assert answer.status_code == 403


async def test_healthz_reports_a_broken_store(
    client: tuple[httpx.AsyncClient, BotApplication], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    http, app = client
    healthy = await http.get("/healthz")
    assert healthy.status_code == 200
    assert healthy.json()["database"] is True
    services = app.bot_data["services"]  # type: ignore[attr-defined]
    broken = make_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    services.sessions = make_sessions(broken)
    sick = await http.get("/healthz")
    assert sick.status_code == 503
    assert sick.json()["database"] is False


def test_generated_secret_is_kept(sessions: SessionFactory) -> None:
    with sessions.begin() as session:
        first = webhook_secret(session, None)
    with sessions.begin() as session:
        assert webhook_secret(session, None) == first
        assert webhook_secret(session, "configured-secret-123") == "configured-secret-123"
    assert len(first) >= 16


@pytest.fixture
def redacting_log() -> Iterator[None]:
    """The token-redacting formatter of `python -m bot` on a root handler at INFO (production)."""
    with production_logging("a-token-to-hide"):
        yield


async def test_an_update_that_breaks_its_log_line_does_not_stop_processing(
    client: tuple[httpx.AsyncClient, BotApplication], fake_bot_api: FakeBotAPI, redacting_log: None
) -> None:
    http, app = client
    # Past the door (as a future PTB or a bug could let one through): an id that is no number.
    broken = {"update_id": "not-a-number", **fake_bot_api.build.private_message("中試", 3101)}
    await app.update_queue.put(Update.de_json(broken, app.bot))
    good = _update(fake_bot_api, "中試")
    fake_bot_api.push_update(dict(good))
    ok = await http.post(WEBHOOK_PATH, json=good, headers={SECRET_HEADER: SECRET})
    assert ok.status_code == 200
    [reply] = await fake_bot_api.wait_for_messages(DEFAULT_USER_ID, 1, timeout=10)
    assert reply.text
    assert (await http.get("/healthz")).status_code == 200


async def test_healthz_is_503_while_updates_are_stuck(
    fake_bot_api: FakeBotAPI, sessions: SessionFactory, search_index: SearchIndex
) -> None:
    ingest(sessions)
    app = await started_webhook_application(fake_bot_api, sessions, search_index)
    transport = httpx.ASGITransport(app=build_webhook_app(app, SECRET, stuck_after=0.5))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
            assert (await http.get("/healthz")).status_code == 200
            fake_bot_api.delay(2.0, "sendMessage", count=1)  # "Telegram" holds the first reply
            # One chat's two messages: the second waits for the first (each chat's updates are
            # handled in order, whatever UPDATE_CONCURRENCY), so nothing starts or finishes.
            for update_id in (11, 12):
                body = {"update_id": update_id, **fake_bot_api.build.private_message("中試", 3201)}
                fake_bot_api.push_update(dict(body))
                await http.post(WEBHOOK_PATH, json=body, headers={SECRET_HEADER: SECRET})
            await asyncio.sleep(1.0)
            stuck = await http.get("/healthz")
            assert stuck.status_code == 503
            assert stuck.json()["updates_handled"] is False
            await fake_bot_api.wait_for_messages(3201, 2, timeout=10)
            await asyncio.sleep(0.1)
            assert (await http.get("/healthz")).status_code == 200
    finally:
        await app.stop()
        await app.shutdown()


async def test_a_body_over_the_limit_is_refused_with_413(
    client: tuple[httpx.AsyncClient, BotApplication], fake_bot_api: FakeBotAPI
) -> None:
    http, _ = client
    body = _update(fake_bot_api, "中試")
    body["message"]["padding"] = "x" * (2 * 1024 * 1024)  # type: ignore[index]  # 2 MiB
    headers = {SECRET_HEADER: SECRET}
    assert (await http.post(WEBHOOK_PATH, json=body, headers=headers)).status_code == 413

    async def endless() -> AsyncIterator[bytes]:  # no Content-Length: 10 MiB in pieces
        yield b'{"update_id": 5, "message": {"padding": "'
        for _ in range(10 * 16):
            yield b"x" * 65536

    streamed = await http.post(WEBHOOK_PATH, content=endless(), headers=headers)
    assert streamed.status_code == 413
    assert fake_bot_api.sent_messages(DEFAULT_USER_ID) == []


@pytest.fixture
def silent_store() -> Iterator[str]:
    """A PostgreSQL URL whose server accepts connections and never says a word (a store that
    hangs rather than refuses); each connection is dropped after 8 s."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                connection, _ = listener.accept()
                held.append(connection)
                threading.Timer(8.0, connection.close).start()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    try:
        yield f"postgresql+psycopg://bot@127.0.0.1:{listener.getsockname()[1]}/bot"
    finally:
        stop.set()
        thread.join()
        listener.close()
        for connection in held:
            connection.close()


async def test_a_hanging_store_gets_503_and_busy_answers_within_seconds(
    client: tuple[httpx.AsyncClient, BotApplication], fake_bot_api: FakeBotAPI, silent_store: str
) -> None:
    http, app = client
    services = app.bot_data["services"]
    processor = app.update_processor
    assert isinstance(processor, ClaimingUpdateProcessor)
    hanging = make_sessions(make_engine(silent_store))
    services.sessions = hanging
    await processor.use_claims(UpdateClaims(hanging))  # PostgreSQL: claims on the event loop
    loop = asyncio.get_running_loop()
    began = loop.time()
    sick = await http.get("/healthz")
    assert sick.status_code == 503 and sick.json()["database"] is False
    assert loop.time() - began < 2.5
    body = _update(fake_bot_api, "中試")
    fake_bot_api.push_update(dict(body))
    began = loop.time()
    assert (await http.post(WEBHOOK_PATH, json=body, headers={SECRET_HEADER: SECRET})).is_success
    assert loop.time() - began < 2.5
    [busy] = await fake_bot_api.wait_for_messages(DEFAULT_USER_ID, 1, timeout=8)
    assert busy.text == t("zh-Hant-HK", "errors.store_busy")
    assert loop.time() - began < 7.5  # connection attempts time out; 8 s would be the server's


async def test_healthz_is_503_once_updates_are_no_longer_taken_off_the_queue(
    client: tuple[httpx.AsyncClient, BotApplication],
) -> None:
    http, app = client
    assert (await http.get("/healthz")).json()["updates_handled"] is True
    fetcher = app._Application__update_fetcher_task  # type: ignore[attr-defined]
    fetcher.cancel()  # as if an exception had ended it
    with contextlib.suppress(asyncio.CancelledError):
        await fetcher
    dead = await http.get("/healthz")
    assert dead.status_code == 503
    assert dead.json()["updates_handled"] is False
