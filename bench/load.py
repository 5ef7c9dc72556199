"""Webhook load: how many updates per second the bot answers, and how fast.

    .venv/bin/python -m bench.load [--configs sqlite,pg,pg2] [--limits 30,1000]
        [--rates 25,50,100,200,400,800] [--seconds 2.5] [--max-updates 2000] [--drain 12]
        [--database-url postgresql://…] [--concurrency 16] [--search-cache 256]
        [--index restored|built] [--profile DIR]
        [--profiler cprofile|pyinstrument] [--logs DIR]

The fake Bot API (tests.fake_bot_api) runs in this process; the bot runs as real replicas,
`python -m bot webhook` subprocesses (env: BOT_TOKEN, TELEGRAM_BASE_URL → the fake, WEBHOOK_URL,
WEBHOOK_SECRET, PORT, DATABASE_URL, TELEGRAM_RATE_LIMIT), on loopback only. The generator posts
signed updates (private search messages from distinct chats, queries from
tests/relevance/queries.yaml) to the replicas' /telegram, round-robin when there are two, at each
rate in turn, for `--seconds` (at most `--max-updates`) per step. Latency is update-to-reply:
from just before the POST to the fake receiving the reply's sendMessage for that chat.

Each replica loads the index snapshot saved before it starts, as after any restart (`--index
built`: it builds the index, as on a corpus's first start). `--search-cache 0` turns off the
replicas' table of recent answers, so that every update searches: the set has 221 queries and the
table holds 256 answers, so by default each step's searches are all recent ones.

Configurations: `sqlite` (one replica, SQLite file), `pg` (one replica, PostgreSQL) and `pg2` (two
replicas sharing PostgreSQL; needs --database-url, a private schema is used and dropped), each
with every TELEGRAM_RATE_LIMIT in `--limits` (30: the default; 1000: the limiter lifted). A
configuration stops rising after its first saturated step (replies missing after `--drain`
seconds, or p99 above 1 s): past that point the backlog only grows.

Numbers, not a test: nothing fails on slowness. The generator and the fake share one process and
one core's worth of event loop with each other, and the machine's cores with the replicas.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import DEFAULT_QUERIES, fmt, format_table, load_queries, percentile, quiet
from bench.digest import Store, open_store
from bench.profiles import describe
from bot.core.config import FREE_BROADCAST_RATE
from tests.bot_process import BotProcess, bot_environment, free_port
from tests.fake_bot_api import FakeBotAPI
from tests.fake_bot_api.absorb import absorb

SECRET = "bench-load-webhook-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CONFIGS = {"sqlite": ("sqlite", 1), "pg": ("pg", 1), "pg2": ("pg", 2)}
RATES = (25, 50, 100, 200, 400, 800)
SATURATED_P99_MS = 1000.0
WARM_UP_RATE, WARM_UP_UPDATES = 20.0, 30  # per replica, before the first step (--warm-up)
HEADERS = (
    "config",
    "limit/s",
    "offered/s",
    "sent",
    "answered",
    "handled/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "errors",
    "RSS MiB",
    "CPU % (replicas)",
    "CPU ms/update",
    "CPU % (bench)",
    "note",
)


@dataclass
class Step:
    """One rate step's raw observations."""

    rate: float
    posted_at: dict[int, float] = field(default_factory=dict)  # chat id → perf_counter
    http_errors: int = 0
    offered_s: float = 0.0  # how long posting took (the generator may lag at high rates)


@dataclass
class Replies:
    """First reply time per chat, recorded as the fake logs each sendMessage."""

    first: dict[int, float] = field(default_factory=dict)
    failed: int = 0

    def watch(self, api: FakeBotAPI) -> None:
        """Hook the fake's request log (and keep the log itself from growing)."""
        record = api.dispatcher.record

        def observe(method: str, params: dict[str, Any], status: int, body: dict[str, Any]) -> None:
            if method == "sendMessage":
                if status == 200:
                    self.first.setdefault(int(params["chat_id"]), time.perf_counter())
                else:
                    self.failed += 1
            record(method, params, status, body)
            api.dispatcher.log.clear()

        api.dispatcher.record = observe  # type: ignore[method-assign]


