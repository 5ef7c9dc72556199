"""How long /stats' answer-feedback tables take (bot.admin.feedback_insight.collect_feedback) on
a store holding N anonymous votes, N opened answers and N/4 no-result queries, drawn from the
relevance queries (real wording, typos, English, negatives that name things the corpus lacks).

    .venv/bin/python -m bench.feedback_stats                 # N = 1 000, 10 000, 50 000
    .venv/bin/python -m bench.feedback_stats --sizes 2000 --runs 3

SQLite in a temporary directory; the index is built once from the real corpus (no vectors)."""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from bench.common import DEFAULT_QUERIES, format_table, load_corpus, load_queries, percentile, quiet
from bot.admin.feedback_insight import collect_feedback
from bot.search import SearchIndex
from bot.search.normalize import fold_query
from bot.store.db import make_engine, make_sessions, migrate
from bot.store.feedback import change_vote, log_open
from bot.store.models import VoteKind, utcnow
from bot.store.query_log import log_query


def _seed(directory: Path, size: int, texts: list[str], ids: list[str]) -> str:
    url = f"sqlite:///{directory / f'feedback-{size}.db'}"
    engine = make_engine(url)
    migrate(engine)
    rng = random.Random(size)
    now = utcnow()
    with make_sessions(engine).begin() as session:
        for _ in range(size):
            query = fold_query(rng.choice(texts))
            at = now - timedelta(minutes=rng.randrange(30 * 24 * 60))
            record = rng.choice(ids)
            log_open(session, query, record, retention_days=90, now=at)
            vote: VoteKind = "down" if rng.random() < 0.4 else "up"
            change_vote(
                session,
                query,
                record,
                old=None,
                old_at=None,
                new=vote,
                retention_days=90,
                now=at,
            )
        for _ in range(size // 4):
            at = now - timedelta(minutes=rng.randrange(30 * 24 * 60))
            log_query(session, rng.choice(texts), "private", 0, retention_days=90, at=at)
    engine.dispose()
    return url


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feedback_stats", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,50000", help="votes (= opens) per store")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    quiet()
    records = load_corpus()
    index = SearchIndex.build(records)
    texts = [query.q for query in load_queries(DEFAULT_QUERIES)]
    ids = [record.id for record in records]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(value) for value in args.sizes.split(",")):
            engine = make_engine(_seed(Path(folder), size, texts, ids))
            sessions = make_sessions(engine)
            since = utcnow() - timedelta(days=31)
            timings = []
            for _ in range(args.runs):
                with sessions() as session:
                    started = time.perf_counter()
                    found = collect_feedback(session, since, index)
                    timings.append((time.perf_counter() - started) * 1000)
            engine.dispose()
            rows.append(
                [
                    size,
                    len(texts),
                    args.runs,
                    f"{statistics.median(timings):.0f}",
                    f"{percentile(timings, 0.99):.0f}",
                    len(found.aliases),
                ]
            )
    headers = ["votes = opens", "distinct texts", "runs", "median ms", "p99 ms", "suggestions"]
    print(format_table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
