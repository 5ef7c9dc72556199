"""The search index snapshot: an unchanged corpus is loaded from the store instead of rebuilt, a
changed corpus (a new document ingested through the CLI) is rebuilt, a damaged snapshot is
rebuilt rather than trusted, and a loaded index answers exactly as a freshly built one."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, update

from bot.cli import main
from bot.core.resources import sources_dir
from bot.ingest.pipeline import ingest
from bot.search import SearchIndex, related, search
from bot.search.live import LiveIndex
from bot.search.normalize import fold
from bot.search.persist import corpus_key, load_index, save_snapshot
from bot.search.snapshot import SnapshotError, decode, encode
from bot.store.db import SessionFactory, make_sessions
from bot.store.index_snapshots import (
    drop_snapshot,
    read_snapshot,
    snapshot_keys,
    write_snapshot,
)
from bot.store.models import SearchIndexSnapshot, utcnow

pytestmark = pytest.mark.db

QUERIES = [
    str(item["q"])
    for item in yaml.safe_load(
        (Path(__file__).parents[2] / "relevance" / "queries.yaml").read_text(encoding="utf-8")
    )
]
SYNTHETIC = Path(__file__).resolve().parents[2] / "data" / "synthetic_submission.txt"
NEW_DOCUMENT = ["--org", "香港未來產業協會", "--org-short", "未來產業協會", "--org-en",
                "Hong Kong Future Industries Association", "--org-short-en", "HKFIA",
                "--title", "對2025年《施政報告》的建議", "--date", "2025-09"]  # fmt: skip


def answers(index: SearchIndex) -> list[Any]:
    """Everything a member sees for every regression query (ids in order, scores, why, the
    highlighted spans and passage, closest, suggestions), and related proposals."""
    seen: list[Any] = []
    for query in QUERIES:
        found = search(index, query, limit=20)
        seen.append(
            (
                query,
                found.total,
                [
                    (r.record.id, round(r.score, 6), r.why, r.highlights, r.passage)
                    for r in found.results
                ],
                [r.record.id for r in found.closest],
                found.suggestions,
            )
        )
    for record in index.records[:25]:
        seen.append([r.record.id for r in related(index, record.id)])
    return seen


def test_an_unchanged_corpus_is_loaded_and_answers_as_a_fresh_build(
    sessions: SessionFactory, search_index: SearchIndex
) -> None:
    ingest(sessions)
    built = load_index(sessions)
    assert not built.restored
    with sessions() as session:
        assert snapshot_keys(session) == [built.corpus_key]
    loaded = load_index(sessions)
    assert loaded.restored and loaded.corpus_key == built.corpus_key
    replica = LiveIndex(sessions, interval=3600.0).get()  # another replica starting
    assert replica.restored and replica.corpus_key == built.corpus_key
    assert loaded.word_vocabulary == built.word_vocabulary
    assert dict(loaded.postings.items()).keys() == dict(built.postings.items()).keys()
    expected = answers(search_index)  # built the usual way, in this process
    assert answers(built) == expected
    assert answers(loaded) == expected


def test_a_new_document_gives_a_new_key_and_a_rebuild(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    sessions = make_sessions(engine)
    assert main(["search", "人才"]) == 0  # ingests the bundled corpus, builds and saves
    with sessions() as session:
        [first] = snapshot_keys(session)
    assert load_index(sessions).restored
    bundle = tmp_path / "sources"
    shutil.copytree(sources_dir(), bundle)
    assert main(["ingest", str(SYNTHETIC), *NEW_DOCUMENT, "--sources", str(bundle)]) == 0
    capsys.readouterr()
    assert main(["search", "首三年電費減半", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert any(r["id"].startswith("hkfia25-") for r in found["results"])
    with sessions() as session:
        keys = snapshot_keys(session)
    assert len(keys) == 2 and keys[1] == first  # the new corpus's snapshot, and the last one
    again = load_index(sessions)
    assert again.restored and again.corpus_key == keys[0] != first


def test_a_damaged_snapshot_is_rebuilt_not_trusted(sessions: SessionFactory) -> None:
    ingest(sessions)
    built = load_index(sessions)
    key = built.corpus_key
    assert key is not None
    expected = answers(built)
    with sessions.begin() as session:  # one byte flipped in the stored piece
        stored = read_snapshot(session, key)
        assert stored is not None
        damaged = bytearray(stored)
        damaged[len(damaged) // 2] ^= 0xFF
        session.execute(
            update(SearchIndexSnapshot)
            .where(SearchIndexSnapshot.key == key)
            .values(data=bytes(damaged))
        )
    rebuilt = load_index(sessions)
    assert not rebuilt.restored and answers(rebuilt) == expected
    assert load_index(sessions).restored  # the rebuild saved a good snapshot again
    with sessions.begin() as session:  # stored whole (its digest right), but cut short
        drop_snapshot(session, key)
        write_snapshot(session, key, stored[: len(stored) // 3], utcnow())
    assert not load_index(sessions).restored
    assert load_index(sessions).restored


def test_two_writers_of_one_snapshot_leave_one_intact(sessions: SessionFactory) -> None:
    ingest(sessions)
    index = load_index(sessions)  # saved once
    assert index.corpus_key is not None
    assert save_snapshot(sessions, index.corpus_key, index.costly_parts)  # a late second writer
    with sessions() as session:
        assert snapshot_keys(session) == [index.corpus_key]
        stored = read_snapshot(session, index.corpus_key)
    assert stored is not None
    assert decode(stored, len(index)).postings.keys() == index.postings.keys()


def test_the_key_follows_records_and_vocabulary(search_index: SearchIndex) -> None:
    records, lexicon = search_index.records, search_index.lexicon
    key = corpus_key(records, lexicon)
    assert corpus_key(list(records), lexicon) == key
    edited = [replace(records[0], text=records[0].text + "。"), *records[1:]]
    assert corpus_key(edited, lexicon) != key
    assert corpus_key(records[1:], lexicon) != key
    fewer_stops = replace(lexicon, stop_phrases=lexicon.stop_phrases[1:])
    assert corpus_key(records, fewer_stops) != key


def test_highlight_maps_are_those_of_the_original_text(search_index: SearchIndex) -> None:
    restored = SearchIndex.restore(
        search_index.records,
        search_index.lexicon,
        decode(encode(search_index.costly_parts), len(search_index)),
    )
    for index in (search_index, restored):
        for position, record in enumerate(index.records):
            assert index.folded("title", position) == fold(record.title)
            assert index.folded("text", position) == fold(record.text)
            assert index.folded("refs", position) == fold(record.refs_text)


def test_an_empty_store_round_trips(sessions: SessionFactory) -> None:
    assert not load_index(sessions).restored
    empty = load_index(sessions)
    assert empty.restored and len(empty) == 0 and search(empty, "人才").total == 0


def test_snapshot_bytes_are_checked(search_index: SearchIndex) -> None:
    payload = encode(search_index.costly_parts)
    parts = decode(payload, len(search_index))
    assert parts.folded_texts == search_index.folded_texts
    assert parts.user_terms == sorted(search_index.segmenter.user_terms)
    for broken in (payload[:-9], b"", b"HKPBIDX\x00" + payload[8:40], payload[:100]):
        with pytest.raises(SnapshotError):
            decode(broken, len(search_index))
    with pytest.raises(SnapshotError):
        decode(payload, len(search_index) + 1)  # built for another corpus