class Generator:
    """Builds signed search updates from fresh private chats and posts them on schedule."""

    def __init__(self, api: FakeBotAPI, queries: Sequence[str]) -> None:
        self.api = api
        self.queries = queries
        self.update_ids = count(10_000_000)
        self.chat_ids = count(700_000_000)

    def updates(self, number: int) -> list[tuple[int, dict[str, Any]]]:
        """`number` updates, each from a new chat the fake now knows."""
        made = []
        for position in range(number):
            chat_id = next(self.chat_ids)
            text = self.queries[(chat_id + position) % len(self.queries)]
            body = self.api.build.private_message(text, user_id=chat_id, language_code="zh-hant")
            absorb(self.api.state, self.api.faults, body)
            made.append((chat_id, {"update_id": next(self.update_ids), **body}))
        return made

    async def run(
        self, http: aiohttp.ClientSession, urls: Sequence[str], rate: float, number: int
    ) -> Step:
        """Post `number` updates at `rate`/s, round-robin over `urls`."""
        step = Step(rate)
        updates = self.updates(number)
        loop = asyncio.get_running_loop()
        start = loop.time()
        posts = []
        for position, (chat_id, body) in enumerate(updates):
            delay = start + position / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            url = urls[position % len(urls)]
            posts.append(asyncio.create_task(self._post(http, url, chat_id, body, step)))
        await asyncio.gather(*posts)
        step.offered_s = loop.time() - start
        return step

    @staticmethod
    async def _post(
        http: aiohttp.ClientSession, url: str, chat_id: int, body: dict[str, Any], step: Step
    ) -> None:
        step.posted_at[chat_id] = time.perf_counter()
        try:
            async with http.post(url, json=body, headers={SECRET_HEADER: SECRET}) as answer:
                if answer.status != 200:
                    step.http_errors += 1
        except (aiohttp.ClientError, TimeoutError):
            step.http_errors += 1


def rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, from /proc (NaN where unavailable)."""
    values = {"VmRSS": math.nan, "VmHWM": math.nan}
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return math.nan, math.nan
    for line in text.splitlines():
        key = line.split(":", 1)[0]
        if key in values:
            values[key] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (from /proc; NaN where unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuClock:
    """CPU used by the replicas and by this process (generator + fake) over a step."""

    pids: list[int]
    wall: float = field(default_factory=time.perf_counter)
    replicas: list[float] = field(default_factory=list)
    own: float = field(default_factory=time.process_time)

    def __post_init__(self) -> None:
        self.replicas = [cpu_seconds(pid) for pid in self.pids]

    def shares(self, updates: int) -> tuple[str, str, str]:
        """("replica % + replica %", replicas' CPU ms per update answered, "bench %") of one
        core since the clock started."""
        wall = time.perf_counter() - self.wall
        pairs = zip(self.pids, self.replicas, strict=True)
        used = [cpu_seconds(pid) - before for pid, before in pairs]
        replicas = " + ".join(fmt(100 * seconds / wall, 0) for seconds in used)
        per_update = fmt(1000 * sum(used) / updates if updates else math.nan, 2)
        return replicas, per_update, fmt(100 * (time.process_time() - self.own) / wall, 0)


@dataclass
class Config:
    """One configuration to measure."""

    name: str
    backend: str
    replicas: int
    limit: float

    @property
    def label(self) -> str:
        return f"{self.replicas}×{'SQLite' if self.backend == 'sqlite' else 'PG'}"


async def start_replicas(
    config: Config, api: FakeBotAPI, store: Store, work: Path, options: argparse.Namespace
) -> list[BotProcess]:
    """Start the replicas and wait until each answers /healthz."""
    replicas = []
    for number in range(config.replicas):
        name = f"{config.name}-{int(config.limit)}-{number}"
        env = bot_environment(
            api.token,
            api.base_url,
            store.url,
            WEBHOOK_URL="https://bench.example.org",
            WEBHOOK_SECRET=SECRET,
            PORT=str(free_port()),
            TELEGRAM_RATE_LIMIT=str(config.limit),
            TELEGRAM_PAID_BROADCAST=str(config.limit > FREE_BROADCAST_RATE).lower(),
            UPDATE_CONCURRENCY=str(options.concurrency),
            SEARCH_CACHE_SIZE=str(options.search_cache),
            **(
                {}
                if options.search_terms is None
                else {"SEARCH_TERMS_MB": str(options.search_terms)}
            ),
        )
        prefix = profiler_args(options, name)
        replicas.append(await BotProcess.start(["webhook"], env, work, name, prefix))
    await asyncio.gather(*(replica.wait_healthy(120) for replica in replicas))
    return replicas


def profiler_args(options: argparse.Namespace, name: str) -> list[str]:
    """Interpreter options that run a replica under the chosen profiler (pstats written at its
    graceful exit), or none."""
    if not options.profile:
        return []
    if options.profiler == "pyinstrument":  # sampling, wall time (idle shows as the loop's poll)
        output = options.profile / f"{name}.pyisession"
        return ["-m", "pyinstrument", "-r", "pyisession", "-o", str(output)]
    return ["-m", "cProfile", "-o", str(options.profile / f"{name}.prof")]


async def stop_replicas(replicas: list[BotProcess]) -> None:
    """SIGTERM (graceful: queued updates are answered first), bounded."""
    for replica in replicas:
        replica.terminate()
    for replica in replicas:
        try:
            await replica.wait(60)
        except TimeoutError:
            print(f"  {replica.name} did not stop in 60 s after SIGTERM: killed", file=sys.stderr)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection in this process while a step runs (as timeit does).

    This process holds the fake Bot API, the generator and everything they recorded: a full
    collection here took about 0.1 s, during which no update was posted and no reply received;
    landing inside a step, it showed as the replicas' p99. Collected between steps instead."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


async def drain(step: Step, replies: Replies, seconds: float) -> None:
    """Wait until every posted update has its reply, or `seconds` pass."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if all(chat in replies.first for chat in step.posted_at):
            return
        await asyncio.sleep(0.05)


def error_lines(replicas: Sequence[BotProcess]) -> int:
    """Updates the replicas logged with outcome=error, and tracebacks."""
    return sum(r.stderr.count("outcome=error") + r.stderr.count("Traceback") for r in replicas)


def step_row(
    config: Config,
    step: Step,
    replies: Replies,
    errors: int,
    replicas: Sequence[BotProcess],
    cpu: CpuClock,
) -> tuple[list[str], bool]:
    """The table row for a step, and whether it saturated."""
    latencies = [
        (replies.first[chat] - posted) * 1000
        for chat, posted in step.posted_at.items()
        if chat in replies.first
    ]
    sent, answered = len(step.posted_at), len(latencies)
    missing = sent - answered
    last_reply = max((replies.first[c] for c in step.posted_at if c in replies.first), default=0.0)
    first_post = min(step.posted_at.values(), default=0.0)
    span = last_reply - first_post
    p99 = percentile(latencies, 0.99)
    memory = [rss_mib(r.process.pid) for r in replicas]
    rss = " + ".join(fmt(current, 0) for current, _ in memory)
    saturated = missing > 0 or not p99 <= SATURATED_P99_MS
    note = f"{missing} unanswered after drain" if missing else ""
    if saturated:
        note = (note + "; " if note else "") + "saturated"
    row = [
        f"{config.label} @{int(step.rate)}/s",
        fmt(config.limit, 0),
        fmt(sent / step.offered_s if step.offered_s else math.nan, 0),
        str(sent),
        str(answered),
        fmt(answered / span if span > 0 else math.nan, 0),
        fmt(percentile(latencies, 0.5), 0),
        fmt(p99, 0),
        fmt(max(latencies, default=math.nan), 0),
        str(step.http_errors + errors),
        rss,
        *cpu.shares(answered),
        note,
    ]
    return row, saturated


async def measure(
    config: Config,
    api: FakeBotAPI,
    store: Store,
    generator: Generator,
    replies: Replies,
    options: argparse.Namespace,
    work: Path,
) -> list[list[str]]:
    """Every rate step of one configuration (stopping after the first saturated one)."""
    replicas = await start_replicas(config, api, store, work, options)
    rows = []
    try:
        urls = [f"http://127.0.0.1:{replica.port}/telegram" for replica in replicas]
        connector = aiohttp.TCPConnector(limit=256)
        async with aiohttp.ClientSession(connector=connector) as http:
            # Warm-up, not measured: first connections, lazy imports, first queries' caches.
            warm_up = await generator.run(http, urls, WARM_UP_RATE, options.warm_up * len(urls))
            await drain(warm_up, replies, options.drain)
            for rate in options.rates:
                number = max(1, min(options.max_updates, int(rate * options.seconds)))
                errors_before, failed_before = error_lines(replicas), replies.failed
                cpu = CpuClock([replica.process.pid for replica in replicas])
                with collector_paused():
                    step = await generator.run(http, urls, rate, number)
                    await drain(step, replies, options.drain)
                errors = error_lines(replicas) - errors_before
                failed = replies.failed - failed_before  # sendMessage calls the fake refused
                row, saturated = step_row(config, step, replies, errors + failed, replicas, cpu)
                rows.append(row)
                print("  " + "  ".join(row), file=sys.stderr)
                if saturated:
                    break
    finally:
        await stop_replicas(replicas)
    return rows


def print_profiles(profile: Path, top: int = 25) -> None:
    """The functions with the most own time in each replica's profile."""
    for path in sorted(profile.glob("*.prof")):
        print(f"\n--- {path.name}: top {top} by own time")
        pstats.Stats(str(path)).sort_stats("tottime").print_stats(top)
    for path in sorted(profile.glob("*.pyisession")):
        print(f"\n--- {describe(path, top)}")


async def run(options: argparse.Namespace) -> int:
    """Measure every configuration; print one table."""
    quiet()
    queries = [query.q for query in load_queries(DEFAULT_QUERIES)]
    configs = [
        Config(name, *CONFIGS[name], limit)
        for name in options.configs
        for limit in options.limits
        if CONFIGS[name][0] == "sqlite" or options.database_url
    ]
    skipped = [name for name in options.configs if CONFIGS[name][0] == "pg"]
    if not options.database_url and skipped:
        print(f"no --database-url: skipping {', '.join(skipped)}", file=sys.stderr)
    api = FakeBotAPI()
    await api.start()
    replies = Replies()
    replies.watch(api)
    generator = Generator(api, queries)
    rows: list[list[str]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as directory:
        work = options.logs or Path(directory)
        stores: dict[str, Store] = {}
        try:
            for config in configs:
                if config.backend not in stores:
                    url = None if config.backend == "sqlite" else options.database_url
                    stores[config.backend] = open_store(url, Path(directory))
                    if options.index == "restored":  # as every start after a corpus's first
                        from bot.search.persist import load_index  # (older commits: --index built)

                        load_index(stores[config.backend].sessions)
                print(f"{config.label}, TELEGRAM_RATE_LIMIT={config.limit:g}", file=sys.stderr)
                rows += await measure(
                    config, api, stores[config.backend], generator, replies, options, work
                )
        finally:
            for store in stores.values():
                store.close()
            await api.stop()
    print(f"\nWebhook load: update-to-reply latency, {os.cpu_count()} CPUs, ", end="")
    print(f"{options.seconds:g} s per step, {time.perf_counter() - started:.0f} s in all")
    print(format_table(HEADERS, rows))
    if options.profile:
        print_profiles(options.profile)
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="sqlite,pg,pg2", help="sqlite, pg, pg2 (comma list)")
    parser.add_argument("--limits", default="30,1000", help="TELEGRAM_RATE_LIMIT values")
    parser.add_argument("--rates", default=",".join(map(str, RATES)), help="updates/s steps")
    parser.add_argument("--seconds", type=float, default=2.5, help="posting time per step")
    parser.add_argument("--max-updates", type=int, default=2000, help="per step")
    parser.add_argument("--drain", type=float, default=12.0, help="seconds to wait for replies")
    parser.add_argument("--database-url", help="PostgreSQL for pg and pg2 (private schema)")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="UPDATE_CONCURRENCY (16, the bot's default)"
    )
    parser.add_argument(
        "--index",
        choices=("restored", "built"),
        default="restored",
        help="restored (default): the index snapshot is saved before the replicas start and each "
        "loads it, as after any restart; built: a replica builds the index itself, as on a "
        "corpus's first start (its word table is then jieba's own dict, faster to look up)",
    )
    parser.add_argument(
        "--search-cache",
        type=int,
        default=256,
        help="SEARCH_CACHE_SIZE of the replicas (256, the bot's default, holds every query of the "
        "set, so each step's searches are recent answers; 0: every update searches)",
    )
    parser.add_argument(
        "--search-terms",
        type=int,
        default=None,
        help="SEARCH_TERMS_MB of the replicas (unset: the bot's default, 16, which holds the "
        "vectors of every word of the set; 0: each search computes all of its words', as for a "
        "question whose words the replica has not met); older commits lack the setting",
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=WARM_UP_UPDATES,
        help="updates per replica before the first step (30); 250 asks every query once, so the "
        "steps see the query-vector cache warm, as a long-running replica does",
    )
    parser.add_argument("--profile", type=Path, help="profile each replica into this directory")
    parser.add_argument(
        "--profiler",
        choices=("cprofile", "pyinstrument"),
        default="cprofile",
        help="cprofile (deterministic, CPU) or pyinstrument (sampling; pip install pyinstrument)",
    )
    parser.add_argument("--logs", type=Path, help="keep the replicas' output in this directory")
    options = parser.parse_args(argv)
    options.configs = [name for name in options.configs.split(",") if name]
    unknown = [name for name in options.configs if name not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration {unknown}; choose from {', '.join(CONFIGS)}")
    options.limits = [float(limit) for limit in options.limits.split(",") if limit]
    options.rates = [float(rate) for rate in options.rates.split(",") if rate]
    if options.profile:
        options.profile.mkdir(parents=True, exist_ok=True)
    return options


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
