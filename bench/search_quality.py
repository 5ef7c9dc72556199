"""Search quality, our engine against simple peers, on the relevance queries.

    .venv/bin/python -m bench.search_quality [--queries FILE | --heldout dev|test|test2]
        [--kinds exact,typo] [--systems ours,fts5] [--json ranks.json] [--show-misses 20]

--heldout reads the held-out set (tests/relevance/heldout/, written blind from the documents):
tune on dev, report test (and test2, a second blind set).

Every system indexes the same records (the real corpus) and answers every query (top 10). Per
query kind and overall it prints Recall@1, Recall@5 (a hit = any acceptable target in the top k)
and MRR@10 (reciprocal rank of the best-ranked target) over the answers; Recall@5 over answers +
closest counts a target among the closest proposals our engine shows when it finds no answer
("nobody proposed exactly this"). For negative queries, the rejection rate: the share with no
answers (closest proposals do not count as answers). A table of numbers, not a test: it never fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    DEFAULT_QUERIES,
    KINDS,
    NEGATIVE_KINDS,
    Query,
    fmt,
    format_table,
    load_corpus,
    load_queries,
    parse_kinds,
    quiet,
)
from bench.heldout import load_heldout
from bench.peers import System, make_systems, safe_answer, safe_build, warm_up
from bot.search import IndexedRecord

TOP = 10


@dataclass(frozen=True)
class Outcome:
    """One system's answer to one query."""

    query: Query
    ids: tuple[str, ...]  # answers, top 10, best first
    rank: int | None  # 1-based rank of the best-ranked target in the top 10, else None
    error: str | None = None  # the system raised (the outcome then counts as "no results")
    closest: tuple[str, ...] = ()  # shown instead when there is no answer (ours only)

    def hit(self, k: int) -> bool:
        """Some target is in the top k answers."""
        return self.rank is not None and self.rank <= k

    def hit_shown(self, k: int) -> bool:
        """Some target is in the top k of what the member sees: answers, else the closest."""
        return self.hit(k) or rank_of(self.closest[:k], self.query.targets) is not None


@dataclass
class Run:
    """A system's build time and its outcomes, in query order."""

    system: System
    build_s: float
    outcomes: list[Outcome]
    build_error: str | None = None

    @property
    def errors(self) -> list[str]:
        """The errors raised, build first, then per query."""
        found = [f"build: {self.build_error}"] if self.build_error else []
        return found + [
            f"{o.query.q!r}: {o.error}" for o in self.outcomes if o.error and not self.build_error
        ]


def rank_of(ids: Sequence[str], targets: Sequence[str]) -> int | None:
    """1-based position of the first id that is a target (ids compared case-insensitively)."""
    wanted = {target.lower() for target in targets}
    for position, record_id in enumerate(ids, start=1):
        if record_id.lower() in wanted:
            return position
    return None


def run_system(system: System, records: Sequence[IndexedRecord], queries: Sequence[Query]) -> Run:
    """Build the system on the records and answer every query (errors count as no results)."""
    started = time.perf_counter()
    build_error = safe_build(system, records)
    build_s = time.perf_counter() - started
    outcomes = []
    for query in queries:
        if build_error:
            outcomes.append(Outcome(query, (), None, "not built"))
            continue
        found, closest, error = safe_answer(system, query.q, TOP)
        ids = tuple(found[:TOP])
        outcomes.append(Outcome(query, ids, rank_of(ids, query.targets), error, tuple(closest)))
    system.close()
    return Run(system, build_s, outcomes, build_error)


def ordered_kinds(queries: Sequence[Query]) -> list[str]:
    """The kinds present, in the canonical order, unknown kinds last."""
    present = {query.kind for query in queries}
    return [kind for kind in KINDS if kind in present] + sorted(present - set(KINDS))


def recall(outcomes: Sequence[Outcome], k: int) -> float | None:
    """Share of outcomes with a target in the top k (None for no outcomes)."""
    return sum(o.hit(k) for o in outcomes) / len(outcomes) if outcomes else None


def recall_shown(outcomes: Sequence[Outcome], k: int) -> float | None:
    """Share of outcomes with a target in the top k answers, or among the closest proposals
    shown when there is no answer."""
    return sum(o.hit_shown(k) for o in outcomes) / len(outcomes) if outcomes else None


def mrr(outcomes: Sequence[Outcome]) -> float | None:
    """Mean reciprocal rank of the best target within the top 10 (0 when absent)."""
    if not outcomes:
        return None
    return sum(1 / o.rank for o in outcomes if o.rank is not None) / len(outcomes)


def rejection(outcomes: Sequence[Outcome]) -> float | None:
    """Share of outcomes with no answers (closest proposals, shown apart, do not count)."""
    return sum(not o.ids for o in outcomes) / len(outcomes) if outcomes else None


def metric_table(runs: Sequence[Run], kinds: Sequence[str], metric: str) -> str:
    """Rows: positive kinds and overall; columns: query count, then one column per system."""
    scorers = {
        "Recall@1": lambda outcomes: recall(outcomes, 1),
        "Recall@5": lambda outcomes: recall(outcomes, 5),
        "Recall@5 answers + closest": lambda outcomes: recall_shown(outcomes, 5),
        "MRR@10": mrr,
    }
    score = scorers[metric]
    rows = []
    for kind in [*[k for k in kinds if k not in NEGATIVE_KINDS], "overall"]:
        per_system = [
            [o for o in run.outcomes if not o.query.negative and kind in ("overall", o.query.kind)]
            for run in runs
        ]
        rows.append([kind, len(per_system[0]), *(fmt(score(chosen)) for chosen in per_system)])
    return format_table(["kind", "n", *(run.system.name for run in runs)], rows)


