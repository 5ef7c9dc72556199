"""The Mini App's server on a fresh store holding the real corpus, and initData signed as
Telegram signs it."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from bot.core.config import load_settings
from bot.ingest.pipeline import ingest
from bot.search import SearchIndex
from bot.search.live import LiveIndex
from bot.store.db import SessionFactory
from miniapp.app import miniapp_middleware, miniapp_routes
from miniapp.auth import sign
from miniapp.services import MiniAppServices

TOKEN = "123456789:AAtest-token-for-the-mini-app-tests"
OTHER_TOKEN = "987654321:AAanother-bot-s-token-entirely-xyz"
USER_ID = 424242


def init_data(
    token: str = TOKEN,
    user_id: int = USER_ID,
    language: str = "zh-hant",
    age: float = 60,
    **extra: str,
) -> str:
    """initData as Telegram gives it to the page, signed for `token`, `age` seconds old."""
    user = {"id": user_id, "first_name": "Chan", "language_code": language}
    fields = {
        "auth_date": str(int(time.time() - age)),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        **extra,
    }
    return sign(fields, token)


def auth(data: str) -> dict[str, str]:
    """The header the page sends."""
    return {"Authorization": f"tma {data}"}


@pytest.fixture
def miniapp_env() -> dict[str, str]:
    """Extra settings (override in a module)."""
    return {}


@pytest.fixture
def miniapp_services(
    sessions: SessionFactory, search_index: SearchIndex, miniapp_env: dict[str, str]
) -> MiniAppServices:
    """The Mini App's services over a fresh store with the corpus."""
    ingest(sessions)
    settings = load_settings({"BOT_TOKEN": TOKEN, **miniapp_env})
    return MiniAppServices(
        settings, sessions, LiveIndex(sessions, 3600, search_index), lambda: "hkpolicybot"
    )


@pytest.fixture
async def api(miniapp_services: MiniAppServices) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the Mini App's routes (in process)."""
    app = Starlette(routes=miniapp_routes(miniapp_services), middleware=miniapp_middleware())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        yield client
