"""Pytest fixtures for the fake Bot API.

Load them with ``pytest_plugins = ["tests.fake_bot_api.fixtures"]`` in the root conftest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .api import FakeBotAPI


@pytest.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotAPI]:
    """A started fake Bot API server on a free loopback port (stopped after the test)."""
    api = FakeBotAPI()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()
