"""The pieces of one search update's path, each timed alone: CPU per call, beside its peers.

    .venv/bin/python -m bench.hot_path [--calls 3000] [--rounds 3]
        [--database-url postgresql://postgres@127.0.0.1:5432/test]

`bench.load` gives the whole cost of an update (about 2.2-3 ms of CPU on a 2-core machine), but
on a shared machine it swings by a quarter between runs, more than any one piece is worth. Here
each piece runs alone in a loop, on uvloop, and the table gives its CPU time per call (median and
p99 over `--rounds` rounds of `--calls` calls; the process's CPU, so the peer's own side, a server
in another process, is not counted), with what the same job costs done another way:

- Update: the webhook body to PTB's `Update` (`handlers.webhook_body.parse_update`, then
  `Update.de_json`), beside `json.loads` alone.
- Claim (PostgreSQL only): `PostgresClaims.claim` (psycopg's asynchronous pool, what the bot
  runs), beside the same statement on one psycopg connection without a pool.
- Reply: a `sendMessage` with a results page's text and keyboard to a local HTTP server (another
  process, answering a message like Telegram's) through PTB's `Bot._post` and the bot's aiohttp
  request (`handlers.bot_api_request`, no rate limiter), beside the same POST through aiohttp
  alone and through a bare asyncio stream (the floor: what HTTP itself costs in Python).
- Writer: the writes of 1 and of 50 search updates (a chat touched, a search saved, a query
  logged each) handed to `DeferredWrites` and flushed, on SQLite and, given a URL, PostgreSQL.

Numbers, not a test: nothing fails on slowness.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
import uvloop
from sqlalchemy import Engine
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bench.common import fmt, format_table, percentile, quiet
from bench.digest import postgres_schema
from bot.core.config import normalize_database_url
from bot.core.filters import Filters
from bot.store.db import make_engine, make_sessions, migrate
from bot.store.deferred_writes import DeferredWrites
from bot.store.postgres_claims import PostgresClaims, claim_sql
from handlers.bot_api_request import AiohttpRequest
from handlers.common import NO_PREVIEW, NO_PREVIEW_JSON
from handlers.webhook_body import parse_update
from tests.bot_process import free_port
from tests.fake_bot_api import FakeBotAPI

HEADERS = ["piece", "way", "CPU µs/call median", "p99 (of rounds)", "calls"]
PAGE_TEXT = (
    "<b>1. 民建聯</b> 2024 施政報告建議 · 醫療\n<i>長者醫療券</i> 擴大使用範圍至大灣區…\n" * 5
)
KEYBOARD = {
    "inline_keyboard": [
        [{"text": "下一頁 ▶", "callback_data": "p:wh7nphu7zc:1"}],
        [{"text": "民建聯 (3)", "callback_data": "n:wh7nphu7zc:o:dab"}] * 2,
        [{"text": "醫療 (4)", "callback_data": "n:wh7nphu7zc:a:health"}] * 2,
    ]
}
# What the server answers, shaped like Telegram's answer to sendMessage (the message, its
# entities and keyboard), so parsing it costs what parsing Telegram's does.
ANSWER = {
    "ok": True,
    "result": {
        "message_id": 5,
        "from": {"id": 1, "is_bot": True, "first_name": "bot", "username": "bench_bot"},
        "chat": {"id": 7, "type": "private", "first_name": "Tai Man"},
        "date": 1_700_000_000,
        "text": PAGE_TEXT.replace("<b>", "").replace("</b>", ""),
        "entities": [{"type": "bold", "offset": 60 * i, "length": 6} for i in range(10)],
        "reply_markup": KEYBOARD,
    },
}
SERVER = """
import sys
from aiohttp import web
answer = sys.stdin.buffer.read()
async def handle(request):
    await request.read()
    return web.Response(body=answer, content_type="application/json")
