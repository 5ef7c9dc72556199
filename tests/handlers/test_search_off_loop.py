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


@pytest.mark.parametrize(("on_loop_records", "on_loop"), [(5000, True), (0, False)])
async def test_a_search_its_words_decide_runs_on_the_loop_only_on_a_small_corpus(
    running_bot: RunningBot,
    monkeypatch: pytest.MonkeyPatch,
    on_loop_records: int,
    on_loop: bool,
) -> None:
    """Up to ON_LOOP_RECORDS records a search costs about a millisecond: handing it to a thread
    would cost a quarter of that again. Past it (a corpus many times ours), it goes to a worker
    thread like a query that needs the model."""
    import bot.search.engine as engine
    import handlers.common as common
    from bot.search.recent import RecentAnswers

    monkeypatch.setattr(engine, "RECENT", RecentAnswers(0))  # every search searched
    monkeypatch.setattr(common, "ON_LOOP_RECORDS", on_loop_records)
    threads: list[threading.Thread] = []
    real = common.search

    def watched(*args: object, **options: object) -> object:
        threads.append(threading.current_thread())
        return real(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(common, "search", watched)
    answer = await running_bot.say("撤銷烈酒稅", user_id=OTHER)  # its words decide it
    assert "烈酒" in answer.text
    assert threads and all((t is threading.main_thread()) == on_loop for t in threads)
