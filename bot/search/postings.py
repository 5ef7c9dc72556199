"""Posting lists in compact arrays: per token family, one array of record positions and one of BM25
weights for all terms together (term i's entries are `starts[i]:starts[i + 1]`), so a term costs a
dictionary entry, not two numpy objects of its own. The arrays may be views of a loaded snapshot.

Built family by family from the records' folded fields (BM25F: field-weighted term frequencies),
so that only one family's entries are held in flat arrays at a time."""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.2
B = 0.75
# Field order matters only for speed; weights: a title word counts 3.0, a cited paragraph's 0.3.
FIELD_WEIGHTS = {"title": 3.0, "text": 1.0, "path": 0.5, "refs": 0.3}
FIELDS = tuple(FIELD_WEIGHTS)
FAMILIES = ("w", "g", "c", "n")
RECENT_POSTINGS = 1024  # postings kept per family for the lookups that follow (under 1 MB)
_UNKNOWN = object()

Tokenizer = Callable[[str], Iterable[str]]


@dataclass(frozen=True)
class Posting:
    """Records containing a term, with the term's BM25 weight in each."""

    docs: np.ndarray  # record positions, ascending (uint16 below 65 536 records, else int32)
    weights: np.ndarray  # float32 BM25 weights
    idf: float


class FamilyPostings:
    """Every term of one token family: term → its slice of the shared arrays. Terms are kept as
    strings in a dict, or, for a family of one- and two-character terms (bigrams), as sorted
    integer codes (`pack`): a two-character string object and its dict entry cost about 110
    bytes, a code 8 (160 000 bigrams at 100 times the corpus)."""

    def __init__(
        self,
        terms: Sequence[str] | None,
        starts: np.ndarray,
        docs: np.ndarray,
        weights: np.ndarray,
        idf: np.ndarray,
        codes: np.ndarray | None = None,
    ) -> None:
        if (terms is None) == (codes is None):
            raise ValueError("give either terms or codes")
        self.codes = codes  # int64, ascending, when packed
        self._terms = list(terms) if terms is not None else None
        self.starts = starts  # int64, one more than the terms
        self.docs = docs  # record positions (doc_dtype)
        self.weights = weights  # float32
        self.idf = idf  # float64, one per term
        self._ids = {t: i for i, t in enumerate(self._terms)} if self._terms is not None else {}
        # Postings handed out lately (None: absent). One query asks for the same bigram about
        # twice on average (its concepts overlap, then the phrase checks); emptied when full.
        self._recent: dict[str, Posting | None] = {}

    @property
    def terms(self) -> list[str]:
        """The terms in array order."""
        if self._terms is not None:
            return self._terms
        assert self.codes is not None
        return [unpack(code) for code in self.codes.tolist()]

    def __len__(self) -> int:
        return len(self._terms) if self._terms is not None else len(self.idf)

    def index_of(self, term: object) -> int:
        """The term's position in the arrays, -1 if absent."""
        if self.codes is None:
            return self._ids.get(term, -1) if isinstance(term, str) else -1
        code = pack(term) if isinstance(term, str) else None
        if code is None:
            return -1
        found = int(self.codes.searchsorted(code))  # the method: np.searchsorted adds ~0.7 µs
        return found if found < len(self.codes) and int(self.codes[found]) == code else -1

    def __contains__(self, term: object) -> bool:
        return self.index_of(term) >= 0

    def get(self, term: str) -> Posting | None:
        """The term's posting, or None. Its arrays are views of the family's: read only."""
        kept = self._recent.get(term, _UNKNOWN)  # one read: another thread may empty it
        if kept is not _UNKNOWN:
            return kept  # type: ignore[return-value]  # a Posting or None
        i = self.index_of(term)
        found = None
        if i >= 0:
            start, end = int(self.starts[i]), int(self.starts[i + 1])
            found = Posting(self.docs[start:end], self.weights[start:end], float(self.idf[i]))
        if len(self._recent) >= RECENT_POSTINGS:
            self._recent.clear()
        self._recent[term] = found
        return found

    def check(self, records: int) -> None:
        """Raise ValueError unless the arrays are consistent (a damaged snapshot)."""
        if len(self.starts) != len(self) + 1 or len(self.idf) != len(self):
            raise ValueError("posting table sizes disagree")
        if self.codes is not None and (
            len(self.codes) != len(self)
            or (len(self.codes) > 1 and bool(np.any(np.diff(self.codes) <= 0)))
        ):
            raise ValueError("posting codes not increasing")
        if len(self.docs) != len(self.weights) or (
            len(self.starts) and (self.starts[0] != 0 or self.starts[-1] != len(self.docs))
        ):
            raise ValueError("posting arrays disagree")
        if len(self.starts) > 1 and bool(np.any(np.diff(self.starts) <= 0)):
            raise ValueError("posting starts not increasing")
        if len(self.docs) and (int(self.docs.min()) < 0 or int(self.docs.max()) >= records):
            raise ValueError("posting refers to a missing record")
        if self._terms is not None and len(self._ids) != len(self._terms):
            raise ValueError("duplicate terms")