app = web.Application()
app.router.add_post("/{tail:.*}", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""

Timed = Callable[[], Awaitable[None]]


async def cpu_per_call(call: Timed, calls: int, rounds: int, warm_up: int = 200) -> list[float]:
    """CPU µs per call of each round (after `warm_up` calls not counted)."""
    for _ in range(warm_up):
        await call()
    per_round = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(calls):
            await call()
        per_round.append(1e6 * (time.process_time() - started) / calls)
    return per_round


def row(piece: str, way: str, rounds: list[float], calls: int) -> list[str]:
    return [
        piece,
        way,
        fmt(statistics.median(rounds), 0),
        fmt(percentile(rounds, 0.99), 0),
        str(calls),
    ]


async def timed_rows(
    piece: str, ways: list[tuple[str, Timed]], calls: int, rounds: int
) -> list[list[str]]:
    """One row per way of doing `piece`, each timed by `cpu_per_call`."""
    return [row(piece, way, await cpu_per_call(call, calls, rounds), calls) for way, call in ways]


async def update_rows(calls: int, rounds: int) -> list[list[str]]:
    api = FakeBotAPI()
    body = api.build.private_message("長者醫療券", user_id=700_000_001, language_code="zh-hant")
    raw = json.dumps({"update_id": 10_000_001, **body}).encode()
    bot = ExtBot("123:abc")

    async def to_update() -> None:
        payload = parse_update(raw)
        assert not isinstance(payload, str)
        Update.de_json(payload, bot)

    async def loads() -> None:
        json.loads(raw)

    return await timed_rows(
        "Update",
        [("parse_update + Update.de_json (the bot)", to_update), ("json.loads alone", loads)],
        calls,
        rounds,
    )


@contextmanager
def private_schema(url: str) -> Iterator[Engine]:
    """A migrated schema of its own in the PostgreSQL database at `url`, dropped afterwards."""
    _, engine, drop = postgres_schema(url, prefix="bench_hot_path")
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        drop()


async def claim_rows(engine: Engine, calls: int, rounds: int) -> list[list[str]]:
    claims = PostgresClaims.for_engine(engine, 4)
    assert claims is not None
    ids = count(1)

    async def pooled() -> None:
        await claims.claim(next(ids), 7, datetime.now(UTC))

    _, connect_kwargs = engine.dialect.create_connect_args(engine.url)
    connect_kwargs.pop("context", None)
    single = await psycopg.AsyncConnection.connect(**connect_kwargs, autocommit=True)
    sql = claim_sql()

    async def one_connection() -> None:
        values = {"update_id": next(ids), "received_at": datetime.now(UTC), "chat_id": 7}
        await (await single.execute(sql, values)).fetchone()

    try:
        return await timed_rows(
            "Claim",
            [
                ("PostgresClaims.claim: psycopg async pool (the bot)", pooled),
                ("same statement, one psycopg connection, no pool", one_connection),
            ],
            calls,
            rounds,
        )
    finally:
        await claims.close()
        await single.close()


async def reply_rows(calls: int, rounds: int) -> list[list[str]]:
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVER, str(port), stdin=asyncio.subprocess.PIPE
    )
    assert server.stdin is not None
    server.stdin.write(json.dumps(ANSWER, ensure_ascii=False).encode())
    server.stdin.close()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):  # until it listens
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.05)
    data: dict[str, Any] = {
        "chat_id": 7,
        "text": PAGE_TEXT,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": NO_PREVIEW_JSON,
        "reply_markup": KEYBOARD,
    }
    request = AiohttpRequest()
    bot = ExtBot(
        "123:abc",
        base_url=f"{base}/bot",
        defaults=Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW),
        request=request,
    )
    await request.initialize()
    session = aiohttp.ClientSession()
    url = f"{base}/bot123:abc/sendMessage"
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def through_ptb() -> None:
        await bot._post("sendMessage", dict(data))

    def body() -> bytes:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    async def through_aiohttp() -> None:
        async with session.post(
            url, data=body(), headers={"Content-Type": "application/json"}
        ) as answer:
            await answer.read()

    async def through_stream() -> None:
        payload = body()
        writer.write(
            b"POST /bot123:abc/sendMessage HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (len(payload), payload)
        )
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)

    try:
        return await timed_rows(
            "Reply",
            [
                ("PTB Bot._post + aiohttp request (the bot, no limiter)", through_ptb),
                ("aiohttp ClientSession.post alone", through_aiohttp),
                ("bare asyncio stream (HTTP/1.1 by hand)", through_stream),
            ],
            calls,
            rounds,
        )
    finally:
        writer.close()
        await session.close()
        await request.shutdown()
        server.terminate()
        await server.wait()


async def writer_rows(label: str, engine: Engine, calls: int, rounds: int) -> list[list[str]]:
    writes = DeferredWrites(make_sessions(engine), retention_days=30)
    chats = count(900_000_000)
    rows = []
    for batch in (1, 50):

        async def flush(batch: int = batch) -> None:
            for _ in range(batch):
                chat = next(chats)
                writes.touch_chat(chat, "private", None)
                writes.save_query(f"query {chat}", Filters())
                writes.log_query("長者醫療券", "private", 5)
            writes.flush()

        flushes = max(20, calls // (10 * batch))
        per_flush = await cpu_per_call(flush, flushes, rounds, warm_up=5)
        rows.append(
            row(
                "Writer",
                f"{label}: {batch} updates' writes handed over and flushed (µs per flush)",
                per_flush,
                flushes,
            )
        )
    return rows


async def run(options: argparse.Namespace) -> int:
    quiet()
    calls, rounds = options.calls, options.rounds
    rows = await update_rows(calls, rounds)
    rows += await reply_rows(calls, rounds)
    with tempfile.TemporaryDirectory(prefix="bench-hot-path-") as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'hot.db'}")
        migrate(engine)
        rows += await writer_rows("SQLite", engine, calls, rounds)
        engine.dispose()
    if options.database_url:
        with private_schema(normalize_database_url(options.database_url)) as engine:
            rows += await claim_rows(engine, calls, rounds)
            rows += await writer_rows("PostgreSQL", engine, calls, rounds)
    print(f"\nOne search update's pieces, each alone on uvloop ({rounds} rounds)")
    print(format_table(HEADERS, rows))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="PostgreSQL, for the claim and its writer rows")
    options = parser.parse_args()
    return uvloop.run(run(options))


if __name__ == "__main__":
    sys.exit(main())
