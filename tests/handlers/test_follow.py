"""Following topics through the real Application and the fake Bot API, in both languages:
/follow, the "🔔 Follow this search" button, /following (counts, unfollow, notify at once),
/unfollow, the 20-topic limit and the group administrators' rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.filters import Filters
from bot.search import SearchIndex
from bot.search.topics import count_matches, topic_key
from bot.store.models import DigestSchedule, FollowedTopic
from bot.store.subscriptions import set_schedule, subscribe
from bot.store.topics import MAX_TOPICS, follow, topics_of
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db


def _zone(bot: RunningBot):  # type: ignore[no-untyped-def]
    return bot.app.bot_data["services"].settings.timezone


async def test_follow_then_pick_a_schedule_in_chinese(
    running_bot: RunningBot, search_index: SearchIndex
) -> None:
    answer = await running_bot.say("/follow 北部都会区")  # Simplified: the same engine as search
    expected = count_matches(search_index, "北部都会区", Filters())
    assert expected > 0
    assert "已開始追蹤「北部都会区」" in answer.text
    assert f"今日有 {expected} 項建議符合" in answer.text
    assert "sub:f:weekly" in answer.callback_data()  # no schedule yet: pick one
    picker = await running_bot.press_and_edit(answer, "sub:f:daily")
    done = await running_bot.press_and_edit(picker, "sub:h:daily:0:8")
    assert "1 個追蹤主題" in done.text and "8:00" in done.text
    with running_bot.sessions() as session:
        [topic] = topics_of(session, DEFAULT_USER_ID)
        assert topic.folded == topic_key("北部都會區")  # Traditional and Simplified: one key
        assert session.get(DigestSchedule, DEFAULT_USER_ID).frequency == "daily"

    again = await running_bot.say("/follow 北部都會區")
    assert "已經追蹤緊" in again.text
    assert "已加入呢個對話嘅摘要（每日 8:00）" in again.text  # a schedule now: it joins
    assert not again.callback_data()

    listing = await running_bot.say("/following")
    assert "北部都会区" in listing.text and f"而家有 {expected} 項建議" in listing.text
    notify = f"fw:n:{topic.id}"
    assert notify in listing.callback_data()
    listing = await running_bot.press_and_edit(listing, notify)
    assert "⚡" in listing.text.splitlines()[1]
    with running_bot.sessions() as session:
        assert topics_of(session, DEFAULT_USER_ID)[0].notify_now

    nothing = await running_bot.say("/follow 量子引力波火星殖民")
    assert "今日未有建議符合" in nothing.text  # allowed: a watch for future documents
    removed = await running_bot.say("/unfollow 量子引力波火星殖民")
    assert "已取消追蹤：量子引力波火星殖民" in removed.text
    missing = await running_bot.say("/unfollow 量子引力波火星殖民")
    assert "冇追蹤「量子引力波火星殖民」" in missing.text
    menu = await running_bot.say("/unfollow")
    emptied = await running_bot.press_and_edit(menu, "fw:x:all")
    assert "已取消追蹤：北部都会区" in emptied.text and "未追蹤任何主題" in emptied.text
    with running_bot.sessions() as session:
        assert not session.get(DigestSchedule, DEFAULT_USER_ID).active  # nothing left to send


async def test_follow_this_search_button_in_english(
    running_bot: RunningBot, search_index: SearchIndex
) -> None:
    user = 4101
    await running_bot.say("/start", user_id=user, language_code="en")
    with running_bot.sessions.begin() as session:
        subscribe(session, user, "private", ["finance"], _zone(running_bot))
        set_schedule(session, user, "weekly", 9, 4, _zone(running_bot))
    results = await running_bot.say("liquor duty", user_id=user, language_code="en")
    [data] = [d for d in results.callback_data() if d.startswith("fl:")]
    assert len(data.encode()) <= 64
    before = len(running_bot.api.sent_messages(user))
    await running_bot.press(results, data, user_id=user)
    messages = await running_bot.api.wait_for_messages(user, before + 1, timeout=10)
    answer = messages[before]
    expected = count_matches(search_index, "liquor duty", Filters())
    assert "Now following “liquor duty”" in answer.text
    assert f"{expected} proposal" in answer.text
    assert "It joins this chat's digest (every Friday at 9:00)" in answer.text
    empty = await running_bot.say("/follow", user_id=user, language_code="en")
    assert "/follow liquor duty" in empty.text  # how to use it
    too_long = await running_bot.say("/follow " + "rail " * 60, user_id=user, language_code="en")
    assert "at most 200 characters" in too_long.text
    listing = await running_bot.say("/following", user_id=user, language_code="en")
    assert "Topics followed</b>" not in listing.text and "Topics followed (1/20)" in listing.text
    with running_bot.sessions() as session:
        [topic] = topics_of(session, user)
    after = await running_bot.press_and_edit(listing, f"fw:x:{topic.id}", user_id=user)
    assert "Stopped following: liquor duty" in after.text
    with running_bot.sessions() as session:
        assert session.get(DigestSchedule, user).active  # the area still needs it


async def test_a_narrowed_search_is_followed_with_its_filter(running_bot: RunningBot) -> None:
    user = 4102
    results = await running_bot.say("鐵路 org:經民聯", user_id=user)
    [data] = [d for d in results.callback_data() if d.startswith("fl:")]
    await running_bot.press(results, data, user_id=user)
    await running_bot.api.wait_for(
        lambda: len(running_bot.api.sent_messages(user)) >= 2, timeout=10
    )
    with running_bot.sessions() as session:
        [topic] = topics_of(session, user)
    assert topic.text == "鐵路 org:經民聯"


async def test_at_most_twenty_topics(running_bot: RunningBot) -> None:
    cases = {
        4103: ("zh-Hant-HK", "已追蹤 20 個主題（上限）"),
        4104: ("en", "already follows 20 topics"),
    }
    for user, (language, expected) in cases.items():
        with running_bot.sessions.begin() as session:
            for n in range(MAX_TOPICS):
                follow(session, user, "private", f"t {n}", f"t {n}", Filters(), _zone(running_bot))
        full = await running_bot.say("/follow 北都", user_id=user, language_code=language[:2])
        assert expected in full.text
        with running_bot.sessions() as session:
            rows = session.scalars(select(FollowedTopic).where(FollowedTopic.chat_id == user))
            assert len(rows.all()) == MAX_TOPICS


async def test_group_members_may_read_only_administrators_change(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.set_chat_member(DEFAULT_GROUP_ID, DEFAULT_USER_ID, "member")
    [refused] = await running_bot.exchange(
        api.build.group_command("follow", "北都"), DEFAULT_GROUP_ID
    )
    assert "管理員" in refused.text
    [listing] = await running_bot.exchange(api.build.group_command("following"), DEFAULT_GROUP_ID)
    assert "未追蹤任何主題" in listing.text
    api.set_chat_member(DEFAULT_GROUP_ID, DEFAULT_USER_ID, "administrator")
    [followed] = await running_bot.exchange(
        api.build.group_command("follow", "北都"), DEFAULT_GROUP_ID
    )
    assert "已開始追蹤「北都」" in followed.text
    [listing] = await running_bot.exchange(api.build.group_command("following"), DEFAULT_GROUP_ID)
    api.set_chat_member(DEFAULT_GROUP_ID, DEFAULT_USER_ID, "member")
    remove = next(d for d in listing.callback_data() if d.startswith("fw:x:"))
    query = await running_bot.press(listing, remove)
    assert "管理員" in api.callback_answer(query)["text"]
    with running_bot.sessions() as session:
        assert [t.text for t in topics_of(session, DEFAULT_GROUP_ID)] == ["北都"]


async def test_markup_in_a_topic_is_shown_as_typed(running_bot: RunningBot) -> None:
    user = 4105
    for text in ("<b>中試</b> & <i>", "</a><script>"):
        answer = await running_bot.say(f"/follow {text}", user_id=user)  # the fake checks HTML
        assert text in answer.text
    listing = await running_bot.say("/following", user_id=user)
    assert "<b>中試</b> & <i>" in listing.text and "</a><script>" in listing.text
