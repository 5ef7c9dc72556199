"""The Mini App's API: Telegram's initData checked on every call (401 and nothing done
otherwise), the bot's search, full views, compare and subscriptions, in the user's language."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.core.filters import Filters
from bot.store.models import Chat, DigestSchedule, Subscription
from bot.store.saved_queries import save_query
from bot.store.subscriptions import describe
from bot.ui.i18n import t
from bot.ui.views import area_name
from miniapp.auth import check_init_data, secret_key
from miniapp.page import CSP
from miniapp.services import MiniAppServices
from tests.miniapp.conftest import OTHER_TOKEN, TOKEN, USER_ID, auth, init_data

pytestmark = pytest.mark.db
VALID_CHANGE = {"areas": ["innotech"], "frequency": "daily", "hour": 8, "weekday": 0}


def _tampered(data: str, **changes: str) -> str:
    fields = dict(parse_qsl(data))
    fields.update(changes)
    return urlencode(fields)


def _rows(services: MiniAppServices) -> tuple[int, int, int]:
    with services.sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (Chat, Subscription, DigestSchedule)
        )


REFUSED = {
    "missing": None,
    "empty": "tma ",
    "other scheme": "Bearer " + init_data(),
    "forged user": "tma " + _tampered(init_data(), user='{"id":1,"first_name":"Mallory"}'),
    "forged date": "tma " + _tampered(init_data(age=90_000), auth_date=str(int(time.time()))),
    "no hash": "tma " + urlencode({k: v for k, v in parse_qsl(init_data()) if k != "hash"}),
    "expired": "tma " + init_data(age=24 * 3600 + 120),
    "another bot": "tma " + init_data(token=OTHER_TOKEN),
    "garbage": "tma %%%&&&==",
}


@pytest.mark.parametrize("header", REFUSED.values(), ids=REFUSED.keys())
async def test_bad_init_data_is_refused_and_nothing_is_done(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    before = _rows(miniapp_services)
    calls = [
        api.get("/api/session", headers=headers),
        api.get("/api/search", params={"q": "中試"}, headers=headers),
        api.get("/api/rec/bpa24-6", headers=headers),
        api.get("/api/compare", params={"q": "人才"}, headers=headers),
        api.get("/api/subscriptions", headers=headers),
        api.put("/api/subscriptions", json=VALID_CHANGE, headers=headers),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "tma"
        body = response.json()
        assert body["error"] == "unauthorized"
        assert body["message"]["en"] == t("en", "miniapp.unauthorized")
        assert "results" not in body
    assert _rows(miniapp_services) == before
    with miniapp_services.sessions() as session:
        assert describe(session, USER_ID).areas == ()


def test_check_init_data_accepts_telegram_signed_data_only() -> None:
    secret = secret_key(TOKEN)
    now = time.time()
    user = check_init_data(init_data(start_param="rec_bpa24-6"), secret, now)
    assert user is not None and user.id == USER_ID and user.start_param == "rec_bpa24-6"
    assert check_init_data(init_data(), secret_key(OTHER_TOKEN), now) is None
    assert check_init_data(init_data(age=24 * 3600 - 60), secret, now) is not None
    assert check_init_data(init_data(age=24 * 3600 + 60), secret, now) is None
    assert check_init_data(init_data(age=-3600), secret, now) is None  # from the future
    doubled = init_data() + "&auth_date=1"
    assert check_init_data(doubled, secret, now) is None


async def test_session_speaks_the_user_language(api: httpx.AsyncClient) -> None:
    english = (await api.get("/api/session", headers=auth(init_data(language="en")))).json()
    chinese = (await api.get("/api/session", headers=auth(init_data(language="zh-hant")))).json()
    assert english["language"] == "en" and chinese["language"] == "zh-Hant-HK"
    assert english["texts"]["tab_search"] == t("en", "miniapp.tab_search")
    assert chinese["texts"]["tab_search"] == t("zh-Hant-HK", "miniapp.tab_search")
    assert english["user"]["id"] == USER_ID
    assert {area["id"] for area in english["areas"]} >= {"innotech"}
    assert english["orgs"] and english["docs"]


async def test_search_answers_as_the_bot_searches(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/search", params={"q": "中試"}, headers=auth(init_data()))
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"  # httpx accepts gzip, as browsers do
    body = response.json()
    assert body["query"] == "中試" and body["total"] > 0
    first = body["results"][0]
    assert {"id", "doc", "org", "title", "text", "areas", "highlights"} <= set(first)
    fields = {"title": first["title"], "text": first["text"], "refs": first["refs"]}
    assert first["highlights"]
    for span in first["highlights"]:
        assert fields[span["field"]][span["start"] : span["end"]] == span["text"]
    assert "中試" in "".join(span["text"] for span in first["highlights"])
    assert sum(chip["count"] for chip in body["facets"]["org"]) == body["total"]
    assert sum(chip["count"] for chip in body["facets"]["doc"]) == body["total"]


async def test_filters_narrow_and_unknown_ones_are_refused(api: httpx.AsyncClient) -> None:
    headers = auth(init_data())
    everything = (await api.get("/api/search", params={"q": "人才"}, headers=headers)).json()
    org = everything["facets"]["org"][-1]
    narrowed = (
        await api.get("/api/search", params={"q": "人才", "org": org["value"]}, headers=headers)
    ).json()
    assert narrowed["total"] == org["count"] < everything["total"]
    assert {result["org_code"] for result in narrowed["results"]} == {org["value"]}
    [chip] = [chip for chip in narrowed["facets"]["org"] if chip["selected"]]
    assert chip["value"] == org["value"]
    year = everything["facets"]["year"][0]
    by_year = (
        await api.get("/api/search", params={"q": "人才", "year": year["value"]}, headers=headers)
    ).json()
    assert by_year["total"] == year["count"]
    for bad in ({"org": "nobody"}, {"year": "soon"}, {"area": "x"}, {"limit": "999"}):
        response = await api.get("/api/search", params={"q": "人才", **bad}, headers=headers)
        assert response.status_code == 400, bad


async def test_full_view_has_the_citation_and_related(api: httpx.AsyncClient) -> None:
    headers = auth(init_data(language="en"))
    found = (await api.get("/api/search", params={"q": "中試"}, headers=headers)).json()
    record_id = found["results"][0]["id"]
    rec = (await api.get(f"/api/rec/{record_id}", headers=headers)).json()
    assert rec["id"] == record_id
    citation = rec["citation"]
    assert citation["organisation"] and citation["document"] and citation["date"]
    assert citation["label"] and isinstance(citation["section_path"], list)
    assert all(item["org_code"] != rec["org_code"] for item in rec["related"])
    missing = await api.get("/api/rec/nothing-999", headers=headers)
    assert missing.status_code == 404


async def test_compare_groups_by_organisation(api: httpx.AsyncClient) -> None:
    body = (
        await api.get("/api/compare", params={"q": "人才"}, headers=auth(init_data(language="en")))
    ).json()
    assert body["total"] > 0 and len(body["organisations"]) > 1
    for column in body["organisations"]:
        assert column["items"] and all(
            item["org_code"] == column["code"] for item in column["items"]
        )


async def test_subscriptions_change_through_the_store(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices
) -> None:
    headers = auth(init_data())
    before = (await api.get("/api/subscriptions", headers=headers)).json()
    assert before["areas"] == [] and before["active"] is False
    change = {"areas": ["innotech", "land"], "frequency": "weekly", "hour": 20, "weekday": 4}
    saved = (await api.put("/api/subscriptions", json=change, headers=headers)).json()
    assert saved["active"] and saved["frequency"] == "weekly" and saved["hour"] == 20
    with miniapp_services.sessions() as session:
        current = describe(session, USER_ID)
        assert set(current.areas) == {"innotech", "land"}
        assert (current.frequency, current.weekday, current.hour) == ("weekly", 4, 20)
        assert session.get(Chat, USER_ID).type == "private"  # type: ignore[union-attr]
    fewer = {**change, "areas": ["land"], "frequency": "daily"}
    await api.put("/api/subscriptions", json=fewer, headers=headers)
    none = {**change, "areas": []}
    after = (await api.put("/api/subscriptions", json=none, headers=headers)).json()
    assert after["areas"] == [] and after["active"] is False
    for bad in (
        {**change, "areas": ["nowhere"]},
        {**change, "hour": 24},
        {**change, "frequency": "hourly"},
        {**change, "hour": True},
        ["innotech"],
    ):
        response = await api.put("/api/subscriptions", json=bad, headers=headers)
        assert response.status_code == 400, bad
    with miniapp_services.sessions() as session:
        assert describe(session, USER_ID).areas == ()


async def test_start_parameter_opens_a_proposal(api: httpx.AsyncClient) -> None:
    opened = await api.get("/api/start", headers=auth(init_data(start_param="rec_bpa24-6")))
    assert opened.json() == {"view": "rec", "id": "bpa24-6"}
    nowhere = await api.get("/api/start", params={"p": "q_unknownkey"}, headers=auth(init_data()))
    assert nowhere.status_code == 404


async def test_page_is_served_with_a_strict_policy(api: httpx.AsyncClient) -> None:
    page = await api.get("/app")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "https://" not in CSP.split("frame-ancestors")[0]
    assert '<script type="module" src="/app/static/main.js"></script>' in page.text
    script = await api.get("/app/static/main.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    assert (await api.get("/app/static/secrets.py")).status_code == 404
    cached = await api.get("/app/static/app.css", headers={"If-None-Match": script.headers["etag"]})
    assert cached.status_code == 200
    again = await api.get("/app/static/main.js", headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("miniapp_env", [{"MINIAPP_BURST": "3", "MINIAPP_RATE_PER_MINUTE": "1"}])
async def test_rate_limited_per_user(api: httpx.AsyncClient) -> None:
    mine, other = auth(init_data()), auth(init_data(user_id=USER_ID + 1))
    codes = [(await api.get("/api/session", headers=mine)).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert (await api.get("/api/session", headers=other)).status_code == 200


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(["auth_date", "user", "query_id", "hash", "extra"]),
    value=st.text(max_size=40),
)
async def test_any_change_to_signed_data_is_refused(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices, field: str, value: str
) -> None:
    original = dict(parse_qsl(init_data()))
    if original.get(field) == value:
        return
    header = auth(_tampered(init_data(), **{field: value}))
    before = _rows(miniapp_services)
    response = await api.put("/api/subscriptions", json=VALID_CHANGE, headers=header)
    assert response.status_code == 401
    assert _rows(miniapp_services) == before


async def test_names_follow_the_language(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices
) -> None:
    sources = miniapp_services.index.get().sources
    for language, code in (("en", "en"), ("zh-Hant-HK", "zh-hant")):
        headers = auth(init_data(language=code))
        body = (await api.get("/api/search", params={"q": "中試"}, headers=headers)).json()
        first = body["results"][0]
        names = sources.org_names_en if language == "en" else sources.org_names
        assert first["org_name"] == names[first["org_code"]]
        chips = {chip["value"]: chip["label"] for chip in body["facets"]["area"]}
        assert chips[first["areas"][0]] == area_name(language, first["areas"][0])


async def test_start_parameter_opens_a_saved_search(
    api: httpx.AsyncClient, miniapp_services: MiniAppServices
) -> None:
    org = miniapp_services.index.get().sources.org_codes["bpa"]
    with miniapp_services.sessions.begin() as session:
        key = save_query(session, "中試", Filters(orgs=frozenset({org}), years=frozenset({2024})))
    opened = await api.get("/api/start", params={"p": f"q_{key}"}, headers=auth(init_data()))
    assert opened.json() == {
        "view": "search",
        "q": "中試",
        "filters": {"org": ["bpa"], "area": [], "year": ["2024"], "doc": []},
    }
    plain = await api.get("/api/start", headers=auth(init_data()))
    assert plain.json() == {"view": "search"}
