"""Updates the flood protection refuses are logged with outcome=throttled."""

from __future__ import annotations

import logging

import pytest

from tests.handlers.conftest import RunningBot
from tests.handlers.test_update_log import wait_for_lines

pytestmark = pytest.mark.db
SPAMMER = 3001


@pytest.fixture
def bot_env() -> dict[str, str]:
    return {"FLOOD_BURST": "2", "FLOOD_RATE_PER_MINUTE": "1", "FLOOD_COOLDOWN_SECONDS": "60"}


async def test_refused_updates_are_logged_as_throttled(
    running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="handlers.updates")
    api = running_bot.api
    ids = [api.push_update(api.build.private_message("中試", SPAMMER)) for _ in range(4)]
    assert all(ids)
    lines = await wait_for_lines(caplog, {update_id for update_id in ids if update_id})
    outcomes = [lines[update_id][0].outcome for update_id in ids if update_id]  # type: ignore[attr-defined]
    assert outcomes == ["handled", "handled", "throttled", "throttled"]
