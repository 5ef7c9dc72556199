"""The semantic stage: vectors cached on disk and kept in the store, fused with the lexical
ranking, the answer/no-answer decision, and "closest" when nobody proposed exactly this."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from bot.core.embedding import (
    DIM,
    MODEL_NAME,
    PASSAGE_CHARS,
    VectorCache,
    cache_dir,
    content_hash,
    default_embedder,
    embed_passages,
    passage_text,
)
from bot.ingest.pipeline import ingest, select_documents
from bot.ingest.vectors import sync_vectors
from bot.search import SearchIndex, related, search
from bot.search.present import results_json
from bot.search.recent import RecentAnswers
from bot.store.db import SessionFactory
from bot.store.models import Recommendation, RecordVector
from bot.store.vectors import stored_vectors
from bot.ui.views import no_results_message

LEGCO_FILE = "004_960b6cc202b4fd9b.txt"


class CountingModel:
    """The real model, counting the passages it is asked to embed."""

    name = MODEL_NAME

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def query(self, text: str) -> np.ndarray:
        return default_embedder().query(text)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return default_embedder().passages(texts)


def test_passage_text_is_title_then_text_cut() -> None:
    assert passage_text("標題", "內文") == "標題\n內文"
    assert passage_text("標題", "標題 其後") == "標題 其後"  # a text that repeats its title
    assert len(passage_text("題", "字" * 5000)) == PASSAGE_CHARS


def test_the_cache_lives_outside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HK_POLICY_BOT_VECTOR_CACHE", raising=False)
    repository = Path(__file__).resolve().parents[3]
    assert repository not in cache_dir().parents
    monkeypatch.setenv("HK_POLICY_BOT_VECTOR_CACHE", "/somewhere/else")
    assert cache_dir() == Path("/somewhere/else")


def test_vectors_are_computed_once_then_read_from_the_cache(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path)
    model = CountingModel()
    passages = ["增加公營房屋供應", "撤銷烈酒稅"]
    first = embed_passages(passages, model, cache)
    assert first.shape == (2, DIM) and model.embedded == passages
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-3)
    again = embed_passages([*passages, "資助跨境交通費"], model, cache)
    assert model.embedded == [*passages, "資助跨境交通費"]  # only the new one was computed
    assert np.array_equal(again[:2], first)
    damaged = cache.directory / content_hash(MODEL_NAME, passages[0])[:2]
    for path in damaged.iterdir():
        path.write_bytes(b"broken")
    assert cache.get(content_hash(MODEL_NAME, passages[0])) is None


def test_ingest_stores_a_vector_per_record_and_recomputes_only_changed_ones(
    sessions: SessionFactory, tmp_path: Path
) -> None:
    report = ingest(sessions, select_documents([Path(LEGCO_FILE)]))
    with sessions() as session:
        ids = set(session.scalars(select(Recommendation.id)))
        stored = stored_vectors(session, MODEL_NAME)
    assert report.vectors == len(ids) > 0 and set(stored) == ids
    model = CountingModel()
    with sessions.begin() as session:
        assert sync_vectors(session, model, VectorCache(tmp_path)) == 0  # nothing changed
        row = session.scalars(select(Recommendation).order_by(Recommendation.id)).first()
        assert row is not None
        row.text += " 另加一句。"
        changed_id = row.id
    with sessions.begin() as session:
        assert sync_vectors(session, model, VectorCache(tmp_path)) == 1
    assert len(model.embedded) == 1 and model.embedded[0].startswith(row.title)
    with sessions() as session:
        vector = session.get(RecordVector, (changed_id, MODEL_NAME))
        assert vector is not None and len(vector.vector) == DIM * 4
        index = SearchIndex.load(session)
    assert index.vectors is not None and bool(index.has_vector.all())


def test_the_corpus_index_loads_its_vectors(search_index: SearchIndex) -> None:
    assert search_index.vectors is not None
    assert search_index.vectors.shape == (len(search_index), DIM)
    assert bool(search_index.has_vector.all())


def test_a_query_the_lexical_stage_covers_gets_no_semantic_neighbours(
    search_index: SearchIndex,
) -> None:
    """Records holding every concept were found by their words: one that merely resembles the
    query is a neighbouring topic, not an answer."""
    answer = search(search_index, "撤銷烈酒稅")
    assert answer.results and {result.why for result in answer.results} <= {"lexical", "both"}


def test_own_words_find_the_proposal(search_index: SearchIndex) -> None:
    answer = search(search_index, "揸電動車好難搵位充電")
    assert answer.results and not answer.closest
    assert any("電動車" in result.record.title for result in answer.results[:3])
    assert {result.why for result in answer.results} <= {"lexical", "semantic", "both"}
    assert "semantic" in {result.why for result in answer.results}


def test_semantic_only_hits_show_their_best_sentence(search_index: SearchIndex) -> None:
    answer = search(search_index, "揸電動車好難搵位充電")
    semantic = [result for result in answer.results if result.why == "semantic"]
    assert semantic
    for result in semantic:
        (span,) = result.highlights
        sentence = result.record.text[span.start : span.end]
        assert span.field == "text" and len(sentence.strip()) >= 2


def test_a_subject_nobody_wrote_about_gets_closest_not_answers(search_index: SearchIndex) -> None:
    for query in ("公屋可唔可以養貓？", "我想移民火星"):
        answer = search(search_index, query)
        assert answer.results == [] and answer.total == 0
        assert 0 < len(answer.closest) <= 3
        assert len({result.record.id for result in answer.closest}) == len(answer.closest)
    assert search(search_index, "烈酒稅").closest == []  # an answer has no closest


def test_json_keeps_closest_apart_and_says_why(search_index: SearchIndex) -> None:
    nothing = results_json(search(search_index, "公屋可唔可以養貓？"))
    assert nothing["results"] == [] and nothing["closest"]
    assert all(item["why"] in {"lexical", "semantic", "both"} for item in nothing["closest"])
    found = results_json(search(search_index, "烈酒稅"))
    assert found["results"][0]["why"] in {"lexical", "both"} and found["closest"] == []


def test_no_results_message_offers_the_closest_as_buttons(search_index: SearchIndex) -> None:
    answer = search(search_index, "公屋可唔可以養貓？")
    for language, intro in (("en", "Nobody proposed exactly this"), ("zh-Hant-HK", "沒有人")):
        message = no_results_message(language, answer, [])
        assert intro in message.html
        closest = answer.closest[0].record
        # The organisation by the reader's language's short name (CMA, not 廠商會, in English).
        assert (closest.org_short_en if language == "en" else closest.org_short) in message.html
        (row,) = message.buttons
        assert len(row) == len(answer.closest)
        assert all(button.callback_data for button in row)


def test_filters_hold_for_semantic_hits(search_index: SearchIndex) -> None:
    answer = search(search_index, "電動車充電位唔夠 org:經民聯")
    assert answer.results
    assert {result.record.org_short for result in answer.results} == {"經民聯"}


def test_related_uses_the_vectors(search_index: SearchIndex) -> None:
    # 中試平台 has close neighbours in other organisations (電動車 has none that pass the bar).
    record = search(search_index, "中試平台").results[0].record
    found = related(search_index, record.id)
    assert found and all(result.record.org_short != record.org_short for result in found)
    assert {result.why for result in found} & {"semantic", "both"}


def test_a_recent_query_vector_is_answered_without_the_model(
    search_index: SearchIndex,
) -> None:
    from bot.core.embedding import E5Embedder
    from bot.search.semantic import query_view

    class Watched(E5Embedder):
        """The real model, counting the query vectors it is asked to compute."""

        def __init__(self) -> None:
            super().__init__()
            self.asked: list[str] = []

        def query(self, text: str) -> np.ndarray:
            self.asked.append(text)
            return super().query(text)

    model = Watched()
    first = query_view(search_index, "公營房屋  供應", model)
    assert first is not None and len(model.asked) == 1
    again = query_view(search_index, "公營房屋 供應", model)  # the same text, spaced otherwise
    assert again is not None and np.array_equal(again.cosines, first.cosines)
    assert len(model.asked) == 1  # from the cache, the model not even asked
    assert query_view(search_index, "醫療券", model) is not None
    assert len(model.asked) == 2
    assert query_view(search_index, "  ", model) is None


def test_a_query_its_words_decide_is_not_embedded(
    search_index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the best lexical match holds every concept, the semantic stage cannot change what is
    shown, so the query is not embedded; a query they do not decide is."""
    import bot.search.engine as engine

    asked: list[str] = []
    real = engine.query_view

    def watched(index: SearchIndex, text: str, **options: bool) -> object:
        asked.append(text)
        return real(index, text, **options)

    monkeypatch.setattr(engine, "query_view", watched)
    monkeypatch.setattr(engine, "RECENT", RecentAnswers(0))  # every search searched
    answer = search(search_index, "撤銷烈酒稅")
    assert answer.results and asked == []
    assert {result.why for result in answer.results} == {"lexical"}
    assert search(search_index, "公屋可唔可以養貓？").closest and len(asked) == 1


