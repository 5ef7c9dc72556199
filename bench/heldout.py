"""The held-out relevance set (tests/relevance/heldout/): queries written blind from the source
documents, each target an exact substring of a proposal's text. This module resolves the
substrings to record ids against the ingested corpus, so the set stays readable and survives a
change of record ids.

    .venv/bin/python -m bench.heldout [dev|test] --check

A target substring (white space ignored) names every record whose title, text or cited
paragraphs contain it. A target that names no record (e.g. a remark in a committee's discussion,
which is not a recommendation) cannot be found by any engine: it is dropped, and a positive query
left without targets is left out of the figures; --check lists both.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

import yaml

from bench.common import ROOT, Query
from bot.search import IndexedRecord

HELDOUT = ROOT / "tests" / "relevance" / "heldout"
POSITIVE_KINDS = ("concept", "english")
NEGATIVE_KINDS = ("no_answer", "near_neighbour")
_SPACE = re.compile(r"\s+")


def _squeezed(text: str) -> str:
    return _SPACE.sub("", text)


def resolve(
    entries: Sequence[dict[str, object]], records: Sequence[IndexedRecord]
) -> tuple[list[Query], list[str]]:
    """Queries with record-id targets, and the problems (targets matching no record)."""
    haystacks = [
        (record.id, _squeezed(f"{record.title}{record.text}{record.refs_text}"))
        for record in records
    ]
    queries, problems = [], []
    for entry in entries:
        kind = str(entry["kind"])
        ids: list[str] = []
        for target in entry.get("targets") or ():  # type: ignore[attr-defined]
            needle = _squeezed(str(target))
            found = [record_id for record_id, hay in haystacks if needle in hay]
            if not found:
                problems.append(f"{entry['q']!r}: target {target!r} is in no record")
            ids += [record_id for record_id in found if record_id not in ids]
        queries.append(
            Query(
                q=str(entry["q"]), kind=kind, targets=tuple(ids), note=str(entry.get("note") or "")
            )
        )
    return queries, problems


def load_heldout(split: str, records: Sequence[IndexedRecord]) -> list[Query]:
    """One split ("dev" or "test") resolved against `records`, without the positive queries
    none of whose targets is a record."""
    path = HELDOUT / f"{split}.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    queries, _ = resolve(entries, records)
    return [query for query in queries if query.targets or query.kind in NEGATIVE_KINDS]


def main(argv: Sequence[str] | None = None) -> int:
    from bench.common import load_corpus

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("split", choices=("dev", "test", "test2"))
    parser.add_argument("--check", action="store_true", help="report targets that match no record")
    args = parser.parse_args(argv)
    entries = yaml.safe_load((HELDOUT / f"{args.split}.yaml").read_text(encoding="utf-8"))
    queries, problems = resolve(entries, load_corpus())
    for problem in problems:
        print(problem)
    sizes = [len(query.targets) for query in queries if query.kind in POSITIVE_KINDS]
    print(
        f"{len(queries)} queries, {len(problems)} unresolved targets, "
        f"targets per positive query: max {max(sizes)}, mean {sum(sizes) / len(sizes):.2f}"
    )
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
