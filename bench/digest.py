"""Digest delivery: how long composing takes, and how close sending gets to Telegram's limits.

    .venv/bin/python -m bench.digest [--subscribers 10000] [--send-subscribers 900] [--rate 30]
        [--scenarios prepare,limited,unlimited,faults] [--database-url URL] [--seed 0] [--quick]

Four scenarios, one table each, on a fresh store holding the real corpus (an SQLite file in a
temporary directory, or a private schema of the PostgreSQL database given with --database-url,
dropped at the end):

- prepare: `--subscribers` chats over the policy areas (1-3 each), seeded with
  `bot.store.subscriptions.subscribe`/`set_schedule`; every digest composed with
  `bot.digest.compose.compose`, then the whole `send_due` run with a sender that answers Sent at
  once (the pipeline without Telegram).
- limited: `--send-subscribers` chats through the real path: the Application's PTB Bot (built by
  `handlers.app.build_application`, so with its AIORateLimiter at `--rate` msgs/s), over HTTP on
  loopback, to the fake Bot API with Telegram's flood limits on (30 msg/s overall, 1 msg/s per
  chat with a burst of 3).
- unlimited: the same with TELEGRAM_RATE_LIMIT=1000 and the fake's overall limit at 1000/s: the
  capacity of our own pipeline (the fake runs in the same process and event loop, so its share of
  the time is reported too).
- faults: as limited, with 1 % of the chats blocked and 1 % of sendMessage calls answered 429
  "retry after 1" (scripted with `fail_next`, spread at random over the run).
- topics: `--topic-chats` chats (10 000), each with 2 areas and 3 followed topics drawn from
  `--distinct-topics` (200) distinct searches (area keywords and words of the corpus); the tick's
  topic searches (`bot.digest.deliver.topic_matches`: once per folded topic): the first pass
  (computing the query vectors the disk cache lacks, as /follow does for a new topic), after a
  restart (vectors read from the disk cache) and with vectors in memory (every later tick); then
  every digest composed with its topic sections, then `send_due` with an instant sender.

Every send run uses `send_due(..., DeliveryOptions(force=True))`, so every subscriber is due.
Numbers, not a test: it never fails on slowness; each send run stops at a time budget.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, text, update

import bot.digest.deliver as deliver_module
from bench.common import fmt, format_table, percentile, quiet
from bot.core.config import FREE_BROADCAST_RATE, load_settings, normalize_database_url
from bot.core.embedding import MODEL_NAME, QUERY_PREFIX, VectorCache, content_hash, default_embedder
from bot.core.filters import Filters
from bot.core.schedule import period_of
from bot.digest.compose import compose
from bot.digest.deliver import (
    DeliveryOptions,
    DeliveryReport,
    RunData,
    by_chat,
    send_due,
    topic_matches,
)
from bot.messaging.sender import Outcome, Sender, Sent
from bot.search.index import SearchIndex
from bot.search.normalize import to_traditional
from bot.search.query import parse_query
from bot.search.topics import topic_key
from bot.store.areas import load_areas
from bot.store.chats import chat_language, set_language
from bot.store.corpus import list_recommendations
from bot.store.db import SessionFactory, make_engine, make_sessions, migrate
from bot.store.models import Chat, DigestSchedule, utcnow
from bot.store.subscriptions import set_schedule, subscribe
from bot.store.topics import follow, scheduled_topics
from bot.ui.i18n import pick_language
from bot.ui.render import Message

SCENARIOS = ("prepare", "limited", "unlimited", "faults", "topics")
PREPARE_SUBSCRIBERS = 10_000
SEND_SUBSCRIBERS = 900  # about 30 s at 30 msg/s
QUICK_PREPARE, QUICK_SEND = 300, 60
RATE = 30.0
UNLIMITED_RATE = 1000.0  # the highest TELEGRAM_RATE_LIMIT the settings accept
COMPOSE_TARGET_MS = 2.0
SHARE_TARGET = 0.90
FAULT_SHARE = 0.01  # of chats blocked, and of sendMessage calls answered 429
ENGLISH_SHARE = 0.2  # of chats that chose English with /lang
SEED_BATCH = 500  # chats per seeding transaction
ZONE = ZoneInfo("Asia/Hong_Kong")
SCRIPTED_429 = "Too Many Requests: retry after 1 (scripted)"

COHORT_BASE = {"prepare": 1_000_000, "limited": 2_000_000, "unlimited": 3_000_000}
COHORT_BASE["faults"] = 4_000_000
COHORT_BASE["topics"] = 5_000_000


# --- store -----------------------------------------------------------------------------------


@dataclass
class Store:
    """A fresh migrated store with the corpus ingested; `close` drops what the bench created."""

    url: str
    engine: Engine
    sessions: SessionFactory
    ingest_s: float
    cleanup: Callable[[], None]

    def close(self) -> None:
        """Dispose of the engine and remove the temporary store."""
        self.engine.dispose()
        self.cleanup()


def open_store(database_url: str | None, directory: Path) -> Store:
    """SQLite in `directory` by default; on PostgreSQL a private schema, dropped by `close`."""
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    if database_url is None:
        url = f"sqlite:///{directory / 'digest.db'}"
        engine = make_engine(url)
    elif normalize_database_url(database_url).startswith("postgresql"):
        url, engine, cleanup = postgres_schema(normalize_database_url(database_url))
    else:
        url = database_url
        engine = make_engine(url)
    migrate(engine)
    sessions = make_sessions(engine)
    from bot.ingest.pipeline import ingest  # the parsers load only when needed

    started = time.perf_counter()
    ingest(sessions)
    return Store(url, engine, sessions, time.perf_counter() - started, cleanup)


def postgres_schema(
    url: str, prefix: str = "bench_digest"
) -> tuple[str, Engine, Callable[[], None]]:
    """A fresh schema of this process's own in the PostgreSQL database at `url`: (its URL, an
    engine on it, the function that drops it)."""
    schema = f"{prefix}_{os.getpid()}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    scoped = f"{url}{separator}options=-csearch_path%3D{schema}"

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()

    return scoped, make_engine(scoped, pool_size=5), drop


def seed_cohort(sessions: SessionFactory, first_id: int, count: int, seed: int) -> float:
    """Subscribe `count` private chats to 1-3 random areas each, daily at 09:00, some in English;
    return the seconds it took."""
    rng = random.Random(seed)
    areas = [area.id for area in load_areas()]
    now = utcnow()
    started = time.perf_counter()
    for batch_start in range(0, count, SEED_BATCH):
        with sessions.begin() as session:
            for chat_id in range(
                first_id + batch_start, first_id + min(count, batch_start + SEED_BATCH)
            ):
                chosen = rng.sample(areas, rng.randint(1, 3))
                subscribe(session, chat_id, "private", chosen, ZONE, now)
                set_schedule(session, chat_id, "daily", 9, 0, ZONE, now)
                if rng.random() < ENGLISH_SHARE:
                    set_language(session, chat_id, "private", "en")
    return time.perf_counter() - started


def retire_cohort(sessions: SessionFactory, first_id: int, count: int) -> None:
    """Switch a cohort's schedules off, so that the next forced run sends only its own cohort."""
    with sessions.begin() as session:
        session.execute(
            update(DigestSchedule)
            .where(DigestSchedule.chat_id.between(first_id, first_id + count - 1))
            .values(active=False)
        )