def test_a_search_that_would_run_the_model_says_so_when_told_not_to_wait(
    search_index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wait_for_model=False` (a handler on the event loop): a query its words decide, or whose
    vector the model holds in memory, is answered as usual; one that needs the model raises
    ModelNeeded, and nothing is computed or kept for it."""
    import bot.search.engine as engine
    from bot.search.semantic import ModelNeeded

    monkeypatch.setattr(engine, "RECENT", RecentAnswers(0))  # every search searched
    decided = search(search_index, "撤銷烈酒稅", wait_for_model=False)
    assert decided == replace_elapsed(search(search_index, "撤銷烈酒稅"), decided)
    from bot.search.normalize import to_traditional
    from bot.search.query import parse_query

    model = default_embedder()
    question = "公屋租戶可唔可以喺屋企養鸚鵡仔？"  # own words: the words alone do not decide
    embedded = to_traditional(parse_query(question, search_index.lexicon).plain)
    assert model.recent(embedded) is None
    with pytest.raises(ModelNeeded):
        search(search_index, question, wait_for_model=False)
    assert model.recent(embedded) is None  # the model was not run
    waited = search(search_index, question)  # computes the vector and keeps it
    assert model.recent(embedded) is not None
    again = search(search_index, question, wait_for_model=False)
    assert again.closest or again.results
    assert again == replace_elapsed(waited, again)


def replace_elapsed(answer: object, like: object) -> object:
    """`answer` with `like`'s elapsed time (the one field two equal searches differ in)."""
    from dataclasses import replace

    return replace(answer, elapsed_ms=like.elapsed_ms)  # type: ignore[type-var, attr-defined]
