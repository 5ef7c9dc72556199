"""Followed topics in the Mini App's API: listed in /api/subscriptions with how many proposals
match each now, followed, unfollowed and switched to "notify at once" through the same store
functions as /follow, with the same limit, folded key and default schedule; only the user's
own topics, only with valid initData."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.core.filters import Filters
from bot.search.topics import MAX_TOPIC_CHARS, count_matches, topic_key
from bot.store.models import DigestSchedule, FollowedTopic
from bot.store.subscriptions import DEFAULT_FREQUENCY, describe
from bot.store.topics import MAX_TOPICS, follow, topics_of
from bot.ui.i18n import t
from miniapp.services import MiniAppServices
from miniapp.topics import topic_text
from tests.miniapp.conftest import USER_ID, auth, init_data
from tests.miniapp.test_api import REFUSED

pytestmark = pytest.mark.db
OTHER_USER = USER_ID + 7


def _stored(services: MiniAppServices, chat_id: int = USER_ID) -> list[tuple[str, bool]]:
    with services.sessions() as session:
        return [(topic.text, topic.notify_now) for topic in topics_of(session, chat_id)]


def _follow_in_store(services: MiniAppServices, chat_id: int, text: str) -> int:
    """A topic followed the way /follow does, outside the API."""
    with services.sessions.begin() as session:
        _, topic = follow(
            session,
            chat_id,
            "private",
            text,
            topic_key(text),
            Filters(),
            services.settings.timezone,
        )
        assert topic is not None
        return topic.id


def _topic_rows(services: MiniAppServices) -> list[tuple[int, str, bool]]:
    with services.sessions() as session:
        rows = session.scalars(select(FollowedTopic).order_by(FollowedTopic.id))
        return [(row.chat_id, row.text, row.notify_now) for row in rows]


@pytest.mark.parametrize("header", REFUSED.values(), ids=REFUSED.keys())
async def test_topic_calls_without_valid_init_data_do_nothing(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices, header: str | None
) -> None:
    topic_id = _follow_in_store(miniapp_services, USER_ID, "中試")
    headers = {"Authorization": header} if header is not None else {}
    before = _topic_rows(miniapp_services)
    calls = [
        api.post("/api/topics", json={"q": "北都"}, headers=headers),
        api.put(f"/api/topics/{topic_id}", json={"notify_now": True}, headers=headers),
        api.delete(f"/api/topics/{topic_id}", headers=headers),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
    assert _topic_rows(miniapp_services) == before


async def test_follow_lists_toggles_and_unfollows_through_the_store(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices
) -> None:
    headers = auth(init_data(language="en"))
    index = miniapp_services.index.get()
    empty = (await api.get("/api/subscriptions", headers=headers)).json()
    assert empty["topics"] == [] and empty["topic_limit"] == MAX_TOPICS
    assert empty["active"] is False

    # No schedule yet: following creates the default one, as /follow does.
    response = await api.post("/api/topics", json={"q": "  中試\t生產  "}, headers=headers)
    assert response.status_code == 201
    body = response.json()
    expected = count_matches(index, "中試 生產", Filters())
    assert expected > 0
    assert body["result"] == "added" and body["schedule_created"] is True
    assert body["topic"]["text"] == "中試 生產" and body["topic"]["count"] == expected
    assert body["topic"]["notify_now"] is False
    assert body["active"] is True and body["frequency"] == DEFAULT_FREQUENCY
    assert [row["text"] for row in body["topics"]] == ["中試 生產"]
    assert _stored(miniapp_services) == [("中試 生產", False)]
    with miniapp_services.sessions() as session:
        current = describe(session, USER_ID)
    assert (current.active, current.frequency, current.topics) == (True, DEFAULT_FREQUENCY, 1)
    topic_id = body["topic"]["id"]

    # The same search again (width, case and spacing do not matter): already followed.
    again = await api.post("/api/topics", json={"q": "中試  生產"}, headers=headers)
    assert again.status_code == 200 and again.json()["result"] == "already"
    assert again.json()["schedule_created"] is False
    assert len(_stored(miniapp_services)) == 1

    # A topic that matches nothing today is followed, and says so (count 0).
    nothing = await api.post("/api/topics", json={"q": "qqzzxxyy"}, headers=headers)
    assert nothing.status_code == 201 and nothing.json()["topic"]["count"] == 0
    assert nothing.json()["schedule_created"] is False

    listed = (await api.get("/api/subscriptions", headers=headers)).json()["topics"]
    assert [(row["text"], row["count"]) for row in listed] == [
        ("中試 生產", expected),
        ("qqzzxxyy", 0),
    ]

    on = await api.put(f"/api/topics/{topic_id}", json={"notify_now": True}, headers=headers)
    assert on.status_code == 200 and on.json()["topics"][0]["notify_now"] is True
    assert _stored(miniapp_services)[0] == ("中試 生產", True)
    off = await api.put(f"/api/topics/{topic_id}", json={"notify_now": False}, headers=headers)
    assert off.json()["topics"][0]["notify_now"] is False
    assert _stored(miniapp_services)[0] == ("中試 生產", False)

    gone = await api.delete(f"/api/topics/{topic_id}", headers=headers)
    assert gone.status_code == 200
    assert [row["text"] for row in gone.json()["topics"]] == ["qqzzxxyy"]
    assert _stored(miniapp_services) == [("qqzzxxyy", False)]
    assert (await api.delete(f"/api/topics/{topic_id}", headers=headers)).status_code == 404

    # The last topic gone and no area: the schedule stops, as /unfollow stops it.
    last = listed[1]["id"]
    after = (await api.delete(f"/api/topics/{last}", headers=headers)).json()
    assert after["topics"] == [] and after["active"] is False
    with miniapp_services.sessions() as session:
        assert describe(session, USER_ID).active is False


async def test_follow_keeps_an_existing_schedule_and_the_search_filters(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices
) -> None:
    headers = auth(init_data())
    change = {"areas": ["innotech"], "frequency": "daily", "hour": 7, "weekday": 0}
    await api.put("/api/subscriptions", json=change, headers=headers)
    code = sorted(miniapp_services.index.get().sources.org_codes)[0]
    chosen = {"org": [code], "year": ["2024"]}
    response = await api.post("/api/topics", json={"q": "人才", "filters": chosen}, headers=headers)
    assert response.status_code == 201
    body = response.json()
    assert body["schedule_created"] is False
    assert (body["frequency"], body["hour"]) == ("daily", 7)
    assert body["topic"]["filters"] == {"org": [code], "area": [], "year": ["2024"], "doc": []}
    folded = miniapp_services.index.get().sources.org_codes[code]
    filters = Filters(orgs=frozenset({folded}), years=frozenset({2024}))
    assert body["topic"]["count"] == count_matches(miniapp_services.index.get(), "人才", filters)
    with miniapp_services.sessions() as session:
        (topic,) = topics_of(session, USER_ID)
        assert topic.filters == filters
        assert topic.folded == topic_key("人才", filters)
    # Unfiltered, the same words are another topic.
    plain = await api.post("/api/topics", json={"q": "人才"}, headers=headers)
    assert plain.json()["result"] == "added"

    # With topics and no area left, the schedule still changes (the topics share it).
    only_topics = {**change, "areas": [], "frequency": "monthly", "hour": 21}
    saved = (await api.put("/api/subscriptions", json=only_topics, headers=headers)).json()
    assert saved["areas"] == [] and saved["active"] is True
    assert (saved["frequency"], saved["hour"]) == ("monthly", 21)
    assert len(saved["topics"]) == 2


@pytest.mark.parametrize(("language", "code"), [("en", "en"), ("zh-Hant-HK", "zh-hant")])
async def test_at_most_twenty_topics(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices, language: str, code: str
) -> None:
    headers = auth(init_data(language=code))
    for n in range(MAX_TOPICS):
        response = await api.post("/api/topics", json={"q": f"topic {n}"}, headers=headers)
        assert response.status_code == 201, n
    full = await api.post("/api/topics", json={"q": "one too many"}, headers=headers)
    assert full.status_code == 409
    assert full.json()["error"] == "full"
    assert full.json()["message"] == t(language, "miniapp.topics_full", limit=MAX_TOPICS)
    assert len(_stored(miniapp_services)) == MAX_TOPICS
    # Already followed is still answered when full; after unfollowing one, a new one fits.
    assert (
        await api.post("/api/topics", json={"q": "TOPIC 3"}, headers=headers)
    ).status_code == 200
    first = (await api.get("/api/subscriptions", headers=headers)).json()["topics"][0]["id"]
    await api.delete(f"/api/topics/{first}", headers=headers)
    later = await api.post("/api/topics", json={"q": "one too many"}, headers=headers)
    assert later.status_code == 201


async def test_someone_elses_or_unknown_topic_is_not_found(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices
) -> None:
    theirs = _follow_in_store(miniapp_services, OTHER_USER, "北都")
    headers = auth(init_data())
    before = _topic_rows(miniapp_services)
    for topic_id in (str(theirs), "999999", "0", "abc", "1e3", "12345678901234567890", "-1"):
        put = await api.put(f"/api/topics/{topic_id}", json={"notify_now": True}, headers=headers)
        assert put.status_code == 404, topic_id
        assert put.json()["error"] == "not_found"
        delete = await api.delete(f"/api/topics/{topic_id}", headers=headers)
        assert delete.status_code == 404, topic_id
    assert _topic_rows(miniapp_services) == before
    # The owner may.
    owner = auth(init_data(user_id=OTHER_USER))
    assert (await api.delete(f"/api/topics/{theirs}", headers=owner)).status_code == 200
    assert _stored(miniapp_services, OTHER_USER) == []


async def test_bad_bodies_are_refused_and_nothing_is_stored(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices
) -> None:
    headers = auth(init_data())
    for bad in (
        ["中試"],
        {},
        {"q": ""},
        {"q": " \t\n "},
        {"q": "\u0000\u0007"},
        {"q": 5},
        {"q": None},
        {"q": "x" * (MAX_TOPIC_CHARS + 1)},
        {"q": "中試", "filters": {"org": ["NOBODY"]}},
        {"q": "中試", "filters": {"colour": ["red"]}},
        {"q": "中試", "filters": {"year": ["last year"]}},
        {"q": "中試", "filters": {"area": "innotech"}},
        {"q": "中試", "filters": ["innotech"]},
    ):
        response = await api.post("/api/topics", json=bad, headers=headers)
        assert response.status_code == 400, bad
        assert response.json()["error"] == "bad_request" and response.json()["detail"]
    for raw in (b"", b"not json", b"\xff\xfe", b"{" * 5000):
        response = await api.post("/api/topics", content=raw, headers=headers)
        assert response.status_code == 400, raw[:10]
    assert _stored(miniapp_services) == []
    with miniapp_services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DigestSchedule)) == 0
    at_limit = await api.post("/api/topics", json={"q": "x" * MAX_TOPIC_CHARS}, headers=headers)
    assert at_limit.status_code == 201
    topic_id = at_limit.json()["topic"]["id"]
    for bad_toggle in ({}, {"notify_now": "yes"}, {"notify_now": 1}, {"notify_now": None}, [True]):
        response = await api.put(f"/api/topics/{topic_id}", json=bad_toggle, headers=headers)
        assert response.status_code == 400, bad_toggle
    assert _stored(miniapp_services) == [("x" * MAX_TOPIC_CHARS, False)]


@pytest.mark.parametrize("miniapp_env", [{"MINIAPP_BURST": "1000"}])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=MAX_TOPIC_CHARS + 20))
async def test_any_text_is_followed_as_typed_or_refused(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices, q: str
) -> None:
    headers = auth(init_data())
    response = await api.post("/api/topics", json={"q": q}, headers=headers)
    text = topic_text(q)
    if not text or len(text) > MAX_TOPIC_CHARS:
        assert response.status_code == 400
        return
    assert response.status_code in (200, 201)
    body = response.json()
    assert body["topic"]["text"] in {row[0] for row in _stored(miniapp_services)}
    with miniapp_services.sessions() as session:
        ids = {topic.id for topic in topics_of(session, USER_ID)}
    assert body["topic"]["id"] in ids
    await api.delete(f"/api/topics/{body['topic']['id']}", headers=headers)


@pytest.mark.parametrize("miniapp_env", [{"MINIAPP_BURST": "3", "MINIAPP_RATE_PER_MINUTE": "1"}])
async def test_topic_calls_are_rate_limited_and_the_refused_one_does_nothing(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices
) -> None:
    headers = auth(init_data())
    codes = [
        (await api.post("/api/topics", json={"q": f"topic {n}"}, headers=headers)).status_code
        for n in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    assert [text for text, _ in _stored(miniapp_services)] == ["topic 0", "topic 1", "topic 2"]
