"""Subscribing through the bot's buttons, and digests delivered through the real PTB Bot to the
fake Bot API with Telegram's faults injected."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.digest.deliver import DeliveryOptions, send_due
from bot.store.models import Chat, Delivery, DigestSchedule, Subscription
from bot.store.subscriptions import set_schedule, subscribe
from handlers.telegram_sender import TelegramSender
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db


def _options(running_bot: RunningBot) -> DeliveryOptions:
    settings = running_bot.app.bot_data["services"].settings
    return DeliveryOptions(zone=settings.timezone, bot_username="PolicyBot", backoff=0.0)


async def test_subscribe_flow_in_private(running_bot: RunningBot) -> None:
    picker = await running_bot.say("/subscribe")
    picker = await running_bot.press_and_edit(picker, "sub:t:innotech")
    picker = await running_bot.press_and_edit(picker, "sub:t:health")
    assert "✅" in str(picker.reply_markup)
    picker = await running_bot.press_and_edit(picker, "sub:next")
    picker = await running_bot.press_and_edit(picker, "sub:f:weekly")
    picker = await running_bot.press_and_edit(picker, "sub:w:4")
    done = await running_bot.press_and_edit(picker, "sub:h:weekly:4:20")
    assert "星期五" in done.text
    assert "20:00" in done.text
    summary = await running_bot.say("/subscriptions")
    assert "創新科技" in summary.text
    with running_bot.sessions() as session:
        schedule = session.get(DigestSchedule, DEFAULT_USER_ID)
        assert (schedule.frequency, schedule.weekday, schedule.hour) == ("weekly", 4, 20)
    menu = await running_bot.say("/unsubscribe")
    removed = await running_bot.press_and_edit(menu, "unsub:health")
    assert "醫療" in removed.text
    with running_bot.sessions() as session:
        areas = session.scalars(select(Subscription.area)).all()
        assert areas == ["innotech"]


async def test_subscribe_from_a_recommendation_in_english(running_bot: RunningBot) -> None:
    full = await running_bot.say("/rec bpa24-6", user_id=4004, language_code="en")
    button = next(data for data in full.callback_data() if data.startswith("sub:s:"))
    query_id = await running_bot.press(full, button, user_id=4004)
    answer = running_bot.api.callback_answer(query_id)
    assert answer is not None
    assert "Subscribed" in answer["text"]


async def test_group_member_may_read_but_not_change(running_bot: RunningBot) -> None:
    api = running_bot.api
    api.set_chat_member(DEFAULT_GROUP_ID, DEFAULT_USER_ID, "member")
    [refused] = await running_bot.exchange(api.build.group_command("subscribe"), DEFAULT_GROUP_ID)
    assert "管理員" in refused.text
    [summary] = await running_bot.exchange(
        api.build.group_command("subscriptions"), DEFAULT_GROUP_ID
    )
    assert summary.text
    api.set_chat_member(DEFAULT_GROUP_ID, DEFAULT_USER_ID, "administrator")
    [picker] = await running_bot.exchange(api.build.group_command("subscribe"), DEFAULT_GROUP_ID)
    await running_bot.press_and_edit(picker, "sub:t:tourism")
    with running_bot.sessions() as session:
        assert session.scalars(select(Subscription.chat_id)).all() == [DEFAULT_GROUP_ID]


async def test_digests_through_telegram_with_faults(running_bot: RunningBot) -> None:
    api = running_bot.api
    users = [5001, 5002, 5003, 5004, 5005, 5006]
    for user in users:
        await running_bot.say("/start", user_id=user)  # the chats exist for the fake
    with running_bot.sessions.begin() as session:
        for user in users:
            subscribe(session, user, "private", ["talent"], _options(running_bot).zone)
            set_schedule(session, user, "daily", 9, 0, _options(running_bot).zone)
    with running_bot.sessions() as session:
        when = max(session.scalars(select(DigestSchedule.next_due)))
    api.block_user(5002)
    api.forget_chat(5003)
    api.fail_next(
        "sendMessage",
        1,
        error_code=429,
        description="Too Many Requests: retry after 1",
        parameters={"retry_after": 1},
    )
    api.drop_connection("sendMessage", 1)
    sender = TelegramSender(running_bot.app.bot)
    report = await send_due(running_bot.sessions, sender, _options(running_bot), now=when)
    delivered = {user for user in users if api.sent_messages(user)[1:]}  # beyond /start's reply
    assert delivered == {5001, 5004, 5005, 5006}
    assert report.counts["blocked"] == 2
    with running_bot.sessions() as session:
        assert not session.get(Chat, 5002).active
        assert not session.get(Chat, 5003).active
    again = await send_due(
        running_bot.sessions, sender, replace(_options(running_bot), force=True), now=when
    )
    assert again.counts["sent"] == 0  # nothing twice, nothing to the deactivated chats
    for user in (5001, 5004, 5005, 5006):
        digests = [m for m in api.sent_messages(user) if "📬" in m.text]
        assert len(digests) == 1
        assert len(digests[0].text) <= 4096


async def test_migrated_group_gets_its_digest_in_the_supergroup(running_bot: RunningBot) -> None:
    api = running_bot.api
    old, new = -4001, -1004001
    await running_bot.exchange(api.build.bot_added(old), old)
    with running_bot.sessions.begin() as session:
        subscribe(session, old, "group", ["finance"], _options(running_bot).zone)
        set_schedule(session, old, "daily", 9, 0, _options(running_bot).zone)
    api.register_chat(new, "supergroup", title="Policy")
    api.migrate_chat(old, new)
    with running_bot.sessions() as session:
        when = session.get(DigestSchedule, old).next_due
    sender = TelegramSender(running_bot.app.bot)
    await send_due(running_bot.sessions, sender, _options(running_bot), now=when)
    assert any("📬" in m.text for m in api.sent_messages(new))
    with running_bot.sessions() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert (delivery.chat_id, delivery.status) == (new, "sent")


async def test_timeouts_are_retried(running_bot: RunningBot) -> None:
    api = running_bot.api
    await running_bot.say("/start", user_id=6001)
    with running_bot.sessions.begin() as session:
        subscribe(session, 6001, "private", ["land"], _options(running_bot).zone)
        set_schedule(session, 6001, "daily", 9, 0, _options(running_bot).zone)
    with running_bot.sessions() as session:
        when = session.get(DigestSchedule, 6001).next_due
    api.delay(6.0, "sendMessage", 1)  # longer than PTB's write/read timeout of 5 s
    sender = TelegramSender(running_bot.app.bot)
    await send_due(running_bot.sessions, sender, _options(running_bot), now=when + timedelta(0))
    digests = [m for m in api.sent_messages(6001) if "📬" in m.text]
    assert 1 <= len(digests) <= 2  # the slow one may land too: at most the one in flight
