"""CPU per search in a running replica's index: the engine alone, beside itself with every word
computed afresh.

    .venv/bin/python -m bench.search_cpu [--rounds 5] [--queries tests/relevance/queries.yaml]

A fresh SQLite store gets the corpus; its index snapshot is saved and loaded back, as a replica
loads it after any restart (jieba's word table from the snapshot). The table of recent answers
is off (every call searches). Each query of the file is searched once per round, in file order,
and its CPU time kept; a query's figure is its smallest over the rounds (the machine's other
load only ever adds). Two ways, alternately, round by round:

- warm: the index's kept term vectors (`bot.search.kept_vectors`) as a running replica has them,
  holding the words earlier questions asked for;
- cold terms: those cleared before each query, so every word of it is computed (a question all
  of whose words are new to the replica).

The table gives the median, p99 and mean per query, and the mean per kind. Numbers, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import DEFAULT_QUERIES, KINDS, fmt, format_table, load_queries, percentile, quiet
from bench.digest import open_store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    options = parser.parse_args()
    quiet()
    from bot.search import engine
    from bot.search.persist import load_index

    queries = load_queries(options.queries)
    with tempfile.TemporaryDirectory(prefix="bench-search-cpu-") as directory:
        store = open_store(None, Path(directory))
        try:
            load_index(store.sessions)  # builds and saves the snapshot
            index = load_index(store.sessions)  # restored from it, as after a restart
        finally:
            store.close()
    assert index.restored
    engine.RECENT.resize(0)

    def warm() -> None:
        return None

    ways: dict[str, Callable[[], None]] = {"warm": warm, "cold terms": index.kept_vectors.clear}
    best: dict[str, list[float]] = {way: [float("inf")] * len(queries) for way in ways}
    for query in queries:  # once unmeasured: jieba's and the model's lookups as in a replica
        engine.search(index, query.q, limit=5)
    for _ in range(options.rounds):
        for way, before in ways.items():
            for number, query in enumerate(queries):
                before()
                started = time.process_time()
                engine.search(index, query.q, limit=5)
                spent = (time.process_time() - started) * 1e6
                best[way][number] = min(best[way][number], spent)
    kinds = [kind for kind in KINDS if any(query.kind == kind for query in queries)]
    rows = []
    for way, spent in best.items():
        by_kind = [
            fmt(statistics.mean(s), 0)
            if (s := [t for t, q in zip(spent, queries, strict=True) if q.kind == kind])
            else "-"
            for kind in kinds
        ]
        rows.append(
            [
                way,
                fmt(statistics.median(spent), 0),
                fmt(percentile(spent, 0.99), 0),
                fmt(statistics.mean(spent), 0),
                *by_kind,
            ]
        )
    print(f"search() CPU per query, {len(queries)} queries, best of {options.rounds} rounds")
    print(format_table(["way", "median µs", "p99 µs", "mean µs", *kinds], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
