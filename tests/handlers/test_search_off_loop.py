"""A search that has to wait for the model runs in a worker thread: the event loop, and with it
every other chat, goes on meanwhile."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.core.embedding import default_embedder
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db
WAITING, OTHER = 7101, 7102
HOLD_SECONDS = 4.0  # the model is busy at most this long (a search on the loop would wait it out)


async def test_a_query_waiting_for_the_model_holds_up_no_other_chat(
    running_bot: RunningBot,
) -> None:
    api = running_bot.api
    model = default_embedder()
    model.warm()
    held, release = threading.Event(), threading.Event()

    def busy_model() -> None:  # another query's embedding, say
        with model._lock:
            held.set()
            release.wait(HOLD_SECONDS)

    holder = threading.Thread(target=busy_model)
    holder.start()
    try:
        assert held.wait(5)
        # Own words its words do not decide: it needs its embedding, so it waits for the model.
        api.push_update(api.build.private_message("公屋住戶可唔可以養金魚仔呀？", WAITING))
        await asyncio.sleep(0.5)
        other = await running_bot.say("/help", user_id=OTHER)  # answered meanwhile
        assert other.text
        assert not api.sent_messages(WAITING)  # still waiting for the model
    finally:
        release.set()
        holder.join()
    [answer] = await api.wait_for_messages(WAITING, 1, timeout=10)
    assert answer.text
