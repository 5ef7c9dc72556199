"""Why a result matched: the sentence shown for it, over the real corpus."""

from __future__ import annotations

from bot.search import SearchIndex, search


def test_the_passage_is_the_sentence_with_the_rarest_concepts(search_index: SearchIndex) -> None:
    # 發展 occurs everywhere in bpa24-7; 低空經濟 only in one sentence far into its text.
    result = search(search_index, "有冇人建議發展低空經濟").results[0]
    assert result.record.id == "bpa24-7"
    assert result.passage is not None and result.passage.field == "text"
    sentence = result.record.text[result.passage.start : result.passage.end]
    assert "低空經濟" in sentence
    assert result.passage.start > 100


def test_a_match_in_a_cited_paragraph_is_shown_there(search_index: SearchIndex) -> None:
    result = search(search_index, "將軍澳第137區").results[0]
    assert result.record.id == "legco24-c"
    assert result.passage is not None and result.passage.field == "refs"
    assert "將軍澳" in result.record.refs_text[result.passage.start : result.passage.end]
    spans = [h for h in result.highlights if h.field == "refs"]
    assert spans and all(result.record.refs_text[h.start : h.end] in "將軍澳第137區" for h in spans)
