"""Flood protection: what a check costs, and whether a bystander stays answered while others spam.

    .venv/bin/python -m bench.flood [--spammers 0,1,5] [--spam 60] [--probes 20] [--quick]

Two tables:

- guard: `bot.core.flood.FloodGuard.check` alone (no Telegram), over 1 thousand, 100 thousand and 1
  million distinct senders picked at random, a third of the checks also drawing on a group bucket;
  microseconds per check (timed per batch of 1000), buckets kept (capped at 100,000) and the
  resident memory added.
- bystander: the real Application (handlers.app.build_application) polling the fake Bot API over
  HTTP on loopback, on an SQLite store holding the real corpus. `--spammers` users each push
  `--spam` searches as fast as possible while a bystander sends `--probes` searches, one every
  0.2 s (fewer than the burst, so the bystander is never limited itself); the bystander's latency
  (push → answer received by the fake) with flood protection at its defaults, and off (a burst of
  1000). Also: spam answered and slow-down messages sent.

Numbers, not a test: it never fails on slowness.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import fmt, format_table, percentile, release_memory, rss_mb
from bot.core.flood import FloodGuard, FloodLimits

BATCH = 1000
SPAMMER_BASE, BYSTANDER, SETTLE = 700_000, 699_999, 699_998
QUERY, PROBE = "中試", "撤銷烈酒稅"


@dataclass(frozen=True)
class GuardRow:
    """One line of the guard table."""

    senders: int
    checks: int
    median_us: float
    p99_us: float
    buckets: int
    rss_mb: float


def bench_guard(senders: int, checks: int, seed: int = 0) -> GuardRow:
    """Time `checks` checks over `senders` random senders (a third also in one of 1000 groups)."""
    release_memory()
    before = rss_mb()
    rng = random.Random(seed)
    guard = FloodGuard(FloodLimits(rate_per_minute=30, burst=15, cooldown=60))
    per_check: list[float] = []
    clock = 0.0
    for _ in range(checks // BATCH):
        keys = [
            [("user", rng.randrange(senders))]
            + ([("chat", -rng.randrange(1000))] if rng.random() < 1 / 3 else [])
            for _ in range(BATCH)
        ]
        started = time.perf_counter()
        for sender_keys in keys:
            guard.check(sender_keys, clock)
            clock += 0.001
        per_check.append((time.perf_counter() - started) / BATCH * 1e6)
    return GuardRow(
        senders,
        checks,
        percentile(per_check, 0.5),
        percentile(per_check, 0.99),
        len(guard),
        rss_mb() - before,
    )


def guard_table(rows: Sequence[GuardRow]) -> str:
    """The guard table."""
    return format_table(
        ["senders", "checks", "median µs/check", "p99 µs/check", "buckets kept", "RSS +MiB"],
        [
            (
                f"{r.senders:,}",
                f"{r.checks:,}",
                fmt(r.median_us),
                fmt(r.p99_us),
                f"{r.buckets:,}",
                fmt(r.rss_mb, 1),
            )
            for r in rows
        ],
    )


@dataclass(frozen=True)
class BystanderRow:
    """One line of the bystander table."""

    spammers: int
    protection: str
    median_ms: float
    p99_ms: float
    max_ms: float
    spam_answered: int
    spam_sent: int
    slow_downs: int


async def bench_bystander(
    directory: Path, spammers: int, spam: int, probes: int, protected: bool
) -> BystanderRow:
    """Run one spam scenario against a freshly started bot."""
    from bot.core.config import load_settings
    from bot.ingest.pipeline import ingest
    from bot.store.db import make_engine, make_sessions, migrate
    from bot.ui.i18n import t
    from handlers.app import ALLOWED_UPDATES, build_application
    from tests.fake_bot_api import FakeBotAPI

    engine = make_engine(f"sqlite:///{directory / f'flood-{spammers}-{protected}.db'}")
    migrate(engine)
    sessions = make_sessions(engine)
    ingest(sessions)
    api = FakeBotAPI()
    await api.start()
    environ = {"BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url}
    if not protected:
        environ |= {"FLOOD_BURST": "1000", "FLOOD_RATE_PER_MINUTE": "6000"}
    app = build_application(load_settings(environ), sessions)
    await app.initialize()
    assert app.post_init is not None and app.updater is not None
    await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    try:
        latencies = await _probe_while_spammed(api, spammers, spam, probes)
        settle = len(api.sent_messages(SETTLE))
        api.push_update(api.build.private_message("/help", SETTLE))
        await api.wait_for_messages(SETTLE, settle + 1, timeout=600)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await api.stop()
        engine.dispose()
    slow = t("zh-Hant-HK", "flood.slow_down")
    spam_messages = [
        m for s in range(spammers) for m in api.sent_messages(SPAMMER_BASE + s) if m.text
    ]
    slow_downs = sum(1 for m in spam_messages if m.text == slow)
    return BystanderRow(
        spammers,
        "on (defaults)" if protected else "off",
        percentile(latencies, 0.5) * 1000,
        percentile(latencies, 0.99) * 1000,
        max(latencies) * 1000,
        len(spam_messages) - slow_downs,
        spammers * spam,
        slow_downs,
    )


async def _probe_while_spammed(api: object, spammers: int, spam: int, probes: int) -> list[float]:
    from tests.fake_bot_api import FakeBotAPI

    assert isinstance(api, FakeBotAPI)

    async def spam_from(user: int) -> None:
        for _ in range(spam):
            api.push_update(api.build.private_message(QUERY, user))
            await asyncio.sleep(0)

    spamming = [asyncio.create_task(spam_from(SPAMMER_BASE + s)) for s in range(spammers)]
    latencies = []
    for _ in range(probes):
        before = len(api.sent_messages(BYSTANDER))
        started = time.perf_counter()
        api.push_update(api.build.private_message(PROBE, BYSTANDER))
        await api.wait_for_messages(BYSTANDER, before + 1, timeout=600)
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.2)
    await asyncio.gather(*spamming)
    return latencies


def bystander_table(rows: Sequence[BystanderRow]) -> str:
    """The bystander table."""
    return format_table(
        [
            "spammers",
            "protection",
            "bystander median ms",
            "p99 ms",
            "max ms",
            "spam answered",
            "of",
            "slow-downs",
        ],
        [
            (
                r.spammers,
                r.protection,
                fmt(r.median_ms, 0),
                fmt(r.p99_ms, 0),
                fmt(r.max_ms, 0),
                r.spam_answered,
                r.spam_sent,
                r.slow_downs,
            )
            for r in rows
        ],
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.flood", description=__doc__)
    parser.add_argument("--spammers", default="0,1,5", help="comma-separated spammer counts")
    parser.add_argument("--spam", type=int, default=60, help="searches each spammer sends")
    parser.add_argument(
        "--probes", type=int, default=12, help="bystander searches (keep below FLOOD_BURST)"
    )
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    return parser.parse_args(argv)


async def main_async(args: argparse.Namespace) -> None:
    """Both tables."""
    checks = 20_000 if args.quick else 200_000
    rows = [bench_guard(senders, checks) for senders in (1_000, 100_000, 1_000_000)]
    print("guard: FloodGuard.check\n" + guard_table(rows) + "\n", flush=True)
    spammers = [int(part) for part in args.spammers.split(",") if part.strip()]
    probes = 5 if args.quick else args.probes
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for count in spammers:
            for protected in (True, False):
                if count == 0 and not protected:
                    continue
                results.append(
                    await bench_bystander(Path(directory), count, args.spam, probes, protected)
                )
    print("bystander: one member's searches while others spam\n" + bystander_table(results))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main_async(parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