def deactivated(sessions: SessionFactory, first_id: int, count: int) -> int:
    """Chats of the cohort the bot marked unreachable."""
    with sessions() as session:
        statement = select(func.count()).where(
            Chat.id.between(first_id, first_id + count - 1), Chat.active.is_(False)
        )
        return int(session.scalar(statement) or 0)


# --- measuring -------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def ms(values: Sequence[float], fraction: float) -> float:
    """A percentile of durations in seconds, in milliseconds."""
    return percentile(values, fraction) * 1000


def mean_ms(values: Sequence[float], per: int) -> float:
    """The total of `values` (seconds) divided over `per` items, in milliseconds."""
    return sum(values) * 1000 / per if per else math.nan


@contextmanager
def timed_compose(durations: list[float]) -> Iterator[None]:
    """Time every `compose` that `send_due` makes (patched in bot.digest.deliver, then restored)."""
    original = deliver_module.compose

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            durations.append(time.perf_counter() - started)

    deliver_module.compose = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        deliver_module.compose = original


class TimingSender:
    """Wraps a Sender (None: answer Sent at once) and records each send's duration and end."""

    def __init__(self, inner: Sender | None = None) -> None:
        self.inner = inner
        self.durations: list[float] = []
        self.ends: list[float] = []
        self.outcomes: Counter[str] = Counter()
        self.messages = 0

    async def send(self, chat_id: int, messages: Sequence[Message]) -> Outcome:
        """Send through the inner sender and time it."""
        started = time.perf_counter()
        if self.inner is None:
            outcome: Outcome = Sent(tuple(range(1, len(messages) + 1)))
        else:
            outcome = await self.inner.send(chat_id, messages)
        ended = time.perf_counter()
        self.durations.append(ended - started)
        self.ends.append(ended)
        self.outcomes[type(outcome).__name__] += 1
        self.messages += len(messages)
        return outcome

    def cycles(self) -> list[float]:
        """Seconds between consecutive sends' ends: one digest's whole turn of the loop."""
        return [b - a for a, b in zip(self.ends, self.ends[1:], strict=False)]


