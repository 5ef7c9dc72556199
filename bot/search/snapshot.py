"""The expensive parts of a built index as bytes, and back: a small, pickle-free format.

Layout: MAGIC, a little-endian uint32 format version, a uint64 header length, a UTF-8 JSON header
(counts, term lists, the user terms and the sound table, and where each array section lies), then
the array sections, each 8-byte aligned. Loading reads the header and copies each array out of
the payload (so that the payload, texts included, is freed once decoded). Any inconsistency
raises SnapshotError, and the caller rebuilds instead."""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.search.frequencies import FrequencyTable, tokenizer_with
from bot.search.postings import FAMILIES, FamilyPostings, Postings, doc_dtype

MAGIC = b"HKPBIDX\x00"
FORMAT_VERSION = 5  # bump whenever the layout or what the parts mean changes
_PREFIX = struct.Struct("<IQ")


class SnapshotError(ValueError):
    """The bytes are not a complete snapshot of this format."""


@dataclass(frozen=True)
class IndexParts:
    """What building an index costs (tokenising, weighting, folding); restored from a snapshot."""

    folded_titles: list[str]
    folded_texts: list[str]
    # Per record, bit 0: the title folds character for character (offsets are the identity, so
    # its offset map need not be computed), bit 1: the same for the text.
    aligned: np.ndarray
    postings: Postings
    user_terms: list[str]  # the segmenter's taught terms (folded), sorted
    sounds: dict[str, list[str]]  # Mandarin reading → two-character vocabulary words
    # The jieba tokenizer the index was built with (its word frequencies, taught terms included,
    # are saved, so that a restored index segments queries exactly as it did, without loading
    # jieba's own dictionary).
    tokenizer: Any


def encode(parts: IndexParts) -> bytes:
    """The snapshot's bytes."""
    arrays: list[tuple[str, np.ndarray]] = []
    families: dict[str, list[str] | None] = {}
    for name, family in parts.postings.families.items():
        families[name] = family.terms if family.codes is None else None
        if family.codes is not None:
            arrays += [(f"{name}.codes", family.codes.astype("<i8"))]
        arrays += [
            (f"{name}.starts", family.starts.astype("<i8")),
            (f"{name}.docs", family.docs.astype(doc_dtype(len(parts.folded_titles)))),
            (f"{name}.weights", family.weights.astype("<f4")),
            (f"{name}.idf", family.idf.astype("<f8")),
        ]
    arrays += [("aligned", parts.aligned.astype(np.uint8))]
    table = FrequencyTable.of(parts.tokenizer.FREQ)
    arrays += [
        ("jieba.hashes", table.hashes.astype("<u8")),
        ("jieba.counts", table.counts.astype("<i8")),
    ]
    for name, texts in (("titles", parts.folded_titles), ("texts", parts.folded_texts)):
        joined = "".join(texts)
        ends = np.cumsum([len(text) for text in texts], dtype=np.int64)
        arrays += [(f"{name}.utf8", np.frombuffer(joined.encode(), dtype=np.uint8))]
        arrays += [(f"{name}.ends", ends.astype("<i8"))]
    sections: list[tuple[str, str, int, int]] = []
    offset = 0
    for name, values in arrays:
        offset = _aligned(offset)
        sections.append((name, values.dtype.str, offset, values.nbytes))
        offset += values.nbytes
    header = json.dumps(
        {
            "records": len(parts.folded_titles),
            "families": families,
            "user_terms": parts.user_terms,
            "sounds": parts.sounds,
            "jieba_total": int(parts.tokenizer.total),
            "sections": sections,
        },
        ensure_ascii=False,
    ).encode()
    start = _aligned(len(MAGIC) + _PREFIX.size + len(header))
    body = bytearray(start + offset)
    body[: len(MAGIC)] = MAGIC
    body[len(MAGIC) : len(MAGIC) + _PREFIX.size] = _PREFIX.pack(FORMAT_VERSION, len(header))
    body[len(MAGIC) + _PREFIX.size : len(MAGIC) + _PREFIX.size + len(header)] = header
    for (_, _, position, size), (_, values) in zip(sections, arrays, strict=True):
        body[start + position : start + position + size] = values.tobytes()
    return bytes(body)


