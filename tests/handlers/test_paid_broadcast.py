"""TELEGRAM_PAID_BROADCAST through the real CLI process against the fake Bot API with Telegram's
flood limits on: digest sends carry `allow_paid_broadcast` exactly when it is set, and then pass
the free 30 messages/s that would otherwise answer 429; an admin broadcast is paid too, replies to
members never."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from bot.ingest.pipeline import ingest
from bot.store.db import SessionFactory
from bot.store.models import Delivery
from bot.store.subscriptions import set_schedule, subscribe
from tests.bot_process import BotProcess, bot_environment, database_url
from tests.fake_bot_api import FakeBotAPI
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db
ZONE = ZoneInfo("Asia/Hong_Kong")
CHATS = range(9100, 9140)
FREE_PER_SECOND = 5  # the fake's overall limit for unpaid messages here: low, so that passing it
# shows on a slow machine too


@pytest.mark.parametrize("paid", [True, False], ids=["paid", "free"])
async def test_digest_sends_carry_allow_paid_broadcast_only_when_enabled(
    fake_bot_api: FakeBotAPI,
    engine: Engine,
    sessions: SessionFactory,
    tmp_path: Path,
    paid: bool,
) -> None:
    ingest(sessions)
    with sessions.begin() as session:
        for chat_id in CHATS:
            subscribe(session, chat_id, "private", ["talent"], ZONE)
            set_schedule(session, chat_id, "daily", 9, 0, ZONE)
            fake_bot_api.register_chat(chat_id)
    fake_bot_api.enable_flood_limits(global_per_second=FREE_PER_SECOND if paid else 30)
    extra = {"TELEGRAM_PAID_BROADCAST": "true", "TELEGRAM_RATE_LIMIT": "200"} if paid else {}
    env = bot_environment(fake_bot_api.token, fake_bot_api.base_url, database_url(engine), **extra)
    process = await BotProcess.start(["digest", "send-due", "--force"], env, tmp_path, "digest")
    assert await process.wait(120) == 0, process.stderr[-3000:]

    calls = [call for call in fake_bot_api.calls("sendMessage") if call.params["chat_id"] in CHATS]
    assert calls
    carried = [call.params.get("allow_paid_broadcast") for call in calls]
    assert carried == [True if paid else None] * len(calls)
    assert fake_bot_api.flood.paid_messages == (len(calls) if paid else 0)
    with sessions() as session:
        statuses = session.scalars(select(Delivery.status)).all()
    assert sorted(statuses) == ["sent"] * len(CHATS)
    if paid:  # past the free limit in some second, and not one 429
        assert all(call.status == 200 for call in calls)
        busiest = max(sum(1 for c in calls if 0 <= c.at - call.at < 1.0) for call in calls)
        assert busiest > FREE_PER_SECOND


ADMIN = 4242
MEMBERS = [2101, 2102, 2103]


@pytest.fixture
def bot_env(fake_bot_api: FakeBotAPI) -> dict[str, str]:
    fake_bot_api.register_chat(ADMIN, first_name="Admin")
    return {"ADMIN_IDS": str(ADMIN), "TELEGRAM_PAID_BROADCAST": "true"}


async def test_admin_broadcast_is_paid_and_replies_are_not(running_bot: RunningBot) -> None:
    api = running_bot.api
    for member in MEMBERS:
        welcome = await running_bot.say("/start", user_id=member)
        assert welcome.text
    update = api.build.private_message("/broadcast 新文件已加入", ADMIN)
    [_preview, confirm] = await running_bot.exchange(update, ADMIN, count=2)
    ok_data = confirm.callback_data()[0]
    await running_bot.press(confirm, ok_data, user_id=ADMIN)
    await api.wait_for_messages(ADMIN, 3, timeout=10)  # the report
    sends = [call for call in api.calls("sendMessage") if call.params["chat_id"] in MEMBERS]
    paid = [call for call in sends if call.params.get("allow_paid_broadcast") is True]
    assert [call.params["text"] for call in paid] == ["新文件已加入"] * len(MEMBERS)
    replies = [call for call in sends if call not in paid]  # the welcomes: answers, never paid
    assert len(replies) == len(MEMBERS)
    assert all("allow_paid_broadcast" not in call.params for call in replies)
    assert api.flood.paid_messages == len(MEMBERS)
