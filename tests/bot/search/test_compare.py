"""/compare's core: one topic, grouped by organisation, and its messages within Telegram's
limits in both languages."""

from __future__ import annotations

from bot.core.text import utf16_len
from bot.search import SearchIndex, search
from bot.search.compare import PER_ORG, compare, comparison_json, describe_comparison
from bot.search.engine import MAX_LIMIT
from bot.store.corpus import org_code
from bot.ui.compare_view import compare_messages
from bot.ui.render import MESSAGE_LIMIT, plain_of


def test_grouped_by_organisation_in_rank_order(search_index: SearchIndex) -> None:
    comparison = compare(search_index, "北部都會區")
    answer = search(search_index, "北部都會區", limit=MAX_LIMIT)
    codes = [block.code for block in comparison.blocks]
    assert len(codes) == len(set(codes)) >= 3  # one block per organisation
    assert codes[0] == org_code(answer.results[0].record.source_id)
    for block in comparison.blocks:
        assert 1 <= len(block.items) <= PER_ORG
        assert all(org_code(item.record.source_id) == block.code for item in block.items)
        expected = [
            r.record.id for r in answer.results if org_code(r.record.source_id) == block.code
        ]
        assert [item.record.id for item in block.items] == expected[:PER_ORG]
        assert block.total == len(expected)
    assert sum(block.total for block in comparison.blocks) == comparison.total


def test_simplified_topic_finds_the_same(search_index: SearchIndex) -> None:
    traditional = comparison_json(compare(search_index, "北部都會區"))
    simplified = comparison_json(compare(search_index, "北部都会区"))
    assert traditional["organisations"] == simplified["organisations"]


def test_no_results_and_text(search_index: SearchIndex) -> None:
    nothing = compare(search_index, "火星殖民地")
    assert nothing.blocks == () and nothing.total == 0
    assert "no recommendations" in describe_comparison(nothing)
    listing = describe_comparison(compare(search_index, "烈酒稅"))
    assert "bpa24-6" in listing and "==" in listing


def test_messages_fit_and_link_to_full_text(search_index: SearchIndex) -> None:
    comparison = compare(search_index, "人才", per_org=10)
    for language in ("zh-Hant-HK", "en"):
        messages = compare_messages(language, comparison, "PolicyBot", {"bpa": "BPA"})
        assert messages
        for message in messages:
            assert utf16_len(plain_of(message.html)) <= MESSAGE_LIMIT
        joined = "\n".join(message.html for message in messages)
        first_id = comparison.blocks[0].items[0].record.id
        assert f'href="https://t.me/PolicyBot?start=rec_{first_id}"' in joined
        assert "<b>BPA</b>" in joined  # names in the reader's language when given
    english = plain_of(compare_messages("en", comparison, None)[0].html)
    assert "organisations" in english


def test_very_long_topic_is_clipped_and_escaped(search_index: SearchIndex) -> None:
    topic = "<b>北部都會區</b> & " * 400
    comparison = compare(search_index, topic)
    messages = compare_messages("zh-Hant-HK", comparison, "PolicyBot")
    for message in messages:
        assert utf16_len(plain_of(message.html)) <= MESSAGE_LIMIT
        assert "<b>北部都會區</b> &" not in message.html  # the topic's own markup is escaped