def decode(payload: bytes | bytearray, records: int) -> IndexParts:
    """The parts back from `encode`'s bytes, for an index of `records` records; SnapshotError if
    the bytes are damaged, truncated or of another format."""
    try:
        return _decode(memoryview(payload), records)
    except SnapshotError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, struct.error, UnicodeDecodeError) as error:
        raise SnapshotError(f"damaged index snapshot: {error}") from error


def _decode(payload: memoryview, records: int) -> IndexParts:
    if bytes(payload[: len(MAGIC)]) != MAGIC:
        raise SnapshotError("not an index snapshot")
    version, header_size = _PREFIX.unpack_from(payload, len(MAGIC))
    if version != FORMAT_VERSION:
        raise SnapshotError(f"snapshot format {version}, expected {FORMAT_VERSION}")
    header_start = len(MAGIC) + _PREFIX.size
    header: dict[str, Any] = json.loads(bytes(payload[header_start : header_start + header_size]))
    if header["records"] != records:
        raise SnapshotError(f"snapshot of {header['records']} records, expected {records}")
    start = _aligned(header_start + header_size)
    # Copies, not views: the payload (with the texts' UTF-8, decoded below) can then be freed.
    arrays = {
        name: _section(payload, start, dtype, offset, size).copy()
        for name, dtype, offset, size in header["sections"]
        if not name.endswith(".utf8")
    }
    arrays |= {
        name: _section(payload, start, dtype, offset, size)
        for name, dtype, offset, size in header["sections"]
        if name.endswith(".utf8")
    }
    families = {}
    for name in FAMILIES:
        terms = header["families"][name]
        family = FamilyPostings(
            terms,
            arrays[f"{name}.starts"],
            arrays[f"{name}.docs"],
            arrays[f"{name}.weights"],
            arrays[f"{name}.idf"],
            arrays.get(f"{name}.codes") if terms is None else None,
        )
        family.check(records)
        families[name] = family
    words = families["w"]
    vocabulary = words.terms

    def shared(term: str) -> str:  # the same string object as the word's, not a copy
        position = words.index_of(term)
        return vocabulary[position] if position >= 0 else term

    return IndexParts(
        folded_titles=_texts(arrays, "titles", records),
        folded_texts=_texts(arrays, "texts", records),
        aligned=_sized(arrays["aligned"], records),
        postings=Postings(families),
        user_terms=[shared(str(term)) for term in header["user_terms"]],
        sounds={
            str(key): [shared(str(w)) for w in words] for key, words in header["sounds"].items()
        },
        tokenizer=tokenizer_with(
            FrequencyTable(arrays["jieba.hashes"], arrays["jieba.counts"].astype(np.int64)),
            int(header["jieba_total"]),
        ),
    )


def _section(payload: memoryview, start: int, dtype: str, offset: int, size: int) -> np.ndarray:
    kind = np.dtype(dtype)
    if offset < 0 or size < 0 or size % kind.itemsize or start + offset + size > len(payload):
        raise SnapshotError("section outside the snapshot")
    return np.frombuffer(payload, dtype=kind, count=size // kind.itemsize, offset=start + offset)


def _sized(values: np.ndarray, records: int) -> np.ndarray:
    if len(values) != records:
        raise SnapshotError("per-record array does not match the records")
    return values


def _texts(arrays: Mapping[str, np.ndarray], name: str, records: int) -> list[str]:
    joined = str(arrays[f"{name}.utf8"].data, "utf-8")
    ends: Sequence[int] = arrays[f"{name}.ends"].tolist()
    if len(ends) != records or (ends and ends[-1] != len(joined)):
        raise SnapshotError(f"{name} do not match the records")
    texts, previous = [], 0
    for end in ends:
        if end < previous:
            raise SnapshotError(f"{name} out of order")
        texts.append(joined[previous:end])
        previous = end
    return texts


def _aligned(offset: int) -> int:
    return (offset + 7) // 8 * 8
