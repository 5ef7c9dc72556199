"""Building the inverted index from records: postings per token family, document frequencies,
field weights, BM25 length normalisation; and an index rebuilt from the store after an ingest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.search import SearchIndex, search
from bot.search.index import IndexedRecord
from bot.search.lexicon import Lexicon
from bot.store.db import SessionFactory
from tests.bot.ingest.records import recommendation, write

NO_VOCABULARY = Lexicon()  # only the records' own words, not data/synonyms.yaml


def record(
    key: str, title: str, text: str, path: tuple[str, ...] = (), refs: str = ""
) -> IndexedRecord:
    return IndexedRecord(
        id=f"test24-{key}",
        source_id="test24",
        org="測試商會",
        org_short="測商會",
        org_short_en="TC",
        year=2024,
        period="2024",
        areas=("innotech",),
        label=key,
        title=title,
        text=text,
        section_path=path,
        refs_text=refs,
    )


def build(*records: IndexedRecord) -> SearchIndex:
    return SearchIndex.build(list(records), NO_VOCABULARY)


def docs(index: SearchIndex, family: str, term: str) -> list[int]:
    posting = index.posting(family, term)
    return [] if posting is None else posting.docs.tolist()


def test_postings_of_each_token_family() -> None:
    index = build(record("1", "氫能巴士", "二千輛"), record("2", "電池", "投資3,000萬元 R&D"))
    assert docs(index, "w", "氢能") == [0]  # words, folded to Simplified
    assert docs(index, "g", "能巴") == [0]  # bigrams
    assert docs(index, "c", "池") == [1]  # characters
    assert docs(index, "n", "30000000") == [1]  # figures by value
    assert docs(index, "w", "r&d") == docs(index, "w", "3000") == [1]
    assert index.posting("w", "氫能") is None  # terms are looked up folded


def test_document_frequency_sets_idf() -> None:
    index = build(
        record("1", "氫能", "電池"), record("2", "氫能", "港口"), record("3", "氫能", "稅務")
    )
    common, rare = index.posting("g", "氢能"), index.posting("g", "电池")
    assert common is not None and rare is not None
    assert common.docs.tolist() == [0, 1, 2] and rare.docs.tolist() == [0]
    assert rare.idf > common.idf > 0


def test_fields_weigh_title_then_text_then_path_then_references() -> None:
    # Each record holds the same four words, one per field (so every record has the same length);
    # record i has 氫能 in field i.
    words = ["氫能", "電池", "港口", "稅務"]
    records = []
    for i in range(4):
        title, text, path, refs = words[-i:] + words[:-i]
        records.append(record(str(i), title, text, (path,), refs))
    posting = build(*records).posting("g", "氢能")
    assert posting is not None
    assert posting.docs.tolist() == [0, 1, 2, 3]
    weights = posting.weights.tolist()
    assert weights == sorted(weights, reverse=True) and len(set(weights)) == 4


def test_a_term_weighs_more_in_a_shorter_record() -> None:
    short = record("1", "氫能", "電池")
    long = record("2", "氫能", "電池 港口 稅務 金融 創科 物流 旅遊")
    posting = build(short, long).posting("g", "氢能")
    assert posting is not None
    assert posting.weights[0] > posting.weights[1]


def test_contains_needs_every_bigram_in_one_record() -> None:
    index = build(record("1", "氫能巴", "其他"), record("2", "能巴士", "其他"))
    assert index.contains("氢能巴") and index.contains("能巴士") and index.contains("巴")
    assert not index.contains("氢能巴士")  # its bigrams exist, but in different records
    assert not index.contains("电池")


def test_parts_cover_a_long_term_with_indexed_words() -> None:
    index = build(record("1", "「減免」和「收費」", "「電動車」與「電池」"))  # quoted: whole words
    assert index.parts("减免收费") == ["减免", "收费"]
    assert index.parts("电动车电池") == ["电动车", "电池"]
    assert index.parts("减免") == ["减", "免"]  # never the term itself
    assert index.parts("龙虾") == ["龙", "虾"]  # no indexed word: single characters
    assert index.parts("减") == []


def test_records_are_found_by_id() -> None:
    index = build(record("1", "氫能", "電池"), record("2", "港口", "稅務"))
    assert len(index) == 2
    assert index.position_of("test24-2") == 1
    assert index.position_of(" TEST24-1 ") == 0
    assert index.position_of("test24-3") is None


def test_an_empty_corpus_builds_an_empty_index() -> None:
    index = build()
    assert len(index) == 0 and index.postings == {} and index.word_vocabulary == []
    assert not index.contains("氢能") and index.position_of("test24-1") is None
    answer = search(index, "氫能巴士")
    assert answer.results == [] and answer.total == 0


@pytest.mark.db
def test_rebuilt_from_the_store_after_an_update_and_a_withdrawal(
    sessions: SessionFactory,
) -> None:
    t0, t1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    with sessions() as session:
        assert len(SearchIndex.load(session, NO_VOCABULARY)) == 0  # an empty store
    write(sessions, [recommendation("1", "推動氫能巴士。"), recommendation("2", "港口物流。")], t0)
    with sessions() as session:
        before = SearchIndex.load(session, NO_VOCABULARY)
    assert [r.id for r in before.records] == ["test24-1", "test24-2"]
    assert docs(before, "g", "氢能") == [0]

    write(sessions, [recommendation("1", "設立電池回收基金。")], t1)  # 1 changed, 2 vanished
    with sessions() as session:
        after = SearchIndex.load(session, NO_VOCABULARY)
    assert [r.id for r in after.records] == ["test24-1"]  # the withdrawn record is not indexed
    assert after.records[0].text == "設立電池回收基金。"
    assert after.position_of("test24-2") is None
    assert after.posting("g", "氢能") is None and docs(after, "g", "电池") == [0]
    assert docs(before, "g", "氢能") == [0]  # an index is immutable: the old one is unchanged
