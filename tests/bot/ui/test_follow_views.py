"""Followed-topic messages fit Telegram whatever members typed: at most 4096 UTF-16 units of
text, callback data within 64 bytes, markup in a topic shown as text."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.filters import Filters
from bot.core.text import utf16_len
from bot.search.topics import MAX_TOPIC_CHARS, topic_key
from bot.store.topics import MAX_TOPICS, FollowResult, Topic
from bot.ui.actions import CALLBACK_LIMIT
from bot.ui.follow_views import alert_message, followed_message, following_message
from bot.ui.render import Button, plain_of

TEXTS = st.text(min_size=1, max_size=MAX_TOPIC_CHARS)
NOW = datetime(2026, 12, 5, tzinfo=UTC)


def _fits(html: str, buttons: tuple[tuple[Button, ...], ...]) -> None:
    assert utf16_len(plain_of(html)) <= 4096
    for row in buttons:
        for button in row:
            data = button.callback_data or ""
            assert len(data.encode("utf-8")) <= CALLBACK_LIMIT


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(TEXTS, min_size=1, max_size=MAX_TOPICS),
    language=st.sampled_from(["en", "zh-Hant-HK"]),
)
def test_topic_messages_fit_telegram(texts: list[str], language: str) -> None:
    topics = [
        (Topic(10**9 + n, -(10**12), text, topic_key(text), Filters(), n % 2 == 0, NOW), 10**6)
        for n, text in enumerate(texts)
    ]
    listing = following_message(language, topics)
    _fits(listing.html, listing.buttons)
    for result in FollowResult:
        answer = followed_message(language, result, texts[0], 0, None)
        _fits(answer.html, answer.buttons)
    alert = alert_message(language, 10**6, texts, texts[0] * 10, texts[-1] * 10, None)
    _fits(alert.html, alert.buttons)


def test_markup_in_a_topic_is_text() -> None:
    answer = followed_message("en", FollowResult.ADDED, "<b>rail</b> & <i>", 0, "daily")
    assert "&lt;b&gt;rail&lt;/b&gt; &amp; &lt;i&gt;" in answer.html
    assert "Nothing matches it today" in plain_of(answer.html)
