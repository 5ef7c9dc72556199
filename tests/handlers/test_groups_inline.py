"""Group discussions (privacy mode: commands, mentions, replies), inline mode, membership and
errors, against the fake Bot API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.store.models import Chat, Recommendation
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID
from tests.handlers.conftest import RunningBot, opened_ids

pytestmark = pytest.mark.db


async def test_group_command_answers_compactly(running_bot: RunningBot) -> None:
    api = running_bot.api
    [reply] = await running_bot.exchange(api.build.group_command("s", "人才"), DEFAULT_GROUP_ID)
    opened = [d for d in reply.callback_data() if d.startswith("r:")]
    assert len(opened) == 3
    assert reply.data.get("reply_to_message")  # threads stay readable
    urls = [
        button["url"]
        for row in reply.reply_markup["inline_keyboard"]
        for button in row
        if "url" in button
    ]
    assert urls
    assert urls[0].startswith(f"https://t.me/{api.bot_username}?start=q_")


async def test_group_mention_and_reply_are_searches(running_bot: RunningBot) -> None:
    api = running_bot.api
    [first] = await running_bot.exchange(api.build.mention("", " 烈酒稅"), DEFAULT_GROUP_ID)
    assert "bpa24-6" in opened_ids(first)
    [second] = await running_bot.exchange(api.build.reply_to(first, "中試"), DEFAULT_GROUP_ID)
    assert any(d.startswith("r:") for d in second.callback_data())


async def test_group_chatter_is_left_alone(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.push_update(api.build.group_message("今晚食咩好"))
    [reply] = await running_bot.exchange(api.build.group_command("help"), DEFAULT_GROUP_ID)
    assert api.sent_messages(DEFAULT_GROUP_ID) == [reply]


async def test_empty_group_command_explains(running_bot: RunningBot) -> None:
    api = running_bot.api
    [reply] = await running_bot.exchange(api.build.group_command("search"), DEFAULT_GROUP_ID)
    assert "/s" in reply.text


async def test_added_greets_and_removed_deactivates(running_bot: RunningBot) -> None:
    api = running_bot.api
    [hello] = await running_bot.exchange(api.build.bot_added(), DEFAULT_GROUP_ID)
    assert f"@{api.bot_username}" in hello.text
    api.push_update(api.build.bot_removed())

    def inactive() -> bool:
        with running_bot.sessions() as session:
            chat = session.scalars(select(Chat).where(Chat.id == DEFAULT_GROUP_ID)).first()
            return chat is not None and not chat.active

    await api.wait_for(inactive, timeout=10)


async def test_blocked_then_start_reactivates(running_bot: RunningBot) -> None:
    api = running_bot.api
    await running_bot.say("/start")
    api.push_update(api.build.bot_blocked())

    def active_is(expected: bool) -> bool:
        with running_bot.sessions() as session:
            chat = session.get(Chat, DEFAULT_USER_ID)
            return chat is not None and chat.active is expected

    await api.wait_for(lambda: active_is(False), timeout=10)
    api.push_update(api.build.bot_unblocked())
    await running_bot.say("/start")
    assert active_is(True)


async def test_group_language_needs_an_admin(running_bot: RunningBot) -> None:
    api = running_bot.api
    [menu] = await running_bot.exchange(api.build.group_command("lang"), DEFAULT_GROUP_ID)
    api.set_chat_member(DEFAULT_GROUP_ID, DEFAULT_USER_ID, "member")
    query_id = await running_bot.press(menu, "l:en")
    answer = api.callback_answer(query_id)
    assert answer is not None
    assert answer.get("show_alert") in (True, "true")
    api.set_chat_member(DEFAULT_GROUP_ID, DEFAULT_USER_ID, "administrator")
    edited = await running_bot.press_and_edit(menu, "l:en")
    assert "English" in edited.text


async def test_inline_pages_to_the_last_page(running_bot: RunningBot) -> None:
    api = running_bot.api
    offset, seen, pages = "", [], 0
    while True:
        update = api.build.inline_query("人才", offset=offset)
        api.push_update(update)
        query_id = update["inline_query"]["id"]
        answer = await api.wait_for(lambda q=query_id: api.inline_answer(q), timeout=10)
        results = answer["results"]
        seen += [result["id"] for result in results]
        pages += 1
        assert len(results) <= 20
        next_offset = answer.get("next_offset")
        if not next_offset:
            break
        offset = next_offset
    assert pages >= 2
    assert len(seen) == len(set(seen))
    assert all(len(result_id.encode()) <= 64 for result_id in seen)


async def test_inline_result_carries_the_proposal_and_citation(running_bot: RunningBot) -> None:
    api = running_bot.api
    update = api.build.inline_query("撤銷烈酒稅")
    api.push_update(update)
    answer = await api.wait_for(lambda: api.inline_answer(update["inline_query"]["id"]))
    first = answer["results"][0]
    assert first["id"] == "bpa24-6"
    content = first["input_message_content"]["message_text"]
    assert "香港經濟民生聯盟" in content
    assert "bpa24-6" in content


async def test_empty_inline_query_shows_featured(running_bot: RunningBot) -> None:
    api = running_bot.api
    update = api.build.inline_query("")
    api.push_update(update)
    answer = await api.wait_for(lambda: api.inline_answer(update["inline_query"]["id"]))
    assert len(answer["results"]) >= 10


async def test_a_failed_reply_is_reported_and_the_bot_carries_on(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.fail_next("sendMessage", 1, error_code=400, description="Bad Request: message is too long")
    apology = await running_bot.say("中試")
    assert "出錯" in apology.text
    reply = await running_bot.say("中試")
    assert any(d.startswith("r:") for d in reply.callback_data())


async def test_a_repeated_inline_query_is_answered_alike_until_the_corpus_changes(
    running_bot: RunningBot,
) -> None:
    api = running_bot.api

    async def ask(user_id: int) -> list[dict[str, object]]:
        update = api.build.inline_query("撤銷烈酒稅", user_id=user_id)
        api.push_update(update)
        answer = await api.wait_for(lambda: api.inline_answer(update["inline_query"]["id"]))
        # Personal for Telegram (answers are in the typist's language); a replica's own pages are
        # shared by typists of one language.
        assert answer["cache_time"] == 60 and answer["is_personal"] is True
        return list(answer["results"])

    first = await ask(DEFAULT_USER_ID)
    assert first[0]["id"] == "bpa24-6"
    assert await ask(DEFAULT_USER_ID + 1) == first  # another typist, the same page
    with running_bot.sessions.begin() as session:
        record = session.get(Recommendation, "bpa24-6")
        assert record is not None
        record.title = "撤銷烈酒稅（已修訂）"
    services = running_bot.app.bot_data["services"]
    assert services.index.refresh(force=True)  # a new corpus: a new index
    again = await ask(DEFAULT_USER_ID)
    titles = {result["id"]: result["title"] for result in again}
    assert titles["bpa24-6"] == "撤銷烈酒稅（已修訂）"  # not the page from the older index