def rejection_table(runs: Sequence[Run]) -> str:
    """Negative queries: share rejected (no answers) per negative kind and in all, and mean
    answers returned."""
    negatives = [[o for o in run.outcomes if o.query.negative] for run in runs]
    kinds = sorted({o.query.kind for o in negatives[0]})
    rows = [
        [
            f"rejected: {kind}",
            sum(o.query.kind == kind for o in negatives[0]),
            *(fmt(rejection([o for o in chosen if o.query.kind == kind])) for chosen in negatives),
        ]
        for kind in kinds
    ]
    rows += [
        ["rejected", len(negatives[0]), *(fmt(rejection(chosen)) for chosen in negatives)],
        [
            "mean results",
            len(negatives[0]),
            *(
                fmt(sum(len(o.ids) for o in chosen) / len(chosen) if chosen else None, 1)
                for chosen in negatives
            ),
        ],
    ]
    return format_table(["negative", "n", *(run.system.name for run in runs)], rows)


def systems_table(runs: Sequence[Run]) -> str:
    """Per system: what it is, how many queries it ran, errors, build time, notes."""
    rows = [
        [
            run.system.name,
            len(run.outcomes),
            sum(o.error is not None for o in run.outcomes),
            fmt(run.build_s, 3),
            run.system.description,
            "; ".join(filter(None, [run.system.note, *run.errors[:1]])),
        ]
        for run in runs
    ]
    return format_table(["system", "queries", "errors", "build_s", "what", "note"], rows)


def misses_table(run: Run, count: int) -> str:
    """Our engine's worst answers: positives without a top-1 target (absent first), and negatives
    that returned something."""
    missed = [o for o in run.outcomes if (o.query.negative and o.ids) or not o.hit(1)]
    positives = [o for o in missed if not o.query.negative]
    positives.sort(key=lambda o: -(o.rank or TOP + 1))
    negatives = [o for o in missed if o.query.negative]
    chosen = (positives + negatives)[:count]
    rows = [
        [
            o.query.kind,
            o.query.q,
            "-" if o.rank is None else o.rank,
            ",".join(o.query.targets) or "(none)",
            ",".join(o.ids[:3]) or "(no results)",
        ]
        for o in chosen
    ]
    title = f"{run.system.name} misses: {len(chosen)} of {len(missed)} shown"
    return title + "\n" + format_table(["kind", "query", "rank", "targets", "top 3"], rows)


def dump_json(path: Path, runs: Sequence[Run], queries: Sequence[Query]) -> None:
    """Per query and system: the rank of the best target and the ids returned."""
    data = {
        "systems": {
            run.system.name: {
                "build_s": run.build_s,
                "note": run.system.note,
                "errors": run.errors,
            }
            for run in runs
        },
        "queries": [
            {
                "q": query.q,
                "kind": query.kind,
                "targets": list(query.targets),
                "note": query.note,
                "results": {
                    run.system.name: {
                        "rank": run.outcomes[i].rank,
                        "ids": list(run.outcomes[i].ids),
                        "closest": list(run.outcomes[i].closest),
                        "error": run.outcomes[i].error,
                    }
                    for run in runs
                },
            }
            for i, query in enumerate(queries)
        ],
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="YAML query file")
    parser.add_argument(
        "--heldout", choices=("dev", "test", "test2"), help="the held-out set's split"
    )
    parser.add_argument("--kinds", help="only these kinds, comma-separated")
    parser.add_argument("--systems", help="only these systems: ours,like,fuzz,fts5,whoosh")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write per-query ranks here")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N", help="list N misses")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every system on every query and print the tables."""
    quiet()
    args = parse_args(argv)
    if not args.heldout and not args.queries.is_file():
        print(f"no query file at {args.queries}; pass --queries FILE", file=sys.stderr)
        return 2
    records = load_corpus()
    if args.heldout:
        kinds_wanted = parse_kinds(args.kinds)
        queries = [
            query
            for query in load_heldout(args.heldout, records)
            if kinds_wanted is None or query.kind in kinds_wanted
        ]
        source = f"the held-out {args.heldout} split"
    else:
        queries = load_queries(args.queries, parse_kinds(args.kinds))
        source = str(args.queries)
    if not queries:
        print("no queries selected", file=sys.stderr)
        return 2
    systems = make_systems(args.systems)
    warm_up(systems, records)
    runs = [run_system(system, records, queries) for system in systems]
    kinds = ordered_kinds(queries)
    positives = sum(not query.negative for query in queries)
    print(
        f"corpus: {len(records)} records; queries: {len(queries)} ({positives} positive, "
        f"{len(queries) - positives} negative) from {source}\n"
    )
    print(systems_table(runs) + "\n")
    for metric in ("Recall@1", "Recall@5", "Recall@5 answers + closest", "MRR@10"):
        print(f"{metric} (positive queries)\n{metric_table(runs, kinds, metric)}\n")
    if positives < len(queries):
        print("Negatives: share with no answers\n" + rejection_table(runs) + "\n")
    if args.show_misses:
        ours = next((run for run in runs if run.system.name == "ours"), None)
        if ours is not None:
            print(misses_table(ours, args.show_misses) + "\n")
    if args.json:
        dump_json(args.json, runs, queries)
        print(f"per-query ranks written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