async def run_send_due(
    sessions: SessionFactory, sender: Sender, options: DeliveryOptions, budget: float
) -> tuple[DeliveryReport | None, float, list[float]]:
    """`send_due` with compose timed; stops at `budget` seconds (report None then)."""
    composes: list[float] = []
    started = time.perf_counter()
    with timed_compose(composes):
        try:
            report = await asyncio.wait_for(send_due(sessions, sender, options), budget)
        except TimeoutError:
            report = None
    return report, time.perf_counter() - started, composes


# --- preparation -----------------------------------------------------------------------------


@dataclass
class Preparation:
    """What the prepare scenario measured."""

    subscribers: int
    seed_s: float
    compose_s: list[float]
    messages: list[int]
    pipeline_s: float
    pipeline_report: DeliveryReport | None
    pipeline_composes: list[float]
    sender: TimingSender
    rss_mb: float


def compose_all(
    sessions: SessionFactory, first_id: int, count: int
) -> tuple[list[float], list[int]]:
    """Compose every chat's digest as delivery would (its language, records loaded once);
    return each compose's seconds and message count."""
    with sessions() as session:
        records = list_recommendations(session)
    period = period_of("daily", utcnow(), ZONE)
    durations: list[float] = []
    messages: list[int] = []
    for chat_id in range(first_id, first_id + count):
        with sessions() as session:
            language = pick_language(chat_language(session, chat_id), None)
            schedule = session.get(DigestSchedule, chat_id)
            since = (schedule.last_sent_at or schedule.created_at) if schedule else None
            started = time.perf_counter()
            digest = compose(session, chat_id, language, period, since, "PolicyBot", records)
            durations.append(time.perf_counter() - started)
        messages.append(len(digest.messages) if digest else 0)
    return durations, messages


async def prepare(store: Store, count: int, seed: int, budget: float) -> Preparation:
    """Seed `count` subscribers, compose every digest, then run send_due with an instant sender."""
    first = COHORT_BASE["prepare"]
    seed_s = seed_cohort(store.sessions, first, count, seed)
    compose_s, messages = compose_all(store.sessions, first, count)
    sender = TimingSender()
    options = DeliveryOptions(zone=ZONE, bot_username="PolicyBot", force=True)
    report, pipeline_s, composes = await run_send_due(store.sessions, sender, options, budget)
    retire_cohort(store.sessions, first, count)
    return Preparation(
        count, seed_s, compose_s, messages, pipeline_s, report, composes, sender, peak_rss_mb()
    )


def preparation_table(result: Preparation) -> str:
    """The prepare scenario as metric / value / target rows."""
    count, sender = result.subscribers, result.sender
    median, p99 = ms(result.compose_s, 0.5), ms(result.compose_s, 0.99)
    digests = len(sender.durations)
    rows = [
        (f"subscribers (1-3 of {len(load_areas())} areas each)", count, ""),
        ("seeding: subscribe + set_schedule, total s", fmt(result.seed_s), ""),
        ("compose: digests (non-empty)", sum(1 for m in result.messages if m), ""),
        ("compose: messages per digest, mean / max", _mean_max(result.messages), ""),
        ("compose per digest, median ms", fmt(median), _target(median, COMPOSE_TARGET_MS)),
        ("compose per digest, p99 ms", fmt(p99), _target(p99, COMPOSE_TARGET_MS)),
        ("compose per digest, max ms", fmt(ms(result.compose_s, 1.0)), ""),
        ("compose: all digests, total s", fmt(sum(result.compose_s)), ""),
        ("send_due, instant sender: outcome", _outcomes(result.pipeline_report), ""),
        ("send_due: total s", fmt(result.pipeline_s), ""),
        ("send_due: digests/s", fmt(digests / result.pipeline_s, 0), ""),
        ("send_due: per digest (loop turn), median ms", fmt(ms(sender.cycles(), 0.5)), ""),
        ("send_due: per digest (loop turn), p99 ms", fmt(ms(sender.cycles(), 0.99)), ""),
        ("  of which compose, mean ms", fmt(mean_ms(result.pipeline_composes, digests)), ""),
        (
            "  of which store (claim, record, sent items, commit), mean ms",
            fmt(_rest_ms(result.pipeline_s, result.pipeline_composes, sender.durations, digests)),
            "",
        ),
        ("peak RSS (VmHWM), MiB", fmt(result.rss_mb, 0), ""),
    ]
    return format_table(("metric", "value", "target"), rows)


