"""👍/👎 under a recommendation opened from a search, through the fake Bot API with the real
Application, in both languages: one tap, changeable, withdrawn by tapping the same again,
answered with a toast, shown by editing the buttons (never a new message), stored without who or
where; opened answers logged; hostile callback data answered and never stored; /stats shows the
feedback tables and the alias suggestions."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.search.normalize import fold_query
from bot.store.feedback import change_vote, log_open
from bot.store.models import AnswerVote, QueryOpen, utcnow
from handlers.query_log import purge_job
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, StoredMessage
from tests.handlers.conftest import RunningBot, open_data

pytestmark = pytest.mark.db

ADMIN_ID, ZH_ADMIN_ID = 4242, 77  # each admin's chat keeps the language it first used
LANGUAGES = [
    pytest.param(
        "zh-hk",
        ("👍 有幫助", "👎 沒幫助", "✅ 👍 有幫助", "✅ 👎 沒幫助"),
        ("謝謝！很高興幫到你。", "謝謝，已記下：我們會用來改善搜尋。", "已撤回評價。"),
        id="zh",
    ),
    pytest.param(
        "en",
        ("👍 Helpful", "👎 Not helpful", "✅ 👍 Helpful", "✅ 👎 Not helpful"),
        (
            "Thanks! Glad it helped.",
            "Thanks, noted: we use this to improve search.",
            "Vote withdrawn.",
        ),
        id="en",
    ),
]


@pytest.fixture
def bot_env() -> dict[str, str]:
    """ADMIN_IDS for /stats; flood limits out of the way of the hostile batch."""
    return {
        "ADMIN_IDS": f"{ADMIN_ID},{ZH_ADMIN_ID}",
        "FLOOD_RATE_PER_MINUTE": "6000",
        "FLOOD_BURST": "1000",
    }


def _votes(bot: RunningBot) -> list[tuple[str, str, str]]:
    with bot.sessions() as session:
        rows = session.scalars(select(AnswerVote).order_by(AnswerVote.id))
        return [(row.query, row.record_id, row.vote) for row in rows]


def _opens(bot: RunningBot) -> list[tuple[str, str]]:
    with bot.sessions() as session:
        rows = session.scalars(select(QueryOpen).order_by(QueryOpen.id))
        return [(row.query, row.record_id) for row in rows]


def _feedback_buttons(message: StoredMessage) -> list[dict[str, Any]]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [b for row in rows for b in row if b.get("callback_data", "").startswith("fb:")]


def _assert_anonymous(bot: RunningBot, *ids: int) -> None:
    """No stored vote or opened-answer row holds a user or chat id, in any column."""
    with bot.sessions() as session:
        rows: list[Any] = [
            *session.scalars(select(AnswerVote)),
            *session.scalars(select(QueryOpen)),
        ]
        for row in rows:
            values = [str(getattr(row, column.key)) for column in row.__table__.columns]
            for known in ids:
                assert not any(str(abs(known)) in value for value in values), values


async def _open_from_search(
    bot: RunningBot, query: str, record_id: str, user: int, language: str
) -> StoredMessage:
    reply = await bot.say(query, user_id=user, language_code=language)
    before = len(bot.api.sent_messages(user))
    await bot.press(reply, open_data(reply, record_id), user)
    return (await bot.api.wait_for_messages(user, before + 1))[-1]


async def _vote(
    bot: RunningBot, message: StoredMessage, label: str, user: int
) -> tuple[str | None, StoredMessage]:
    """Press the 👍/👎 button labelled `label`; the toast and the message once edited."""
    [data] = [b["callback_data"] for b in _feedback_buttons(message) if b["text"] == label]
    edits = len(bot.api.message(message.chat_id, message.message_id).history)  # type: ignore[union-attr]
    query_id = await bot.press(message, data, user)
    answer = bot.api.callback_answer(query_id)
    assert answer is not None

    def edited() -> StoredMessage | None:
        current = bot.api.message(message.chat_id, message.message_id)
        return current if current is not None and len(current.history) > edits else None

    return answer.get("text"), await bot.api.wait_for(edited, timeout=10)


@pytest.mark.parametrize(("language", "labels", "toasts"), LANGUAGES)
async def test_vote_change_and_withdraw(
    running_bot: RunningBot,
    language: str,
    labels: tuple[str, str, str, str],
    toasts: tuple[str, str, str],
) -> None:
    up, down, up_chosen, down_chosen = labels
    user = 5101 if language == "en" else 5102
    api = running_bot.api
    full = await _open_from_search(running_bot, "撤銷烈酒稅", "bpa24-6", user, language)
    assert "打造香港成為國際名酒交易中心" in full.text
    assert [b["text"] for b in _feedback_buttons(full)] == [up, down]
    folded = fold_query("撤銷烈酒稅")
    await api.wait_for(lambda: _opens(running_bot) == [(folded, "bpa24-6")])
    sent = len(api.sent_messages(user))

    toast, shown = await _vote(running_bot, full, up, user)
    assert toast == toasts[0]
    assert [b["text"] for b in _feedback_buttons(shown)] == [up_chosen, down]
    assert _votes(running_bot) == [(folded, "bpa24-6", "up")]
    assert shown.text == full.text  # only the buttons changed
    assert len(shown.callback_data()) == len(full.callback_data())

    toast, shown = await _vote(running_bot, shown, down, user)  # changed: the other replaces it
    assert toast == toasts[1]
    assert [b["text"] for b in _feedback_buttons(shown)] == [up, down_chosen]
    assert _votes(running_bot) == [(folded, "bpa24-6", "down")]

    toast, shown = await _vote(running_bot, shown, down_chosen, user)  # the same: withdrawn
    assert toast == toasts[2]
    assert [b["text"] for b in _feedback_buttons(shown)] == [up, down]
    assert _votes(running_bot) == []

    assert len(api.sent_messages(user)) == sent  # toasts and edits only, never a new message
    assert not api.calls("editMessageText")
    _assert_anonymous(running_bot, user, DEFAULT_USER_ID)


async def test_votes_of_two_members_are_counted_apart(running_bot: RunningBot) -> None:
    first = await _open_from_search(running_bot, "撤銷烈酒稅", "bpa24-6", 5201, "zh-hk")
    second = await _open_from_search(running_bot, "撤销烈酒税", "bpa24-6", 5202, "en")
    await _vote(running_bot, first, "👍 有幫助", 5201)
    _, second = await _vote(running_bot, second, "👍 Helpful", 5202)
    await _vote(running_bot, second, "👎 Not helpful", 5202)  # one member changes their mind
    assert sorted(vote for *_, vote in _votes(running_bot)) == ["down", "up"]
    assert {query for query, *_ in _votes(running_bot)} == {fold_query("撤銷烈酒稅")}  # folded: one
    _assert_anonymous(running_bot, 5201, 5202)


async def test_a_stale_double_tap_keeps_store_and_buttons_agreeing(running_bot: RunningBot) -> None:
    """Two taps on the same 👍 before the first edit arrives: the second applies to the state
    the first left (a withdrawal), so the store holds what the buttons finally show."""
    full = await _open_from_search(running_bot, "撤銷烈酒稅", "bpa24-6", 5301, "en")
    [up] = [b["callback_data"] for b in _feedback_buttons(full) if b["text"] == "👍 Helpful"]
    await running_bot.press(full, up, 5301)
    await running_bot.press(full, up, 5301)  # the same stale button again

    def edited_twice() -> StoredMessage | None:
        current = running_bot.api.message(full.chat_id, full.message_id)
        return current if current is not None and len(current.history) >= 2 else None

    final = await running_bot.api.wait_for(edited_twice, timeout=10)
    chosen = [b["text"] for b in _feedback_buttons(final) if b["text"].startswith("✅")]
    assert chosen == [] and _votes(running_bot) == []


async def test_groups_and_direct_opens_show_no_vote(running_bot: RunningBot) -> None:
    api = running_bot.api
    [results] = await running_bot.exchange(api.build.group_command("s", "烈酒稅"), DEFAULT_GROUP_ID)
    before = len(api.sent_messages(DEFAULT_GROUP_ID))
    await running_bot.press(results, open_data(results, "bpa24-6"))
    full = (await api.wait_for_messages(DEFAULT_GROUP_ID, before + 1))[-1]
    assert "打造香港成為國際名酒交易中心" in full.text
    assert _feedback_buttons(full) == []  # one shared message: no single member's vote
    await api.wait_for(lambda: _opens(running_bot) == [(fold_query("烈酒稅"), "bpa24-6")])
    direct = await running_bot.say("/rec bpa24-6")  # not opened from a search
    assert _feedback_buttons(direct) == []
    _assert_anonymous(running_bot, DEFAULT_GROUP_ID, DEFAULT_USER_ID)


async def test_hostile_vote_data_is_answered_and_never_stored(running_bot: RunningBot) -> None:
    """Callback data drawn by hypothesis (forged `fb:` fields, unknown keys and ids, odd times,
    oversize, other alphabets) pressed on a real full view: every press gets an answer, none a
    message, and a vote is stored only for a real saved search and a real recommendation."""
    full = await _open_from_search(running_bot, "撤銷烈酒稅", "bpa24-6", 5401, "en")
    [real] = [b["callback_data"] for b in _feedback_buttons(full) if b["text"] == "👍 Helpful"]
    key = real.split(":")[4]
    field = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.:中 ", max_size=12)
    drawn: list[str] = []

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.one_of(
            st.builds(
                lambda v, s, t, k, r: f"fb:{v}:{s}:{t}:{k}:{r}",
                st.sampled_from(["u", "d", "x", "", "uu"]),
                st.sampled_from(["n", "u", "d", "z", ""]),
                st.one_of(st.sampled_from(["0", "zzzzzzz", "zzzzzzzz", "-1"]), field),
                st.one_of(st.just(key), field),
                st.one_of(st.sampled_from(["bpa24-6", "nope-1", "BPA24-6"]), field),
            ),
            st.text(max_size=80).map(lambda text: "fb:" + text),
        )
    )
    def collect(data: str) -> None:
        drawn.append(data)

    collect()
    api = running_bot.api
    sent = len(api.sent_messages(5401))
    for data in drawn:
        update = api.build.callback_query(full, data, 5401, check=False)
        api.push_update(update)
        query_id = update["callback_query"]["id"]
        try:
            await api.wait_for(lambda q=query_id: api.callback_answer(q), timeout=10)
        except TimeoutError:
            raise AssertionError(f"no answer to {data!r}") from None
    assert len(api.sent_messages(5401)) == sent
    for query, record_id, vote in _votes(running_bot):
        assert (query, record_id) == (fold_query("撤銷烈酒稅"), "bpa24-6") and vote in (
            "up",
            "down",
        )
    _assert_anonymous(running_bot, 5401)


async def test_stats_shows_feedback_and_alias_suggestions(running_bot: RunningBot) -> None:
    api = running_bot.api
    # A word the corpus lacks (火星), in a query that finds nothing and in one that finds
    # something through its other word; a member opens an answer after the latter and votes 👎.
    await running_bot.say("火星殖民地", user_id=5501)
    full = await _open_from_search(running_bot, "火星 烈酒稅", "bpa24-6", 5502, "zh-hk")
    await _vote(running_bot, full, "👎 沒幫助", 5502)
    await asyncio.sleep(0.3)  # the query log is written after each reply
    for admin, language, titles in (
        (
            ADMIN_ID,
            "en",
            ("Answers voted down most", "Queries with the most 👎 and no 👍", "Alias suggestions"),
        ),
        (ZH_ADMIN_ID, "zh-hk", ("最多 👎 的答案", "最多 👎 而沒有 👍 的查詢", "別名建議")),
    ):
        before = len(api.sent_messages(admin))
        photos = len(api.calls("sendPhoto"))
        api.push_update(api.build.private_message("/stats", admin, language_code=language))
        await api.wait_for(lambda p=photos: len(api.calls("sendPhoto")) == p + 2, timeout=30)
        texts = [m.text or "" for m in api.sent_messages(admin)[before:] if "text" in m.data]
        joined = "\n".join(texts)
        down, disliked, aliases = (joined.split(title)[1] for title in titles)
        assert "bpa24-6" in down.split("\n\n")[0]
        assert "火星 烈酒稅" in disliked.split("\n\n")[0]
        rows = [line for line in aliases.split("\n\n")[0].splitlines() if line.startswith("火星")]
        assert rows and "bpa24-6" in rows[0]  # the word, next to what was opened after it
        lines = aliases.split("\n\n")[0].splitlines()[2:]  # after the title's end and the header
        words = [line.split()[0] for line in lines if line.strip()]
        assert "火星" in words and not any("烈酒" in word for word in words), (
            words
        )  # corpus has 烈酒


async def test_the_daily_purge_job_applies_the_query_log_retention(running_bot: RunningBot) -> None:
    now = utcnow()
    with running_bot.sessions.begin() as session:
        for days in (1, 89, 91):
            at = now - timedelta(days=days)
            log_open(session, f"q{days}", "bpa24-6", retention_days=90, now=at)
            change_vote(
                session,
                f"q{days}",
                "bpa24-6",
                old=None,
                old_at=None,
                new="up",
                retention_days=90,
                now=at,
            )
    assert running_bot.app.job_queue is not None
    [job] = [job for job in running_bot.app.job_queue.jobs() if job.callback is purge_job]
    await job.run(running_bot.app)
    assert sorted(query for query, _ in _opens(running_bot)) == ["q1", "q89"]
    assert sorted(query for query, *_ in _votes(running_bot)) == ["q1", "q89"]
