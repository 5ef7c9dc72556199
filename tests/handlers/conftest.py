"""The real Application, built by handlers.build_application, polling the fake Bot API over HTTP,
on a fresh store holding the real corpus."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from bot.core.config import load_settings
from bot.core.log import RedactingFormatter
from bot.ingest.pipeline import ingest
from bot.search import SearchIndex
from bot.search.live import LiveIndex
from bot.store.db import SessionFactory
from handlers.app import ALLOWED_UPDATES, build_application
from handlers.context import BotApplication
from tests.fake_bot_api import DEFAULT_USER_ID, FakeBotAPI, StoredMessage

SETTLE_SECONDS = 15.0


@dataclass
class RunningBot:
    """The fake API, the running application and its store, plus conversation helpers."""

    api: FakeBotAPI
    app: BotApplication
    sessions: SessionFactory

    async def settle(self) -> None:
        """Wait until every update pushed so far has been fetched and handled, whatever
        UPDATE_CONCURRENCY (updates of different chats may finish in any order); at most
        SETTLE_SECONDS."""
        async with asyncio.timeout(SETTLE_SECONDS):
            # The fake signals no event when updates are confirmed (by the next getUpdates, once
            # PTB has queued them): polled.
            while self.api.state.updates.pending:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            await self.app.update_queue.join()  # PTB marks each update done once handled

    async def say(self, text: str, user_id: int = DEFAULT_USER_ID, **user: Any) -> StoredMessage:
        """A private message from the user; returns the bot's (first new) reply."""
        return (
            await self.exchange(self.api.build.private_message(text, user_id, **user), user_id)
        )[0]

    async def exchange(
        self, update: dict[str, Any], chat_id: int, count: int = 1
    ) -> list[StoredMessage]:
        """Push an update; wait for `count` new bot messages in `chat_id` and return them."""
        before = len(self.api.sent_messages(chat_id))
        self.api.push_update(update)
        messages = await self.api.wait_for_messages(chat_id, before + count, timeout=10)
        return messages[before:]

    async def press(self, message: StoredMessage, data: str, user_id: int = DEFAULT_USER_ID) -> str:
        """Press a button; wait until the bot has answered the callback query; return its id."""
        update = self.api.build.callback_query(message, data, user_id)
        query_id = update["callback_query"]["id"]
        self.api.push_update(update)
        await self.api.wait_for(lambda: self.api.callback_answer(query_id), timeout=10)
        return query_id

    async def press_and_edit(
        self, message: StoredMessage, data: str, user_id: int = DEFAULT_USER_ID
    ) -> StoredMessage:
        """Press a button that edits its own message; return the edited message."""
        edits = len(message.history)
        await self.press(message, data, user_id)

        def edited() -> StoredMessage | None:
            current = self.api.message(message.chat_id, message.message_id)
            return current if current is not None and len(current.history) > edits else None

        return await self.api.wait_for(edited, timeout=10)


def opened_ids(message: StoredMessage) -> list[str]:
    """The recommendation ids behind a message's open buttons (`r:<id>[:<search key>]`)."""
    return [d.split(":")[1] for d in message.callback_data() if d.startswith("r:")]


def open_data(message: StoredMessage, record_id: str) -> str:
    """The callback data of the button that opens `record_id` on a message."""
    return next(d for d in message.callback_data() if d.split(":")[:2] == ["r", record_id])


@pytest.fixture
def bot_env() -> dict[str, str]:
    """Extra environment for the bot's settings (override in a test module, e.g. ADMIN_IDS)."""
    return {}


@pytest.fixture
async def running_bot(
    fake_bot_api: FakeBotAPI,
    sessions: SessionFactory,
    search_index: SearchIndex,
    bot_env: dict[str, str],
) -> AsyncIterator[RunningBot]:
    """The bot, started as `python -m bot run` starts it (polling), against the fake API."""
    ingest(sessions)
    settings = load_settings(
        {"BOT_TOKEN": fake_bot_api.token, "TELEGRAM_BASE_URL": fake_bot_api.base_url, **bot_env}
    )
    app = build_application(settings, sessions, LiveIndex(sessions, 3600, search_index))
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    try:
        yield RunningBot(fake_bot_api, app, sessions)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@contextmanager
def production_logging(secret: str = "not-in-any-update") -> Iterator[None]:
    """INFO through the token-redacting formatter on the root logger, as `python -m bot` sets it
    up (so a record that cannot be formatted goes through the same path as in production)."""
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(RedactingFormatter("%(message)s", [secret]))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def started_webhook_application(
    api: FakeBotAPI, sessions: SessionFactory, search_index: SearchIndex
) -> BotApplication:
    """The real Application as `python -m bot webhook` runs it (no updater), initialised,
    post-initialised and started against the fake Bot API; the caller stops and shuts it down."""
    settings = load_settings({"BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url})
    app = build_application(
        settings, sessions, LiveIndex(sessions, 3600, search_index), polling=False
    )
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    return app