# --- sending through the fake Bot API --------------------------------------------------------


@dataclass(frozen=True)
class SendPlan:
    """One send scenario."""

    name: str
    subscribers: int
    rate: float
    fake_global: int
    faults: bool = False


class FaultInjector:
    """Arms one scripted 429 before about every 1/share-th sendMessage call (at random gaps of
    1 to 2/share - 1 calls), watching the fake's request log."""

    def __init__(self, api: Any, share: float, seed: int) -> None:
        self.api = api
        self.rng = random.Random(seed)
        self.widest = max(1, round(2 / share) - 1)
        self.scanned = 0
        self.sends = 0
        self.armed = 0
        self.target = self.rng.randint(1, self.widest)  # 1-based index of the call to fail

    def _next_is_target(self) -> bool:
        log = self.api.requests
        self.sends += sum(1 for r in log[self.scanned :] if r.method == "sendMessage")
        self.scanned = len(log)
        return self.sends >= self.target - 1

    async def run(self) -> None:
        """Arm faults until cancelled."""
        while True:
            await self.api.wait_for(self._next_is_target, timeout=3600)
            self.api.fail_next(
                "sendMessage",
                1,
                error_code=429,
                description=SCRIPTED_429,
                parameters={"retry_after": 1},
            )
            self.armed += 1
            self.target += self.rng.randint(1, self.widest)


@dataclass
class SendResult:
    """What one send scenario measured."""

    plan: SendPlan
    report: DeliveryReport | None
    duration_s: float
    sender: TimingSender
    composes: list[float]
    fake_s: list[float]
    requests: list[Any]
    injected: int
    budget_s: float
    blocked_chats: int = 0
    deactivated: int = 0
    rss_mb: float = field(default_factory=peak_rss_mb)


