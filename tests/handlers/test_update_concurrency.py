"""UPDATE_CONCURRENCY above 1: a slow chat does not hold up another chat, and one chat's
updates are still answered in the order they came."""

from __future__ import annotations

import asyncio

import pytest

from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db
SLOW, QUICK = 6001, 6002


@pytest.fixture
def bot_env() -> dict[str, str]:
    return {"UPDATE_CONCURRENCY": "8"}


async def test_other_chats_overlap_one_chat_stays_in_order(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.delay(1.0, "sendMessage", count=1)  # the slow chat's first answer takes a second
    api.push_update(api.build.private_message("中試", SLOW))
    api.push_update(api.build.private_message("烈酒稅", SLOW))
    await asyncio.sleep(0.3)  # SLOW's first answer is now on its way (held by the fake)
    api.push_update(api.build.private_message("北部都會區", QUICK))
    await api.wait_for_messages(SLOW, 2, timeout=10)
    # In the order the fake answered them (its log), not by the messages' one-second dates.
    calls = [call for call in api.calls("sendMessage") if call.ok]
    order = [(int(call.params["chat_id"]), str(call.params["text"])) for call in calls]
    assert [chat for chat, _ in order] == [QUICK, SLOW, SLOW]  # QUICK did not wait for SLOW
    headlines = [text.split("\n")[0] for _, text in order]
    assert "中試" in headlines[1] and "烈酒稅" in headlines[2]  # SLOW's answers in order
