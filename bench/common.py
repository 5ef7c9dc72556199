"""Shared by the benchmarks: the real corpus, the relevance queries, a synthetic larger corpus,
resident memory, percentiles and plain-text tables."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import math
import random
import re
import tempfile
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from bot.search import IndexedRecord

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUERIES = ROOT / "tests" / "relevance" / "queries.yaml"
KINDS = (
    "exact",
    "alias",
    "simplified",
    "typo",
    "english",
    "question",
    "concept",
    "number",
    "org_topic",
    "negative",
    "no_answer",
    "near_neighbour",
)
NEGATIVE = "negative"
# kinds that nothing in the corpus answers: the held-out set's no_answer and near_neighbour
NEGATIVE_KINDS = (NEGATIVE, "no_answer", "near_neighbour")


def quiet() -> None:
    """Silence import-time noise from jieba and Whoosh (invalid escapes, pkg_resources)."""
    for category in (SyntaxWarning, DeprecationWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category)


@dataclass(frozen=True)
class Query:
    """One relevance judgement: a query and the record ids that answer it (none for negatives)."""

    q: str
    kind: str
    targets: tuple[str, ...]
    note: str = ""

    @property
    def negative(self) -> bool:
        """True when nothing in the corpus should be returned."""
        return self.kind in NEGATIVE_KINDS


def load_queries(path: Path, kinds: Iterable[str] | None = None) -> list[Query]:
    """Read a YAML list of {q, kind, targets, note?}, optionally keeping only some kinds."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a YAML list of queries")
    wanted = set(kinds) if kinds else None
    queries = []
    for item in data:
        query = Query(
            q=str(item["q"]),
            kind=str(item.get("kind", "unknown")),
            targets=tuple(str(target).strip().lower() for target in item.get("targets") or ()),
            note=str(item.get("note") or ""),
        )
        if wanted is None or query.kind in wanted:
            queries.append(query)
    return queries


def parse_kinds(value: str | None) -> list[str] | None:
    """`--kinds exact,typo` → ["exact", "typo"] (None keeps every kind)."""
    if not value:
        return None
    return [kind.strip() for kind in value.split(",") if kind.strip()]


def load_corpus() -> list[IndexedRecord]:
    """Ingest data/ into a throw-away SQLite store and return every active record."""
    from bot.ingest.pipeline import ingest
    from bot.store.corpus import list_recommendations
    from bot.store.db import make_engine, make_sessions, migrate

    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'corpus.db'}")
        try:
            migrate(engine)
            sessions = make_sessions(engine)
            ingest(sessions)
            with sessions() as session:
                return [IndexedRecord.from_row(row) for row in list_recommendations(session)]
        finally:
            engine.dispose()


# --- synthetic corpus ------------------------------------------------------------------------