@contextmanager
def timed_dispatch(api: Any, durations: list[float]) -> Iterator[None]:
    """Time the fake's handling of every call (its own share of the shared event loop)."""
    original: Callable[..., Awaitable[Any]] = api.dispatcher.dispatch

    async def timed(call: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(call)
        finally:
            durations.append(time.perf_counter() - started)

    api.dispatcher.dispatch = timed
    try:
        yield
    finally:
        api.dispatcher.dispatch = original


async def send_scenario(store: Store, plan: SendPlan, seed: int) -> SendResult:
    """Seed the cohort, start the fake and the Application's Bot, run send_due, collect."""
    from tests.fake_bot_api import FakeBotAPI

    first = COHORT_BASE[plan.name]
    seed_cohort(store.sessions, first, plan.subscribers, seed)
    api = FakeBotAPI()
    await api.start()
    try:
        chats = list(range(first, first + plan.subscribers))
        for chat_id in chats:
            api.register_chat(chat_id, "private")
        blocked = _block_some(api, chats, seed) if plan.faults else []
        result = await _send_through_bot(store, plan, api, seed)
    finally:
        await api.stop()
    retire_cohort(store.sessions, first, plan.subscribers)
    result.blocked_chats = len(blocked)
    result.deactivated = deactivated(store.sessions, first, plan.subscribers)
    return result


async def _send_through_bot(store: Store, plan: SendPlan, api: Any, seed: int) -> SendResult:
    """Build and initialize the Application (no polling, no JobQueue tick), then run send_due
    through its Bot with the fake's flood limits on (and the fault injector, if planned)."""
    from handlers.app import build_application
    from handlers.telegram_sender import TelegramSender

    environ = {
        "BOT_TOKEN": api.token,
        "TELEGRAM_BASE_URL": api.base_url,
        "TELEGRAM_RATE_LIMIT": str(plan.rate),
        # Above the free 30/s: paid broadcasts (the fake then counts them against 1000/s)
        "TELEGRAM_PAID_BROADCAST": str(plan.rate > FREE_BROADCAST_RATE).lower(),
        "DATABASE_URL": store.url,
    }
    settings = load_settings(environ)
    app = build_application(settings, store.sessions)
    await app.initialize()
    try:
        sender = TimingSender(TelegramSender(app.bot, settings.telegram_paid_broadcast))
        options = DeliveryOptions(zone=settings.timezone, bot_username=app.bot.username, force=True)
        budget = 3 * plan.subscribers / min(plan.rate, plan.fake_global) + 60
        injector = FaultInjector(api, FAULT_SHARE, seed) if plan.faults else None
        fake_s: list[float] = []
        api.enable_flood_limits(global_per_second=plan.fake_global)
        seen = len(api.requests)
        task = asyncio.create_task(injector.run()) if injector else None
        try:
            with timed_dispatch(api, fake_s):
                report, duration, composes = await run_send_due(
                    store.sessions, sender, options, budget
                )
        finally:
            await _cancel(task)
    finally:
        await app.shutdown()
    armed = injector.armed if injector else 0
    return SendResult(
        plan, report, duration, sender, composes, fake_s, api.requests[seen:], armed, budget
    )


async def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _block_some(api: Any, chats: Sequence[int], seed: int) -> list[int]:
    blocked = random.Random(seed + 1).sample(list(chats), max(1, round(len(chats) * FAULT_SHARE)))
    for chat_id in blocked:
        api.block_user(chat_id)
    return blocked


def peak_window(times: Sequence[float], width: float = 1.0) -> int:
    """The most timestamps inside any window of `width` seconds."""
    ordered, best, start = sorted(times), 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


def retries(requests: Sequence[Any]) -> int:
    """sendMessage calls that repeat an earlier call (same chat, same text)."""
    seen = Counter(
        (r.params.get("chat_id"), r.params.get("text"))
        for r in requests
        if r.method == "sendMessage"
    )
    return sum(count - 1 for count in seen.values())


def send_table(result: SendResult) -> str:
    """One send scenario as metric / value / target rows."""
    plan, sender = result.plan, result.sender
    sends = [r for r in result.requests if r.method == "sendMessage"]
    delivered = [r for r in sends if r.ok]
    flood = [r for r in sends if r.status == 429 and r.description != SCRIPTED_429]
    scripted = [r for r in sends if r.description == SCRIPTED_429]
    rate = len(delivered) / result.duration_s if result.duration_s else math.nan
    share = rate / min(plan.rate, plan.fake_global)
    digests = len(sender.durations)
    limited = plan.rate < UNLIMITED_RATE
    rows: list[tuple[object, object, object]] = [
        ("subscribers (chats known to the fake)", plan.subscribers, ""),
        ("TELEGRAM_RATE_LIMIT msgs/s (AIORateLimiter)", fmt(plan.rate, 0), ""),
        ("fake: overall limit msgs/s; per chat", f"{plan.fake_global}; 1/s, burst 3", ""),
        ("outcome (send_due report)", _outcomes(result.report, result.budget_s), ""),
        ("sendMessage calls / delivered (200)", f"{len(sends)} / {len(delivered)}", ""),
        ("messages per digest, mean", fmt(sender.messages / digests if digests else math.nan), ""),
        ("duration s", fmt(result.duration_s), ""),
        ("achieved messages/s", fmt(rate, 1), ""),
        ("share of the limit", f"{share:.0%}", _share_target(share) if limited else ""),
        ("digests/s", fmt(digests / result.duration_s if result.duration_s else math.nan, 1), ""),
        ("most sendMessage calls in any 1 s", peak_window([r.at for r in sends]), ""),
        ("most deliveries in any 1 s", peak_window([r.at for r in delivered]), ""),
        ("429 from flood limits", len(flood), "0 " + ("met" if not flood else "MISSED")),
    ]
    if plan.faults:
        rows += [
            ("429 scripted (armed / answered)", f"{result.injected} / {len(scripted)}", ""),
            ("blocked chats / 403 answers", f"{result.blocked_chats} / {_count(sends, 403)}", ""),
            ("chats deactivated", result.deactivated, ""),
        ]
    rows += [
        ("retried sendMessage calls", retries(sends), ""),
        ("per digest send (limiter + HTTP), median ms", fmt(ms(sender.durations, 0.5)), ""),
        ("per digest send (limiter + HTTP), p99 ms", fmt(ms(sender.durations, 0.99)), ""),
        ("per digest loop turn, median ms", fmt(ms(sender.cycles(), 0.5)), ""),
        ("per digest loop turn, p99 ms", fmt(ms(sender.cycles(), 0.99)), ""),
        *_breakdown(result, digests),
        ("peak RSS (VmHWM), MiB", fmt(result.rss_mb, 0), ""),
    ]
    return format_table(("metric", "value", "target"), rows)


def _breakdown(result: SendResult, digests: int) -> list[tuple[object, object, object]]:
    sender = result.sender
    return [
        ("time per digest, mean ms: compose", fmt(mean_ms(result.composes, digests)), ""),
        ("  send (limiter wait + HTTP + fake)", fmt(mean_ms(sender.durations, digests)), ""),
        ("    of which the fake's handling", fmt(mean_ms(result.fake_s, digests)), ""),
        (
            "  store (claim, record, sent items, commit)",
            fmt(_rest_ms(result.duration_s, result.composes, sender.durations, digests)),
            "",
        ),
    ]


# --- table helpers ---------------------------------------------------------------------------


def _count(requests: Sequence[Any], status: int) -> int:
    return sum(1 for r in requests if r.status == status)


def _mean_max(values: Sequence[int]) -> str:
    kept = [v for v in values if v]
    return f"{statistics.fmean(kept):.2f} / {max(kept)}" if kept else "-"


def _target(value: float, limit: float) -> str:
    verdict = "met" if value <= limit else "MISSED"
    return f"<= {fmt(limit, 0)} ms {verdict}"


def _share_target(share: float) -> str:
    return f">= {SHARE_TARGET:.0%} " + ("met" if share >= SHARE_TARGET else "MISSED")


def _outcomes(report: DeliveryReport | None, budget: float | None = None) -> str:
    if report is None:
        return f"stopped at the {budget:.0f} s budget" if budget else "stopped at the budget"
    return ", ".join(f"{name} {count}" for name, count in sorted(report.counts.items()))


def _rest_ms(total: float, composes: list[float], sends: list[float], digests: int) -> float:
    return (total - sum(composes) - sum(sends)) * 1000 / digests if digests else math.nan


# --- main ------------------------------------------------------------------------------------


@dataclass
class Options:
    """Parsed command line."""

    subscribers: int
    send_subscribers: int
    rate: float
    scenarios: list[str] = field(default_factory=lambda: list(SCENARIOS))
    database_url: str | None = None
    seed: int = 0
    topic_chats: int = 0
    distinct_topics: int = 0


# --- followed topics --------------------------------------------------------------------------

TOPIC_CHATS = 10_000
DISTINCT_TOPICS = 200
TOPIC_AREAS, TOPICS_PER_CHAT = 2, 3
TOPIC_SEARCH_TARGET_S = 2.0
TOPIC_COMPOSE_TARGET_MS = 3.0


@dataclass
class TopicsResult:
    """What the topics scenario measured."""

    chats: int
    distinct: int
    seed_s: float
    index_s: float
    search_first_s: float  # the first pass in this process
    computed: int  # query vectors the disk cache lacked (computed by the first pass)
    search_cold_s: float
    search_warm_s: float
    matched: list[int]  # per distinct topic, how many records it matches
    compose_s: list[float]
    compose_cpu_s: list[float]
    sections: list[int]  # per digest, its topic sections
    pipeline_s: float
    report: DeliveryReport | None


def topic_pool(index: SearchIndex, count: int, seed: int) -> list[str]:
    """`count` distinct searches members might follow: every area keyword, then words of the
    corpus (two characters or more), drawn at random."""
    rng = random.Random(seed)
    keywords = list(dict.fromkeys(k for area in load_areas() for k in area.keywords))
    words = [w for w in index.word_vocabulary if len(w) >= 2 and w not in keywords]
    rng.shuffle(keywords)
    pool = keywords[:count]
    pool += rng.sample(words, min(len(words), count - len(pool)))
    return pool


def seed_topic_cohort(
    sessions: SessionFactory, first_id: int, count: int, pool: Sequence[str], seed: int
) -> float:
    """`count` chats with 2 areas and 3 topics from `pool` each, daily at 09:00."""
    rng = random.Random(seed)
    areas = [area.id for area in load_areas()]
    now = utcnow()
    started = time.perf_counter()
    for batch_start in range(0, count, SEED_BATCH):
        with sessions.begin() as session:
            for chat_id in range(
                first_id + batch_start, first_id + min(count, batch_start + SEED_BATCH)
            ):
                subscribe(session, chat_id, "private", rng.sample(areas, TOPIC_AREAS), ZONE, now)
                for text in rng.sample(list(pool), TOPICS_PER_CHAT):
                    follow(session, chat_id, "private", text, topic_key(text), Filters(), ZONE, now)
                set_schedule(session, chat_id, "daily", 9, 0, ZONE, now)
                if rng.random() < ENGLISH_SHARE:
                    set_language(session, chat_id, "private", "en")
    return time.perf_counter() - started


async def topics_scenario(store: Store, count: int, distinct: int, seed: int) -> TopicsResult:
    """Seed the cohort, time the tick's topic searches (cold, then warm), compose every digest
    as `send_due` does, then run `send_due` with an instant sender."""
    first = COHORT_BASE["topics"]
    started = time.perf_counter()
    with store.sessions() as session:
        index = SearchIndex.load(session)
    index_s = time.perf_counter() - started
    pool = topic_pool(index, distinct, seed)
    seed_s = seed_topic_cohort(store.sessions, first, count, pool, seed)
    with store.sessions() as session:
        topics = scheduled_topics(session, None)
        records = list_recommendations(session)
    plain = {to_traditional(parse_query(t.text, index.lexicon).plain) for t in topics}
    on_disk = VectorCache()
    keys = [content_hash(MODEL_NAME, QUERY_PREFIX + " ".join(p.split())[:64]) for p in plain]
    computed = sum(1 for key in keys if on_disk.get(key) is None)
    started = time.perf_counter()
    matches = topic_matches(index, topics)  # the first pass computes what the disk lacks
    first_pass = time.perf_counter() - started
    default_embedder.cache_clear()  # as after a restart: nothing in memory, the disk cache
    default_embedder().warm()  # the model loads at start-up, not in a tick
    started = time.perf_counter()
    topic_matches(index, topics)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    topic_matches(index, topics)
    warm = time.perf_counter() - started
    run = RunData(records, matches, by_chat(topics))  # as send_due builds it
    period = period_of("daily", utcnow(), ZONE)
    durations: list[float] = []
    cpu: list[float] = []  # the same, in this thread's CPU time (a busy machine's waits left out)
    sections: list[int] = []
    for chat_id in range(first, first + count):
        with store.sessions() as session:
            language = pick_language(chat_language(session, chat_id), None)
            schedule = session.get(DigestSchedule, chat_id)
            since = (schedule.last_sent_at or schedule.created_at) if schedule else None
            began, began_cpu = time.perf_counter(), time.thread_time()
            digest = compose(session, chat_id, language, period, since, "PolicyBot", run=run)
            durations.append(time.perf_counter() - began)
            cpu.append(time.thread_time() - began_cpu)
        sections.append(sum(text.html.count("━ 🔎") for text in digest.messages) if digest else 0)
    sender = TimingSender()
    options = DeliveryOptions(zone=ZONE, bot_username="PolicyBot", force=True)
    started = time.perf_counter()
    report = await send_due(store.sessions, sender, options, index=index)
    pipeline_s = time.perf_counter() - started
    retire_cohort(store.sessions, first, count)
    return TopicsResult(
        count,
        len(matches),
        seed_s,
        index_s,
        first_pass,
        computed,
        cold,
        warm,
        [len(ids) for ids in matches.values()],
        durations,
        cpu,
        sections,
        pipeline_s,
        report,
    )


def topics_table(result: TopicsResult) -> str:
    """The topics scenario as metric / value / target rows."""
    p99 = ms(result.compose_s, 0.99)
    rows = [
        (f"chats ({TOPIC_AREAS} areas, {TOPICS_PER_CHAT} topics each)", result.chats, ""),
        ("distinct topics (folded keys) searched", result.distinct, ""),
        ("matches per topic: median / max", _median_max(result.matched), ""),
        ("seeding, s", fmt(result.seed_s), ""),
        ("search index built from the store, s", fmt(result.index_s), ""),
        (
            f"first pass, {result.computed} query vectors not on disk (computed), s",
            fmt(result.search_first_s),
            "",
        ),
        (
            "tick's topic searches after a restart (vectors from disk), s",
            fmt(result.search_cold_s),
            f"<= {fmt(TOPIC_SEARCH_TARGET_S, 0)} s "
            + ("met" if result.search_cold_s <= TOPIC_SEARCH_TARGET_S else "MISSED"),
        ),
        (
            "tick's topic searches, vectors in memory, s",
            fmt(result.search_warm_s),
            f"<= {fmt(TOPIC_SEARCH_TARGET_S, 0)} s "
            + ("met" if result.search_warm_s <= TOPIC_SEARCH_TARGET_S else "MISSED"),
        ),
        ("compose median, ms", fmt(ms(result.compose_s, 0.5)), ""),
        ("compose p99, ms", fmt(p99), _target(p99, TOPIC_COMPOSE_TARGET_MS)),
        (
            "compose median / p99, CPU ms (waits for the CPU left out)",
            f"{fmt(ms(result.compose_cpu_s, 0.5))} / {fmt(ms(result.compose_cpu_s, 0.99))}",
            "",
        ),
        ("topic sections per digest: mean / max", _mean_max(result.sections), ""),
        ("send_due (instant sender, force), s", fmt(result.pipeline_s), ""),
        ("send_due outcomes", _outcomes(result.report), ""),
    ]
    return format_table(["metric", "value", "target"], rows)


def _median_max(values: Sequence[int]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.0f} / {max(values)}"


def parse_args(argv: Sequence[str] | None) -> Options:
    """The command line; --quick shrinks the counts unless they are given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, help=f"prepare (default {PREPARE_SUBSCRIBERS})")
    parser.add_argument("--send-subscribers", type=int, help=f"per send run ({SEND_SUBSCRIBERS})")
    parser.add_argument("--rate", type=float, default=RATE, help="TELEGRAM_RATE_LIMIT (30)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="a comma list")
    parser.add_argument("--database-url", help="PostgreSQL (a private schema is used)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="small numbers for a smoke run")
    parser.add_argument("--topic-chats", type=int, help=f"topics scenario ({TOPIC_CHATS})")
    parser.add_argument(
        "--distinct-topics", type=int, default=DISTINCT_TOPICS, help="topics scenario (200)"
    )
    args = parser.parse_args(argv)
    scenarios = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if not 0 < args.rate <= UNLIMITED_RATE:
        parser.error(f"--rate must be above 0 and at most {UNLIMITED_RATE:.0f}")
    return Options(
        subscribers=args.subscribers or (QUICK_PREPARE if args.quick else PREPARE_SUBSCRIBERS),
        send_subscribers=args.send_subscribers or (QUICK_SEND if args.quick else SEND_SUBSCRIBERS),
        rate=args.rate,
        scenarios=scenarios,
        database_url=args.database_url,
        seed=args.seed,
        topic_chats=args.topic_chats or (QUICK_PREPARE if args.quick else TOPIC_CHATS),
        distinct_topics=args.distinct_topics,
    )


def send_plans(options: Options) -> list[SendPlan]:
    """The send scenarios asked for, in order."""
    limit = round(options.rate)
    plans = {
        "limited": SendPlan("limited", options.send_subscribers, options.rate, max(1, limit)),
        "unlimited": SendPlan(
            "unlimited", options.send_subscribers, UNLIMITED_RATE, int(UNLIMITED_RATE)
        ),
        "faults": SendPlan("faults", options.send_subscribers, options.rate, max(1, limit), True),
    }
    return [plans[name] for name in options.scenarios if name in plans]


TITLES = {
    "limited": "Sustained rate: PTB Bot + AIORateLimiter -> HTTP -> fake Bot API with flood limits",
    "unlimited": "Capacity: rate limit lifted (TELEGRAM_RATE_LIMIT=1000, fake overall 1000/s)",
    "faults": "Faults: 1 % chats blocked, 1 % sendMessage calls answered 429 (retry after 1)",
}


async def main_async(options: Options) -> None:
    """Run the scenarios and print one table each."""
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as directory:
        store = open_store(options.database_url, Path(directory))
        try:
            backend = store.engine.dialect.name
            print(f"store: {backend}, corpus ingested in {store.ingest_s:.1f} s\n", flush=True)
            if "prepare" in options.scenarios:
                budget = max(60.0, options.subscribers * 0.02)
                result = await prepare(store, options.subscribers, options.seed, budget)
                print("== Preparation: compose every digest; send_due with an instant sender")
                print(preparation_table(result) + "\n", flush=True)
            if "topics" in options.scenarios:
                topics = await topics_scenario(
                    store, options.topic_chats, options.distinct_topics, options.seed
                )
                print("== Followed topics: the tick's searches, compose with topic sections")
                print(topics_table(topics) + "\n", flush=True)
            for plan in send_plans(options):
                sent = await send_scenario(store, plan, options.seed)
                print(f"== {TITLES[plan.name]}")
                print(send_table(sent) + "\n", flush=True)
        finally:
            store.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    quiet()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.ERROR)
    options = parse_args(argv)
    started = time.perf_counter()
    asyncio.run(main_async(options))
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
