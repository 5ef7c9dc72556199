"""Broadcast progress in the store: every active chat at most once, whatever happens between."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.admin import broadcast
from bot.messaging.sender import Blocked, ChatGone, Migrated, Outcome, Sent, Transient
from bot.store.chats import touch_chat
from bot.store.db import SessionFactory
from bot.store.models import Chat, PendingAction, utcnow
from bot.store.subscriptions import set_chat_reachable
from bot.ui.render import Message

ADMIN = 42
PRIVATE = [101, 102, 103, 104]
GROUPS = [-500, -1001234]


class Killed(BaseException):
    """The process dies (nothing after it runs)."""


class ScriptedSender:
    """Records every send; answers from a script per chat (default: delivered)."""

    def __init__(self, script: dict[int, list[Outcome]] | None = None, kill_after: int = 0) -> None:
        self.script = script or {}
        self.calls: list[int] = []
        self.texts: list[str] = []
        self.kill_after = kill_after

    async def send(self, chat_id: int, messages: Sequence[Message]) -> Outcome:
        self.calls.append(chat_id)
        self.texts.extend(message.html for message in messages)
        planned = self.script.get(chat_id)
        outcome = planned.pop(0) if planned else Sent((len(self.calls),))
        if self.kill_after and len(self.calls) == self.kill_after:
            raise Killed  # the message went out; the process died before recording it
        await asyncio.sleep(0)
        return outcome


@pytest.fixture
def store(sessions: SessionFactory) -> SessionFactory:
    with sessions.begin() as session:
        for chat_id in PRIVATE:
            touch_chat(session, chat_id, "private", None)
        touch_chat(session, -500, "group", "Small group")
        touch_chat(session, -1001234, "supergroup", "Big group")
        touch_chat(session, -1009999, "channel", "A channel")  # never written to
        touch_chat(session, 999, "private", None)
        set_chat_reachable(session, 999, False)  # blocked the bot earlier
    return sessions


def _create(sessions: SessionFactory, text: str = "Hello <members> & friends\nline 2") -> str:
    with sessions.begin() as session:
        return broadcast.create(session, ADMIN, ADMIN, text, "en", utcnow())


async def _confirm_and_run(
    sessions: SessionFactory, sender: ScriptedSender, key: str
) -> broadcast.BroadcastReport | None:
    started = broadcast.confirm(sessions, key, ADMIN)
    assert started.status == broadcast.PENDING and started.owner
    return await broadcast.run(sessions, sender, key, started.owner, backoff=0.0)


def _action(sessions: SessionFactory, key: str) -> PendingAction:
    action = broadcast.load(sessions, key)
    assert action is not None
    return action


def test_recipients_are_active_private_chats_and_groups(store: SessionFactory) -> None:
    with store() as session:
        recipients = broadcast.count_recipients(session)
    assert (recipients.private, recipients.groups, recipients.total) == (4, 2, 6)


async def test_every_active_chat_gets_it_once(store: SessionFactory) -> None:
    key = _create(store)
    sender = ScriptedSender()
    report = await _confirm_and_run(store, sender, key)
    assert sorted(sender.calls) == sorted(PRIVATE + GROUPS)
    assert set(sender.texts) == {"Hello &lt;members&gt; &amp; friends\nline 2"}
    assert report is not None
    assert (report.sent, report.blocked, report.failed) == (6, 0, 0)
    assert (report.chat_id, report.language) == (ADMIN, "en")
    assert _action(store, key).status == broadcast.DONE


async def test_second_confirm_sends_nothing(store: SessionFactory) -> None:
    key = _create(store)
    sender = ScriptedSender()
    await _confirm_and_run(store, sender, key)
    again = broadcast.confirm(store, key, ADMIN)
    assert again == broadcast.Started(broadcast.DONE)
    assert len(sender.calls) == 6


async def test_confirm_while_sending_does_not_start_a_second_run(store: SessionFactory) -> None:
    key = _create(store)
    first = broadcast.confirm(store, key, ADMIN)
    second = broadcast.confirm(store, key, ADMIN)
    assert first.owner and second == broadcast.Started(broadcast.SENDING)


def test_cancel_then_confirm_sends_nothing(store: SessionFactory) -> None:
    key = _create(store)
    assert broadcast.cancel(store, key, ADMIN) == broadcast.PENDING
    assert _action(store, key).status == broadcast.CANCELLED
    assert broadcast.confirm(store, key, ADMIN) == broadcast.Started(broadcast.CANCELLED)
    assert broadcast.cancel(store, key, ADMIN) == broadcast.CANCELLED


def test_only_its_admin_may_confirm_or_cancel(store: SessionFactory) -> None:
    key = _create(store)
    assert broadcast.confirm(store, key, 7) == broadcast.Started(None)
    assert broadcast.cancel(store, key, 7) is None
    assert broadcast.confirm(store, "nosuchkey", ADMIN) == broadcast.Started(None)
    assert _action(store, key).status == broadcast.PENDING


async def test_blocked_and_gone_chats_are_deactivated_failures_counted(
    store: SessionFactory,
) -> None:
    key = _create(store)
    sender = ScriptedSender(
        {
            101: [Blocked("Forbidden: bot was blocked by the user")],
            102: [ChatGone("Bad Request: chat not found")],
            103: [Transient("timed out")] * 5,
        }
    )
    report = await _confirm_and_run(store, sender, key)
    assert report is not None
    assert (report.sent, report.blocked, report.failed) == (3, 2, 1)
    with store() as session:
        assert session.get(Chat, 101).active is False  # type: ignore[union-attr]
        assert session.get(Chat, 102).active is False  # type: ignore[union-attr]
        assert session.get(Chat, 103).active is True  # type: ignore[union-attr]


async def test_crash_then_take_over_never_sends_twice(store: SessionFactory) -> None:
    key = _create(store)
    crashing = ScriptedSender(kill_after=3)
    with pytest.raises(Killed):
        await _confirm_and_run(store, crashing, key)
    assert broadcast.stale(store) == []  # the lease has not run out yet
    later = utcnow() + broadcast.LEASE + timedelta(seconds=1)
    assert broadcast.stale(store, later) == [key]
    owner = broadcast.take_over(store, key, later)
    assert owner is not None
    assert broadcast.take_over(store, key, later) is None  # just heartbeaten: not stale
    resumed = ScriptedSender()
    report = await broadcast.run(store, resumed, key, owner, backoff=0.0)
    everyone = crashing.calls + resumed.calls
    assert sorted(everyone) == sorted(PRIVATE + GROUPS)  # each once, none twice
    assert report is not None and report.sent == 5  # the crashed send was never recorded


async def test_a_run_that_was_taken_over_stops(store: SessionFactory) -> None:
    key = _create(store)
    started = broadcast.confirm(store, key, ADMIN)
    later = utcnow() + broadcast.LEASE + timedelta(seconds=1)
    assert broadcast.take_over(store, key, later) is not None
    old = ScriptedSender()
    assert started.owner is not None
    assert await broadcast.run(store, old, key, started.owner, backoff=0.0) is None
    assert old.calls == []


async def test_two_runs_at_once_share_the_chats(store: SessionFactory) -> None:
    key = _create(store)
    started = broadcast.confirm(store, key, ADMIN)
    assert started.owner is not None
    first, second = ScriptedSender(), ScriptedSender()
    await asyncio.gather(
        broadcast.run(store, first, key, started.owner, backoff=0.0),
        broadcast.run(store, second, key, started.owner, backoff=0.0),
    )
    assert sorted(first.calls + second.calls) == sorted(PRIVATE + GROUPS)


async def test_migrated_group_gets_it_at_its_new_id(store: SessionFactory) -> None:
    key = _create(store)
    sender = ScriptedSender({-500: [Migrated(-1005000)]})
    report = await _confirm_and_run(store, sender, key)
    assert sender.calls.count(-1005000) == 1 and sender.calls.count(-500) == 1
    assert report is not None and report.sent == 6
    with store() as session:
        assert session.get(Chat, -500).active is False  # type: ignore[union-attr]
        assert session.get(Chat, -1005000).active is True  # type: ignore[union-attr]


async def test_migrated_to_a_chat_already_sent_to_is_not_sent_again(
    store: SessionFactory,
) -> None:
    key = _create(store)
    sender = ScriptedSender({-500: [Migrated(-1001234)]})  # an existing, already visited chat
    await _confirm_and_run(store, sender, key)
    assert sender.calls.count(-1001234) == 1


def test_text_limits() -> None:
    assert broadcast.text_fits("a" * 4096)
    assert not broadcast.text_fits("a" * 4097)
    assert not broadcast.text_fits("😀" * 2049)  # two UTF-16 units each
    assert not broadcast.text_fits("")
