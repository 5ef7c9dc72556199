"""The anonymous query log, written by real searches through the fake Bot API: one entry per
search in each kind of chat, none for paging, never who asked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.store.models import QueryLogEntry, utcnow
from bot.store.query_log import log_query
from handlers.query_log import PURGE_INTERVAL_SECONDS, purge_job
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db


def _entries(running_bot: RunningBot) -> list[QueryLogEntry]:
    with running_bot.sessions() as session:
        return list(session.scalars(select(QueryLogEntry).order_by(QueryLogEntry.id)))


async def _wait_for_entries(running_bot: RunningBot, count: int) -> list[QueryLogEntry]:
    def enough() -> list[QueryLogEntry] | None:
        entries = _entries(running_bot)
        return entries if len(entries) >= count else None

    return await running_bot.api.wait_for(enough, timeout=10)


def _assert_anonymous(entries: list[QueryLogEntry]) -> None:
    ids = {str(DEFAULT_USER_ID), str(DEFAULT_GROUP_ID), str(abs(DEFAULT_GROUP_ID))}
    for entry in entries:
        row = (entry.chat_type, entry.text, str(entry.results), entry.at.isoformat())
        assert not any(known in value for known in ids for value in row)


async def test_private_search_is_logged_once_and_paging_is_not(running_bot: RunningBot) -> None:
    first = await running_bot.say("人才")
    [entry] = await _wait_for_entries(running_bot, 1)
    assert (entry.chat_type, entry.text) == ("private", "人才")
    assert entry.results > 5  # more than one page
    next_page = next(d for d in first.callback_data() if d.startswith("p:"))
    await running_bot.press_and_edit(first, next_page)
    await asyncio.sleep(0.3)
    assert len(_entries(running_bot)) == 1
    _assert_anonymous(_entries(running_bot))


async def test_nothing_found_is_logged_with_zero(running_bot: RunningBot) -> None:
    await running_bot.say("/search 火星殖民地")
    [entry] = await _wait_for_entries(running_bot, 1)
    assert (entry.chat_type, entry.text, entry.results) == ("private", "火星殖民地", 0)


async def test_group_command_and_mention_are_logged(running_bot: RunningBot) -> None:
    api = running_bot.api
    await running_bot.exchange(api.build.group_command("s", "中試"), DEFAULT_GROUP_ID)
    await running_bot.exchange(api.build.mention("", " 烈酒稅"), DEFAULT_GROUP_ID)
    entries = await _wait_for_entries(running_bot, 2)
    assert [(e.chat_type, e.text) for e in entries] == [
        ("supergroup", "中試"),
        ("supergroup", "烈酒稅"),
    ]
    assert all(e.results > 0 for e in entries)
    _assert_anonymous(entries)


async def test_inline_keystrokes_log_only_the_final_query(running_bot: RunningBot) -> None:
    api = running_bot.api
    for typed in ("烈", "烈酒", "烈酒稅"):
        update = api.build.inline_query(typed)
        api.push_update(update)
        await api.wait_for(lambda u=update: api.inline_answer(u["inline_query"]["id"]))
    [entry] = await _wait_for_entries(running_bot, 1)
    assert (entry.chat_type, entry.text) == ("inline", "烈酒稅")
    assert entry.results > 0
    # Scrolling to a later page of the same query is not a new search.
    later = api.build.inline_query("烈酒稅", offset="20")
    api.push_update(later)
    await api.wait_for(lambda: api.inline_answer(later["inline_query"]["id"]))
    await asyncio.sleep(2.5)
    assert len(_entries(running_bot)) == 1
    _assert_anonymous(_entries(running_bot))


async def test_daily_job_purges_past_retention(running_bot: RunningBot) -> None:
    now = utcnow()
    with running_bot.sessions.begin() as session:
        for days, text in ((1, "recent"), (89, "edge"), (91, "old")):
            log_query(session, text, "private", 1, retention_days=90, at=now - timedelta(days=days))
    assert running_bot.app.job_queue is not None
    [job] = [job for job in running_bot.app.job_queue.jobs() if job.callback is purge_job]
    assert job.job.trigger.interval.total_seconds() == PURGE_INTERVAL_SECONDS
    await job.run(running_bot.app)
    assert sorted(entry.text for entry in _entries(running_bot)) == ["edge", "recent"]