_PIECE = re.compile(r"[^。；！？\n]+[。；！？]?")
_NUMBER = re.compile(r"\d+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_QUOTED = re.compile(r"「([^「」]{2,16})」")
REPLACED_SHARE = 0.5  # share of a copy's sentences taken from other records of the same area
NAME_SUFFIXES = ("計劃", "基金", "中心", "平台", "試點", "條例")


def _pieces(text: str) -> list[str]:
    return [piece.strip() for piece in _PIECE.findall(text) if piece.strip()]


def _perturb_numbers(text: str, rng: random.Random) -> str:
    def swap(match: re.Match[str]) -> str:
        digits = len(match.group())
        if digits == 1:
            return str(rng.randint(1, 9))
        return str(rng.randint(10 ** (digits - 1), 10**digits - 1))

    return _NUMBER.sub(swap, text)


@dataclass
class _Pools:
    """Sentences and titles per primary area, and the corpus's distinct Chinese characters."""

    pieces: dict[str, list[str]]
    titles: dict[str, list[str]]
    chars: list[str]


def _pools(records: Sequence[IndexedRecord]) -> _Pools:
    pieces: dict[str, list[str]] = defaultdict(list)
    titles: dict[str, list[str]] = defaultdict(list)
    chars: set[str] = set()
    for record in records:
        area = record.areas[0] if record.areas else ""
        pieces[area].extend(_pieces(record.text))
        titles[area].append(record.title)
        chars.update(_CJK.findall(record.title + record.text))
    return _Pools(pieces, titles, sorted(chars))


def _pseudo_word(pools: _Pools, rng: random.Random) -> str:
    """A new 2-4 character "name" (of a scheme, place, body) from the corpus's characters."""
    return "".join(rng.choice(pools.chars) for _ in range(rng.randint(2, 4)))


def _variant(record: IndexedRecord, copy: int, pools: _Pools, rng: random.Random) -> IndexedRecord:
    area = record.areas[0] if record.areas else ""
    own = _pieces(record.text) or [record.text]
    pool = pools.pieces[area] or own
    mixed = [rng.choice(pool) if rng.random() < REPLACED_SHARE else piece for piece in own]
    rng.shuffle(mixed)
    for _ in range(rng.randint(1, 3)):
        name = f"推行「{_pseudo_word(pools, rng)}」{rng.choice(NAME_SUFFIXES)}。"
        mixed.insert(rng.randrange(len(mixed) + 1), name)
    separator = "\n" if "\n" in record.text else ""
    title = record.title if rng.random() < 0.5 else rng.choice(pools.titles[area])
    return replace(
        record,
        id=f"{record.id}~{copy}",
        label=f"{record.label}~{copy}",
        title=_perturb_numbers(title, rng),
        text=_perturb_numbers(separator.join(mixed), rng),
    )


def synthesize(records: Sequence[IndexedRecord], scale: int, seed: int = 0) -> list[IndexedRecord]:
    """The real records plus `scale - 1` varied copies of each, with fresh ids.

    Each copy keeps the record's metadata but mixes its sentences with other sentences of the same
    policy area (half replaced, then shuffled), perturbs every number, may borrow a title from the
    same area, and adds one to three new quoted names, so that postings lengthen and vocabularies
    grow (new bigrams across sentence joins, new numbers, new names) instead of merely repeating.
    The names are quoted 「…」 like the corpus's own scheme names, so engines that learn quoted
    terms (ours does) see their vocabulary grow as it would with real new documents."""
    rng = random.Random(seed)
    pools = _pools(records)
    synthetic = list(records)
    for copy in range(1, max(1, scale)):
        synthetic.extend(_variant(record, copy, pools, rng) for record in records)
    return synthetic


@dataclass(frozen=True)
class CorpusStats:
    """Size and vocabulary of a corpus (to show that the synthetic one really grows)."""

    records: int
    characters: int  # title + text
    bigrams: int  # distinct Chinese character bigrams
    numbers: int  # distinct digit runs
    quoted: int  # distinct 「…」 names

    def __str__(self) -> str:
        return (
            f"{self.records} records, {self.characters / 1e6:.1f}M characters, distinct: "
            f"{self.bigrams} Chinese bigrams, {self.numbers} numbers, {self.quoted} quoted names"
        )


def corpus_stats(records: Sequence[IndexedRecord]) -> CorpusStats:
    """Count the corpus's size and distinct bigrams, numbers and quoted names."""
    characters = 0
    bigrams: set[str] = set()
    numbers: set[str] = set()
    quoted: set[str] = set()
    for record in records:
        body = record.title + "\n" + record.text
        characters += len(body)
        for run in _CJK_RUN.findall(body):
            bigrams.update(run[i : i + 2] for i in range(len(run) - 1))
        numbers.update(_NUMBER.findall(body))
        quoted.update(_QUOTED.findall(body))
    return CorpusStats(len(records), characters, len(bigrams), len(numbers), len(quoted))


# --- measurement -----------------------------------------------------------------------------


def rss_mb() -> float:
    """Current resident set size in MiB (from /proc; NaN where /proc is unavailable)."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return math.nan
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS (glibc `malloc_trim`), so that the
    next RSS reading is not flattered by memory a previous system left in malloc's free lists."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: RSS deltas are approximate
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear-interpolated percentile (`fraction` in 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- output ----------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 2) -> str:
    """A number for a table cell ("-" for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def _numeric(cell: str) -> bool:
    return cell == "-" or bool(re.fullmatch(r"[-+]?[\d.,]+[%x]?", cell))


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Aligned columns: numbers right-aligned, text left-aligned; a rule under the header."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for column, cell in enumerate(row):
            widths[column] = max(widths[column], len(cell))
    right = [
        bool(cells) and all(_numeric(row[column]) for row in cells if row[column])
        for column in range(len(headers))
    ]

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[column]) if right[column] else cell.ljust(widths[column])
            for column, cell in enumerate(row)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(list(headers)), rule, *(line(row) for row in cells)])