class Postings(Mapping[str, Posting]):
    """All families, read as one mapping keyed "family:term" (e.g. "w:人才", "g:人才")."""

    def __init__(self, families: Mapping[str, FamilyPostings]) -> None:
        self.families = dict(families)

    def get(self, key: str, default: Posting | None = None) -> Posting | None:  # type: ignore[override]
        family = self.families.get(key[:1])
        if family is None or key[1:2] != ":":
            return default
        found = family.get(key[2:])
        return default if found is None else found

    def __getitem__(self, key: str) -> Posting:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str) or key[1:2] != ":":
            return False
        family = self.families.get(key[:1])
        return family is not None and key[2:] in family

    def __iter__(self) -> Iterator[str]:
        for name, family in self.families.items():
            for term in family.terms:
                yield f"{name}:{term}"

    def __len__(self) -> int:
        return sum(len(family) for family in self.families.values())

    def nbytes(self) -> int:
        """Bytes held by the arrays (not the term dictionaries)."""
        return sum(
            f.starts.nbytes + f.docs.nbytes + f.weights.nbytes + f.idf.nbytes
            for f in self.families.values()
        )


def pack(term: str) -> int | None:
    """A one- or two-character term as an integer (None for any other length)."""
    if len(term) == 1:
        return ord(term) << 22
    if len(term) == 2:
        return (ord(term[0]) << 22) | (ord(term[1]) + 1)
    return None


def unpack(code: int) -> str:
    """The term `pack` made `code` from."""
    second = code & ((1 << 22) - 1)
    return chr(code >> 22) + (chr(second - 1) if second else "")


def build_family(fields: Sequence[Sequence[str]], tokenize: Tokenizer) -> FamilyPostings:
    """BM25F postings of one family over records given as their folded fields (FIELDS order);
    packed (integer codes) when every term has one or two characters."""
    ids: dict[str, int] = {}
    entry_terms, entry_docs, entry_tf = array("i"), array("i"), array("d")
    lengths = np.zeros(len(fields), dtype=np.float64)
    for doc, record_fields in enumerate(fields):
        counts: dict[str, float] = defaultdict(float)
        for name, folded in zip(FIELDS, record_fields, strict=True):
            weight = FIELD_WEIGHTS[name]
            for item in tokenize(folded):
                counts[item] += weight
        lengths[doc] = sum(counts.values())
        for term, frequency in counts.items():
            entry_terms.append(ids.setdefault(term, len(ids)))
            entry_docs.append(doc)
            entry_tf.append(frequency)
    terms = list(ids)
    term_of = np.frombuffer(entry_terms, dtype=np.int32) if entry_terms else np.zeros(0, np.int32)
    packed = [pack(term) for term in terms]
    if not terms or any(code is None for code in packed):
        return _weighted(terms, term_of, entry_docs, entry_tf, lengths)
    codes = np.array(packed, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))  # term ids renumbered in code order
    family = _weighted([terms[i] for i in order], rank[term_of], entry_docs, entry_tf, lengths)
    return FamilyPostings(
        None, family.starts, family.docs, family.weights, family.idf, codes[order]
    )


def _weighted(
    terms: list[str],
    term_of: np.ndarray,
    entry_docs: array[int],
    entry_tf: array[float],
    lengths: np.ndarray,
) -> FamilyPostings:
    total = len(lengths)
    average = float(lengths.mean()) if total else 1.0
    norms = K1 * (1 - B + B * lengths / max(average, 1e-9))
    order = np.argsort(term_of, kind="stable")  # by term; records stay ascending within one
    counts = np.bincount(term_of, minlength=len(terms))
    starts = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    idf = np.array(
        [math.log(1 + (total - int(n) + 0.5) / (int(n) + 0.5)) for n in counts.tolist()],
        dtype=np.float64,
    )
    docs = (np.frombuffer(entry_docs, dtype=np.int32) if entry_docs else np.zeros(0, np.int32))[
        order
    ]
    tf = (np.frombuffer(entry_tf, dtype=np.float64) if entry_tf else np.zeros(0))[order]
    del order
    idf_of_entry = np.repeat(idf, counts)  # the entries are grouped by term now
    weights = idf_of_entry * tf * (K1 + 1) / (tf + norms[docs])
    return FamilyPostings(
        terms, starts, docs.astype(doc_dtype(total)), weights.astype(np.float32), idf
    )


def doc_dtype(records: int) -> np.dtype[np.integer]:
    """The smallest type for record positions: two bytes per posting entry up to 65 536 records
    (100 times the bundled corpus is 35 700), else four."""
    return np.dtype("<u2") if records <= 1 << 16 else np.dtype("<i4")
