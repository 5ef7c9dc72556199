"""Search speed and memory, our engine against simple peers, at the real corpus size and larger.

    .venv/bin/python -m bench.search_speed [--scale 1,100] [--repeat 3] [--budget 45]
        [--queries FILE] [--systems ours,fts5] [--no-start] [--embed-copies]

For each scale (1 = the real corpus; N = the real records plus N-1 varied synthetic copies, see
bench.common.synthesize) and each system: index build time, resident memory growth over the build
(VmRSS), per-query latency p50/p99 over the relevance queries, each run `--repeat` times in a
shuffled order, and the process's CPU time per query (`cpu_ms`, every thread, mean: the figure to
compare on a shared machine, where latencies swing with the neighbours). A system that would need
more than `--budget` seconds for its queries is timed on a random sample of the runs, and the
table says so.

Then, per scale, a replica's start-up from a SQLite store holding that corpus (bench.index_start):
cold (no snapshot: the index is built and its snapshot saved) and warm (the snapshot is loaded),
each with its time, resident memory growth and the snapshot's size, and query latency on the
warm index. Synthetic copies carry their original's vector unless --embed-copies (which embeds
them: about an hour at 100x). Numbers, not a test: it never fails.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import peers
from bench.common import (
    DEFAULT_QUERIES,
    Query,
    corpus_stats,
    fmt,
    format_table,
    load_corpus,
    load_queries,
    percentile,
    quiet,
    release_memory,
    rss_mb,
    synthesize,
)
from bench.index_start import StartMeasurement, base_store, measure_start, scaled_store
from bench.peers import System, make_systems, safe_build, safe_search, warm_up
from bot.search import IndexedRecord

TOP = 10


@dataclass(frozen=True)
class Measurement:
    """One system at one scale."""

    scale: int
    system: str
    records: int
    build_s: float
    rss_mb: float
    latencies_ms: tuple[float, ...]
    planned_runs: int
    errors: tuple[str, ...] = ()  # runs that raised (not timed)
    note: str = ""
    cpu_ms: float | None = None  # process CPU time per run (every thread), mean

    @property
    def attempted(self) -> int:
        """Runs made before the time budget ran out (timed or failed)."""
        return len(self.latencies_ms) + len(self.errors)

    @property
    def notes(self) -> str:
        """Sampling, errors and the system's own note, for the table."""
        notes = [self.note] if self.note else []
        if 0 < self.attempted < self.planned_runs:
            notes.append(f"sampled {self.attempted}/{self.planned_runs} runs (time budget)")
        if self.errors:
            notes.append(f"{len(self.errors)} runs raised, e.g. {self.errors[0]}")
        return "; ".join(notes)


def run_order(queries: Sequence[Query], repeat: int, seed: int) -> list[str]:
    """Every query `repeat` times, in one shuffled order shared by all systems (so that a time
    budget that stops early leaves a random sample, not the first kinds of the file)."""
    runs = [query.q for query in queries for _ in range(max(1, repeat))]
    random.Random(seed).shuffle(runs)
    return runs


def time_queries(
    system: System, runs: Sequence[str], budget_s: float
) -> tuple[list[float], list[str], float | None]:
    """Latency of each run in ms, stopping once `budget_s` seconds have been spent; the errors
    raised (a failed run is not timed); and the process CPU time per run in ms, mean (None
    without runs)."""
    latencies: list[float] = []
    errors: list[str] = []
    spent = 0.0
    cpu_started = time.process_time()
    for query in runs:
        started = time.perf_counter()
        _, error = safe_search(system, query, TOP)
        elapsed = time.perf_counter() - started
        spent += elapsed
        if error:
            errors.append(error)
        else:
            latencies.append(elapsed * 1000)
        if spent > budget_s:
            break
    attempted = len(latencies) + len(errors)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / attempted if attempted else None
    return latencies, errors, cpu_ms


def measure(
    system: System, scale: int, records: Sequence[IndexedRecord], runs: Sequence[str], budget: float
) -> Measurement:
    """Build (timed, with RSS before and after), time the queries, then free the index."""
    release_memory()
    before = rss_mb()
    started = time.perf_counter()
    build_error = safe_build(system, records)
    build_s = time.perf_counter() - started
    release_memory()
    grown = rss_mb() - before
    size = len(records)
    if build_error:
        note = f"build failed: {build_error}"
        return Measurement(scale, system.name, size, build_s, grown, (), len(runs), note=note)
    latencies, errors, cpu_ms = time_queries(system, runs, budget)
    note = system.note
    system.close()
    release_memory()
    return Measurement(
        scale,
        system.name,
        size,
        build_s,
        grown,
        tuple(latencies),
        len(runs),
        tuple(errors),
        note,
        cpu_ms,
    )


