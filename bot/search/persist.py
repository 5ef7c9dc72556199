"""Start-up without rebuilding: the built index's costly parts are saved in the store as a
snapshot keyed by the corpus key, and a process whose corpus key finds a snapshot loads it.

The corpus key is a sha256 of everything the parts are computed from: the snapshot format version
(bumped whenever tokenising, weighting or the layout changes), the versions of the libraries that
tokenise and fold (jieba, OpenCC, pypinyin), the search vocabulary as loaded from data/ (synonyms,
glossary, organisation and area names, stop phrases) and every indexed field of every record, in
order. Any ingest that changes a record, any edit of the vocabulary files and any new code format
therefore gives a new key, and the first process to start with it builds and saves the snapshot;
every other replica, and every later start, loads it.

Safety: a snapshot is written in one transaction (all its pieces or none); two replicas building
the same corpus at once both try to write it and the second one's duplicate key is ignored (the
content is the same). A snapshot that is incomplete, fails its sha256 or does not decode is
logged, dropped and rebuilt; a store that cannot save one only logs it. Start-up never fails
because of a snapshot. The format holds no pickles: JSON and raw little-endian arrays."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from importlib.metadata import version

import jieba
import opencc
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.search.index import IndexedRecord, SearchIndex, read_corpus
from bot.search.lexicon import Lexicon, load_lexicon
from bot.search.snapshot import FORMAT_VERSION, IndexParts, SnapshotError, decode, encode
from bot.search.vectors import load_vectors
from bot.store.db import SessionFactory
from bot.store.index_snapshots import (
    DamagedSnapshot,
    drop_snapshot,
    read_snapshot,
    write_snapshot,
)
from bot.store.models import utcnow

log = logging.getLogger(__name__)

_FIELD = "\x1f"
_RECORD = "\x1e"


def corpus_key(records: Sequence[IndexedRecord], lexicon: Lexicon) -> str:
    """The key of the index these records and this vocabulary give (see the module docstring)."""
    digest = hashlib.sha256()
    libraries = (jieba.__version__, opencc.__version__, version("pypinyin"))
    digest.update(f"hk-policy-bot index {FORMAT_VERSION} {libraries}\n".encode())
    digest.update(_lexicon_text(lexicon).encode())
    for record in records:
        fields = (
            record.id,
            record.source_id,
            record.org,
            record.org_short,
            record.org_short_en,
            str(record.year),
            record.period,
            " ".join(record.areas),
            record.label,
            record.title,
            record.text,
            _FIELD.join(record.section_path),
            record.refs_text,
        )
        digest.update((_RECORD + _FIELD.join(fields)).encode())
    return digest.hexdigest()


def _lexicon_text(lexicon: Lexicon) -> str:
    """The vocabulary in one canonical text (sorted), for the key."""
    return json.dumps(
        {
            "synonyms": {term: sorted(group) for term, group in lexicon.synonyms.items()},
            "glossary": {term: list(targets) for term, targets in lexicon.glossary.items()},
            "orgs": lexicon.orgs,
            "areas": lexicon.areas,
            "stop_phrases": sorted(lexicon.stop_phrases),
            "stop_chars": sorted(lexicon.stop_chars),
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def load_index(sessions: SessionFactory, lexicon: Lexicon | None = None) -> SearchIndex:
    """The index of the stored corpus: from its snapshot when one matches the corpus key, else
    built and saved for the next start (and the other replicas)."""
    started = time.perf_counter()
    lexicon = lexicon or load_lexicon()
    with sessions() as session:
        records, sources = read_corpus(session)
        vectors = load_vectors(session, records)
    key = corpus_key(records, lexicon)
    parts = _stored_parts(sessions, key, len(records))
    if parts is not None:
        index = SearchIndex.restore(records, lexicon, parts, sources, vectors)
        index.corpus_key = key
        log.info(
            "search index loaded from its snapshot: %d records in %.2fs",
            len(index),
            time.perf_counter() - started,
        )
        return index
    index = SearchIndex.build(records, lexicon, sources, vectors)
    index.corpus_key = key
    built = time.perf_counter() - started
    save_snapshot(sessions, key, index.costly_parts)
    log.info(
        "search index built in %.2fs and saved in %.2fs: %d records",
        built,
        time.perf_counter() - started - built,
        len(index),
    )
    return index


def _stored_parts(sessions: SessionFactory, key: str, records: int) -> IndexParts | None:
    """The snapshot's parts, or None when there is none or it cannot be used (then dropped)."""
    try:
        with sessions() as session:
            payload = read_snapshot(session, key)
        if payload is None:
            return None
        return decode(payload, records)
    except (DamagedSnapshot, SnapshotError) as error:
        log.warning("search index snapshot unusable, rebuilding: %s", error)
        _drop(sessions, key)
    except SQLAlchemyError as error:
        log.warning("search index snapshot not read, rebuilding: %s", error)
    return None


def save_snapshot(sessions: SessionFactory, key: str, parts: IndexParts) -> bool:
    """Save the parts under `key`; False (logged) when the store refuses. A concurrent writer of
    the same key is not an error: what it saved is the same."""
    try:
        payload = encode(parts)
        with sessions.begin() as session:
            write_snapshot(session, key, payload, utcnow())
    except IntegrityError:
        log.info("search index snapshot %s already saved by another process", key[:12])
        return True
    except SQLAlchemyError as error:
        log.warning("search index snapshot not saved: %s", error)
        return False
    return True


def _drop(sessions: SessionFactory, key: str) -> None:
    try:
        with sessions.begin() as session:
            drop_snapshot(session, key)
    except SQLAlchemyError as error:
        log.warning("damaged search index snapshot not dropped: %s", error)
