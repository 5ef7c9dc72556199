"""`python -m bot run` with MINIAPP_URL set: long polling answers chats while the same process
serves the Mini App (page and API) and /healthz on $PORT; SIGTERM stops both."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from bot.ingest.pipeline import ingest
from bot.store.db import SessionFactory
from tests.bot_process import BotProcess, bot_environment, database_url, free_port
from tests.fake_bot_api import DEFAULT_USER_ID, FakeBotAPI
from tests.miniapp.conftest import auth, init_data

pytestmark = pytest.mark.db
APP = "https://bot.example.org/app"


async def test_run_serves_the_mini_app_beside_polling(
    fake_bot_api: FakeBotAPI, engine: Engine, sessions: SessionFactory, tmp_path: Path
) -> None:
    ingest(sessions)
    port = free_port()
    env = bot_environment(
        fake_bot_api.token,
        fake_bot_api.base_url,
        database_url(engine),
        MINIAPP_URL=APP,
        PORT=str(port),
    )
    bot = await BotProcess.start(["run"], env, tmp_path, "run")
    try:
        await bot.wait_healthy()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/app")).status_code == 200
            assert (await http.post("/telegram", json={})).status_code in (404, 405)
            signed = auth(init_data(token=fake_bot_api.token, language="en"))
            found = await http.get("/api/search", params={"q": "中試"}, headers=signed)
            assert found.status_code == 200 and found.json()["total"] > 0
            forged = auth(init_data(token="1111111:AAnot-this-bots-token-at-all-xx"))
            assert (await http.get("/api/session", headers=forged)).status_code == 401
        fake_bot_api.push_update(fake_bot_api.build.private_message("中試"))
        [reply] = await fake_bot_api.wait_for_messages(DEFAULT_USER_ID, 1, timeout=30)
        web_apps = [
            b for row in reply.reply_markup["inline_keyboard"] for b in row if "web_app" in b
        ]  # type: ignore[index]
        assert web_apps and web_apps[0]["web_app"]["url"].startswith(APP + "?start=q_")
        assert fake_bot_api.state.menu_buttons[None]["web_app"] == {"url": APP}
    finally:
        bot.terminate()
        code = await bot.wait()
    assert code == 0, bot.stderr[-3000:]
