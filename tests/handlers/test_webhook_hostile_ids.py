"""A real `python -m bot webhook` process fed updates Telegram would never send (an update_id
that is NaN, Infinity, a string, null or a list): each is refused with 400, and the process
keeps answering the next member and stays healthy."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from bot.ingest.pipeline import ingest
from bot.store.db import SessionFactory
from handlers.webhook import SECRET_HEADER, WEBHOOK_PATH
from tests.bot_process import BotProcess
from tests.fake_bot_api import FakeBotAPI
from tests.fake_bot_api.absorb import absorb

pytestmark = pytest.mark.db
SECRET = "hostile-ids-secret-00001"
HOSTILE_IDS = (b"NaN", b"Infinity", b"-Infinity", b'"812"', b"null", b"[1, 2]", b"-5", b"1.5")


async def test_hostile_update_ids_are_refused_and_processing_goes_on(
    fake_bot_api: FakeBotAPI, engine: Engine, sessions: SessionFactory, tmp_path: Path
) -> None:
    ingest(sessions)
    bot = await BotProcess.start_webhook(
        fake_bot_api.token, fake_bot_api.base_url, engine, SECRET, tmp_path
    )
    port = bot.port
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    try:
        await bot.wait_healthy()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            message = fake_bot_api.build.private_message("中試", user_id=3001)
            message_json = httpx.Request("POST", "/", json=message).content[1:]  # `"message": …}`
            for raw_id in HOSTILE_IDS:
                body = b'{"update_id": ' + raw_id + b", " + message_json
                answer = await http.post(WEBHOOK_PATH, content=body, headers=headers)
                assert answer.status_code == 400, (raw_id, answer.status_code)
            good = {"update_id": 900, **fake_bot_api.build.private_message("中試", user_id=3002)}
            absorb(fake_bot_api.state, fake_bot_api.faults, good)
            assert (await http.post(WEBHOOK_PATH, json=good, headers=headers)).status_code == 200
            [reply] = await fake_bot_api.wait_for_messages(3002, 1, timeout=15)
            assert reply.text
            assert (await http.get("/healthz")).status_code == 200
        assert fake_bot_api.sent_messages(3001) == []
        bot.terminate()
        assert await bot.wait(60) == 0, bot.stderr[-3000:]
    finally:
        await bot.stop()
    assert "Traceback" not in bot.stderr