def measurement_row(m: Measurement) -> list[object]:
    """A table row for one measurement."""
    mean = sum(m.latencies_ms) / len(m.latencies_ms) if m.latencies_ms else None
    return [
        f"{m.scale}x",
        m.system,
        m.records,
        fmt(m.build_s, 2),
        fmt(m.rss_mb, 1),
        fmt(percentile(m.latencies_ms, 0.5), 2),
        fmt(percentile(m.latencies_ms, 0.99), 2),
        fmt(mean, 2),
        fmt(m.cpu_ms, 2),
        len(m.latencies_ms),
        m.notes,
    ]


def results_table(measurements: Sequence[Measurement]) -> str:
    """All measurements, grouped by scale."""
    headers = [
        "scale",
        "system",
        "records",
        "build_s",
        "rss_mb",
        "p50_ms",
        "p99_ms",
        "mean_ms",
        "cpu_ms",
        "runs",
        "note",
    ]
    return format_table(headers, [measurement_row(m) for m in measurements])


def start_table(measurements: Sequence[StartMeasurement]) -> str:
    """Cold and warm start-up per scale."""
    headers = ["scale", "start", "records", "ready_s", "rss_mb", "snapshot_mb", "p50_ms", "p99_ms"]
    rows = [
        [
            f"{m.scale}x",
            m.path,
            m.records,
            fmt(m.seconds, 2),
            fmt(m.rss_mb, 1),
            fmt(m.snapshot_mb, 1),
            fmt(percentile(m.latencies_ms, 0.5), 2),
            fmt(percentile(m.latencies_ms, 0.99), 2),
        ]
        for m in measurements
    ]
    return format_table(headers, rows)


def parse_scales(value: str) -> list[int]:
    """`1,100` → [1, 100]."""
    scales = [int(part) for part in value.split(",") if part.strip()]
    if not scales or min(scales) < 1:
        raise argparse.ArgumentTypeError("scales are positive integers, e.g. 1,100")
    return scales


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=parse_scales, default=[1, 100], help="e.g. 1,10 or 1,100")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query (default 3)")
    parser.add_argument(
        "--budget", type=float, default=45.0, help="seconds of query time per system and scale"
    )
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="YAML query file")
    parser.add_argument("--systems", help="only these systems: ours,like,fuzz,fts5,whoosh")
    parser.add_argument("--seed", type=int, default=0, help="synthetic corpus and run order")
    parser.add_argument(
        "--no-start", action="store_true", help="skip the cold/warm start-up measurement"
    )
    parser.add_argument(
        "--embed-copies", action="store_true", help="embed synthetic copies (slow) for real"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every system at every scale and print one table."""
    quiet()
    args = parse_args(argv)
    if not args.queries.is_file():
        print(f"no query file at {args.queries}; pass --queries FILE", file=sys.stderr)
        return 2
    queries = load_queries(args.queries)
    runs = run_order(queries, args.repeat, args.seed)
    peers.EMBED_COPIES = args.embed_copies
    base = load_corpus()
    systems = make_systems(args.systems)
    jieba_mb = warm_up(systems, base)
    measurements: list[Measurement] = []
    starts: list[StartMeasurement] = []
    with tempfile.TemporaryDirectory(prefix="bench-start-") as temporary:
        directory = Path(temporary)
        stored = None if args.no_start else base_store(directory)
        for scale in args.scale:
            started = time.perf_counter()
            records = base if scale == 1 else synthesize(base, scale, args.seed)
            made = time.perf_counter() - started
            print(f"{scale}x: {corpus_stats(records)} (made in {made:.1f}s)", flush=True)
            for system in systems:
                measurement = measure(system, scale, records, runs, args.budget)
                measurements.append(measurement)
                print("  " + " ".join(str(c) for c in measurement_row(measurement)), flush=True)
            if stored is not None:
                engine = scaled_store(stored, records, directory / f"scale{scale}.db")
                del records
                for start in measure_start(scale, engine, runs, args.budget):
                    starts.append(start)
                    print(f"  start {start.path}: {start.seconds:.2f}s, +{start.rss_mb:.0f} MiB")
                engine.dispose()
            else:
                del records
    print(
        f"\n{len(queries)} queries x {args.repeat} runs = {len(runs)} timed runs per system and "
        f"scale (budget {args.budget:g}s); rss_mb = VmRSS growth over the build; jieba's "
        f"global dictionary (used by whoosh, loaded before measuring) took {jieba_mb:.0f} MiB\n"
    )
    print(results_table(measurements))
    if starts:
        print(
            "\nStart-up of a replica from a store holding the corpus (bot.search.persist."
            "load_index): ready_s = records and vectors read, index built and saved (cold) or "
            "loaded (warm), model warmed; rss_mb = VmRSS growth over it (jieba's dictionary, "
            "loaded before, not counted); p50/p99 over the runs on the warm index\n"
        )
        print(start_table(starts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
