"""The Mini App on loopback: API latency, first meaningful paint and page weight.

    .venv/bin/python -m bench.miniapp [--runs 3] [--paints 10] [--queries N]

A fresh SQLite store is ingested once (not timed); the Mini App's routes (the same Starlette
routes `python -m bot webhook` serves) run under uvicorn on a loopback port, and one keep-alive
HTTP client calls them with initData signed for a throw-away token (checked on every call, as
in production; the per-user rate limit is raised so the benchmark is not throttled).

- API: every query of tests/relevance/queries.yaml through /api/search and /api/compare, and
  the first result of each through /api/rec/ID, `--runs` times; the table gives median and p99
  per endpoint, and the search engine called directly in the same process as a peer (what the
  HTTP, JSON and initData check add). Target: p99 ≤ 50 ms for search and compare.
- Followed topics: the first 20 queries followed through POST /api/topics (each counts its
  matches), then GET /api/subscriptions with those 20 topics (one search per topic for the
  counts) `--runs` × 20 times, then each unfollowed through DELETE /api/topics/ID.
- First meaningful paint: Debian's chromium (Playwright) opens /app `--paints` times, each in a
  fresh context (nothing cached; one more load first, not counted, warms browser and server),
  with a stub of Telegram's WebApp object; "meaningful" is the
  tabs and search box drawn in the user's language, which needs the page, its modules, its
  stylesheet and /api/session. Also the browser's first-contentful-paint. Target ≤ 1 s.
- Page weight: the bytes of everything the page loads (the browser's responses: HTML, CSS,
  modules, /api/session), and of every file in miniapp/static. Target ≤ 150 kB.

Numbers, not a test: a busy machine only makes them bigger.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from bench.common import DEFAULT_QUERIES, fmt, format_table, load_queries, percentile, quiet
from bot.core.config import load_settings
from bot.ingest.pipeline import ingest
from bot.search import search
from bot.search.compare import compare
from bot.search.engine import RECENT
from bot.search.live import LiveIndex
from bot.store.db import make_engine, make_sessions, migrate
from bot.store.topics import MAX_TOPICS
from miniapp.app import miniapp_middleware, miniapp_routes
from miniapp.auth import sign
from miniapp.page import assets
from miniapp.services import MiniAppServices

TOKEN = "123456789:AAbench-token-for-the-mini-app-only"
USER = {"id": 77, "first_name": "Bench", "language_code": "zh-hant"}
PHONE = {"width": 390, "height": 844}


def init_data() -> str:
    """Fresh initData for the bench user, signed for TOKEN."""
    fields = {
        "auth_date": str(int(time.time())),
        "user": json.dumps(USER, separators=(",", ":")),
    }
    return sign(fields, TOKEN)


def serve(app: Starlette) -> tuple[str, uvicorn.Server, threading.Thread]:
    """`app` under uvicorn on a free loopback port, in a thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread


def timed(client: httpx.Client, path: str, params: dict[str, str]) -> tuple[float, Any]:
    """Milliseconds of one call (a non-200 stops the benchmark) and its JSON."""
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path} {params} answered {response.status_code}: {response.text[:200]}")
    return elapsed, response.json()


def api_rows(
    client: httpx.Client, services: MiniAppServices, queries: Sequence[str], runs: int
) -> list[list[str]]:
    """Median and p99 per endpoint, and the engine alone as a peer."""
    times: dict[str, list[float]] = {"search": [], "compare": [], "rec": [], "engine": []}
    RECENT.resize(0)  # every request searches: repeats measure the engine, not a table
    index = services.index.get()
    for query in queries:  # warm-up: the embedding model and first-call caches
        search(index, query)
    for _ in range(runs):
        for query in queries:
            elapsed, answer = timed(client, "/api/search", {"q": query})
            times["search"].append(elapsed)
            times["compare"].append(timed(client, "/api/compare", {"q": query})[0])
            if answer["results"]:
                times["rec"].append(timed(client, f"/api/rec/{answer['results'][0]['id']}", {})[0])
            started = time.perf_counter()
            search(index, query, limit=20)
            times["engine"].append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    for query in queries:
        compare(index, query)
    labels = {
        "search": "GET /api/search?q=…",
        "compare": "GET /api/compare?q=…",
        "rec": "GET /api/rec/ID",
        "engine": "search() in process (peer)",
    }
    return [
        [
            labels[name],
            str(len(values)),
            fmt(percentile(values, 0.5)),
            fmt(percentile(values, 0.99)),
        ]
        for name, values in times.items()
    ]


