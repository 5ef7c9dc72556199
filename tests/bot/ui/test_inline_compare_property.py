"""Whatever the query and the reader's language, inline results and /compare quote the matched
sentence within what Telegram accepts: valid HTML within 4096 units for a message, a description
within its place."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.text import utf16_len
from bot.search import SearchIndex, search
from bot.search.compare import compare
from bot.store.corpus import get_recommendations
from bot.store.db import SessionFactory
from bot.ui.compare_view import compare_messages, compare_org_messages
from bot.ui.views import INLINE_DESCRIPTION_SHOWN, inline_description, inline_text
from tests.fake_bot_api.formatting import MESSAGE_TEXT, format_text

PIECES = ["中試", "北部都會區", "將軍澳第137區", "低空經濟", "talent visa", "<b>", "&", "😀"]
PIECES += ["Northern Metropolis", "人才", "\n", " ", "\u200d", "𠀀", "org:經民聯", "#創科"]
QUERIES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join),
)
LANGUAGES = st.sampled_from(["zh-Hant-HK", "en"])


# The corpus store is only read: one for every input is what the test means.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERIES, language=LANGUAGES)
def test_inline_results_fit_whatever_the_query(
    search_index: SearchIndex, corpus_sessions: SessionFactory, query: str, language: str
) -> None:
    answer = search(search_index, query, limit=5, language=language)
    with corpus_sessions() as session:
        rows = {
            r.id: r for r in get_recommendations(session, [x.record.id for x in answer.results])
        }
        for result in answer.results:
            row = rows[result.record.id]
            format_text(inline_text(language, row, result), "HTML", None, MESSAGE_TEXT)
            description = inline_description(language, row, result)
            assert 0 < utf16_len(description) <= INLINE_DESCRIPTION_SHOWN


@settings(max_examples=25, deadline=None)
@given(query=QUERIES, language=LANGUAGES, compact=st.booleans())
def test_compare_fits_whatever_the_topic(
    search_index: SearchIndex, query: str, language: str, compact: bool
) -> None:
    comparison = compare(search_index, query, language=language)
    names = search_index.sources.org_names_en if language == "en" else None
    messages = compare_messages(language, comparison, "hk_policy_bot", names, compact, "k" * 16)
    for block in comparison.blocks[:2]:
        messages += compare_org_messages(language, comparison, block.code, "hk_policy_bot", names)
    for message in messages:
        format_text(message.html, "HTML", None, MESSAGE_TEXT)  # raises what Telegram refuses
