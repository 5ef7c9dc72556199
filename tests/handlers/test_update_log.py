"""One INFO line per update (type, chat type, outcome, latency), claims that make a repeated
update a logged duplicate, and logs that never carry message text or the token."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.core.log import setup_logging
from bot.store.models import ProcessedUpdate, utcnow
from bot.store.processed_updates import RETENTION, claim_update, purge_processed_updates
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db
UPDATE_LOGGER = "handlers.updates"


def update_lines(records: list[logging.LogRecord]) -> dict[int, list[logging.LogRecord]]:
    """The processor's per-update records, by update id."""
    lines: dict[int, list[logging.LogRecord]] = {}
    for record in records:
        if record.name == UPDATE_LOGGER and hasattr(record, "update_id"):
            lines.setdefault(record.update_id, []).append(record)  # type: ignore[attr-defined]
    return lines


async def wait_for_lines(
    caplog: pytest.LogCaptureFixture, update_ids: set[int]
) -> dict[int, list[logging.LogRecord]]:
    """The log line comes right after the reply; wait for it (bounded)."""
    for _ in range(200):
        lines = update_lines(caplog.records)
        if update_ids <= set(lines):
            return lines
        await asyncio.sleep(0.02)
    raise AssertionError(f"no log line for {update_ids - set(update_lines(caplog.records))}")


async def test_one_line_per_update_with_its_outcome(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = running_bot.api
    secret_words = "烈酒稅 liquor-duty-private-words"
    handled = api.build.private_message(secret_words)
    handled_id = api.push_update(handled)
    await api.wait_for_messages(DEFAULT_USER_ID, 1, timeout=10)

    chatter = "group small talk not for the bot"
    ignored_id = api.push_update(api.build.group_message(chatter))

    api.fail_next("sendMessage")  # the handler's reply fails: the error handler apologises
    failing_id = api.push_update(api.build.private_message("中試"))
    await api.wait_for_messages(DEFAULT_USER_ID, 2, timeout=10)

    # The same update delivered again (a Telegram retry, or the other replica's copy).
    again = Update.de_json({**handled, "update_id": handled_id}, running_bot.app.bot)
    await running_bot.app.update_queue.put(again)

    assert handled_id and ignored_id and failing_id
    lines = await wait_for_lines(caplog, {handled_id, ignored_id, failing_id})
    await asyncio.sleep(0.2)  # let the duplicate's line arrive too
    lines = update_lines(caplog.records)
    outcomes = {update_id: [r.outcome for r in records] for update_id, records in lines.items()}  # type: ignore[attr-defined]
    assert outcomes == {
        handled_id: ["handled", "duplicate"],
        ignored_id: ["ignored"],
        failing_id: ["error"],
    }
    first = lines[handled_id][0]
    assert first.levelno == logging.INFO
    assert (first.update_type, first.chat_type) == ("message", "private")  # type: ignore[attr-defined]
    assert first.latency_ms > 0  # type: ignore[attr-defined]
    assert lines[ignored_id][0].chat_type == "supergroup"  # type: ignore[attr-defined]
    message = first.getMessage()
    assert message.startswith(f"update id={handled_id} type=message chat=private outcome=handled")
    assert "latency_ms=" in message
    for record in caplog.records:
        if record.levelno >= logging.INFO:
            text = record.getMessage()
            assert secret_words not in text and chatter not in text
    with running_bot.sessions() as session:
        claimed = session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert claimed == 3  # each update claimed once; the duplicate found its claim


async def test_production_logging_keeps_text_and_token_out(
    running_bot: RunningBot, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    try:
        setup_logging("INFO", secrets=[running_bot.api.token])
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        words = "北部都會區 secret-words-of-a-member"
        await running_bot.say(words)
        await running_bot.exchange(
            running_bot.api.build.group_command("s", "中試 group-secret"), DEFAULT_GROUP_ID
        )
        await asyncio.sleep(0.2)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    output = stream.getvalue()
    assert output.count("update id=") == 2
    assert "type=message chat=private outcome=handled" in output
    assert "type=message chat=supergroup outcome=handled" in output
    assert words not in output and "group-secret" not in output
    token = running_bot.api.token
    assert token not in output and token.split(":")[1] not in output


def test_claims_are_taken_once_and_purged_after_retention(sessions) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with sessions.begin() as session:
        assert claim_update(session, 5, now - RETENTION - timedelta(minutes=1)) is True
        assert claim_update(session, 6, now) is True
    with sessions.begin() as session:
        assert claim_update(session, 5, now) is False
        assert claim_update(session, 6, now) is False
    with sessions.begin() as session:
        assert purge_processed_updates(session, now) == 1
    with sessions.begin() as session:
        assert claim_update(session, 5, now) is True  # forgotten: a very late copy is new again
        assert claim_update(session, 6, now) is False


async def test_claims_are_purged_by_a_repeating_job(running_bot: RunningBot) -> None:
    assert running_bot.app.job_queue is not None
    names = [job.name for job in running_bot.app.job_queue.jobs()]
    assert "purge_processed" in names