def topic_rows(client: httpx.Client, queries: Sequence[str], runs: int) -> list[list[str]]:
    """Following, listing (with the counts) and unfollowing topics: median and p99 of each."""
    times: dict[str, list[float]] = {"follow": [], "list": [], "unfollow": []}

    def call(kind: str, method: str, path: str, **options: Any) -> Any:
        started = time.perf_counter()
        response = client.request(method, path, **options)
        times[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code not in (200, 201):
            raise SystemExit(f"{method} {path} answered {response.status_code}: {response.text}")
        return response.json()

    for query in list(dict.fromkeys(queries))[:MAX_TOPICS]:
        call("follow", "POST", "/api/topics", json={"q": query})
    topics: list[dict[str, Any]] = []
    for _ in range(runs * MAX_TOPICS):
        topics = call("list", "GET", "/api/subscriptions")["topics"]
    for topic in topics:
        call("unfollow", "DELETE", f"/api/topics/{topic['id']}")
    labels = {
        "follow": "POST /api/topics (follow, with its count)",
        "list": f"GET /api/subscriptions ({len(topics)} topics, counts)",
        "unfollow": "DELETE /api/topics/ID",
    }
    return [
        [
            labels[kind],
            str(len(values)),
            fmt(percentile(values, 0.5)),
            fmt(percentile(values, 0.99)),
        ]
        for kind, values in times.items()
        if values
    ]


async def paint(base: str, runs: int) -> tuple[list[float], list[float], dict[str, int]]:
    """Milliseconds to the first meaningful paint and to first-contentful-paint, per run; the
    bytes of every response the page loaded (last run)."""
    from playwright.async_api import async_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("chromium is not installed (apt-get install -y chromium)")
    stub = (
        "window.Telegram = { WebApp: { initData: "
        + json.dumps(init_data())
        + ", themeParams: {}, colorScheme: 'light', ready() {}, expand() {}, onEvent() {},"
        " BackButton: { show() {}, hide() {} } } };"
    )
    meaningful: list[float] = []
    contentful: list[float] = []
    weights: dict[str, int] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        for run in range(runs + 1):  # the first load warms the browser and server: not counted
            context = await browser.new_context(viewport=PHONE)
            page = await context.new_page()
            await page.add_init_script(stub)
            loaded: dict[str, int] = {}

            async def body_size(response: Any, sink: dict[str, int] = loaded) -> None:
                sink[response.url.removeprefix(base)] = len(await response.body())

            page.on("response", lambda response: asyncio.ensure_future(body_size(response)))
            started = time.perf_counter()
            await page.goto(base + "/app")
            await page.wait_for_selector(".tab >> nth=2", state="visible")
            elapsed = (time.perf_counter() - started) * 1000
            fcp = await page.evaluate(
                "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
            )
            if run > 0:
                meaningful.append(elapsed)
                if fcp is not None:
                    contentful.append(float(fcp))
            await asyncio.sleep(0.05)
            weights = loaded
            await context.close()
        await browser.close()
    return meaningful, contentful, weights


def main(argv: Sequence[str] | None = None) -> None:
    """Ingest once, serve, measure, print the tables."""
    quiet()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="passes over the queries (default 3)")
    parser.add_argument("--paints", type=int, default=10, help="page loads (default 10)")
    parser.add_argument("--queries", type=int, default=0, help="use only the first N queries")
    args = parser.parse_args(argv)
    queries = [query.q for query in load_queries(DEFAULT_QUERIES)]
    if args.queries > 0:
        queries = queries[: args.queries]
    with tempfile.TemporaryDirectory(prefix="bench-miniapp-") as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
        migrate(engine)
        sessions = make_sessions(engine)
        ingest(sessions)
        settings = load_settings(
            {
                "BOT_TOKEN": TOKEN,
                "MINIAPP_RATE_PER_MINUTE": "6000",
                "MINIAPP_BURST": "1000",
            }
        )
        services = MiniAppServices(settings, sessions, LiveIndex(sessions, 3600))
        services.index.get()
        base, server, thread = serve(
            Starlette(routes=miniapp_routes(services), middleware=miniapp_middleware())
        )
        print(f"serving {base}; {len(queries)} queries × {args.runs} runs", file=sys.stderr)
        headers = {"Authorization": "tma " + init_data()}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            rows = api_rows(client, services, queries, args.runs)
            rows += topic_rows(client, queries, args.runs)
        meaningful, contentful, loaded = asyncio.run(paint(base, max(1, args.paints)))
        server.should_exit = True
        thread.join()
        engine.dispose()
    print(format_table(["API call", "calls", "median ms", "p99 ms"], rows))
    print()
    print(
        format_table(
            ["page /app (chromium, fresh context)", "loads", "median ms", "p99 ms"],
            [
                ["first meaningful paint (tabs drawn)", str(len(meaningful)),
                 fmt(percentile(meaningful, 0.5)), fmt(percentile(meaningful, 0.99))],
                ["first-contentful-paint (browser)", str(len(contentful)),
                 fmt(percentile(contentful, 0.5)), fmt(percentile(contentful, 0.99))],
            ],
        )
    )  # fmt: skip
    print()
    static = assets()
    static_bytes = sum(len(asset.body) for asset in static.values())
    static_gzip = sum(len(gzip.compress(asset.body)) for asset in static.values())
    weight_rows = [[url, str(size)] for url, size in sorted(loaded.items())]
    weight_rows.append(["everything the page loaded", str(sum(loaded.values()))])
    weight_rows.append([f"all {len(static)} files of miniapp/static", str(static_bytes)])
    weight_rows.append(["the same, gzip-compressed", str(static_gzip)])
    print(format_table(["page weight", "bytes"], weight_rows))


if __name__ == "__main__":
    main()
