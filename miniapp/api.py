"""The JSON API under /api/: every call authenticated by Telegram's initData (401 otherwise,
before anything is read or written), rate-limited per user (429), answered in the user's
language (the chat's /lang choice, else their Telegram language).

    GET  /api/session                  who, language, texts, areas, organisations, documents
    GET  /api/start?p=<payload>        what a launch parameter opens (rec_<id> or q_<key>)
    GET  /api/search?q=…[&org=…&area=…&year=…&doc=…&offset=…&limit=…]
    GET  /api/rec/<id>                 a proposal in full, its citation, related proposals
    GET  /api/compare?q=…[&per_org=…]  a topic side by side by organisation
    GET  /api/subscriptions            the user's private chat: areas, frequency, weekday, hour
                                       and followed topics
    PUT  /api/subscriptions            change them (JSON body of the same fields)
    POST   /api/topics                 follow a topic: {"q": …[, "filters": {"org": […], …}]}
    PUT    /api/topics/<id>            {"notify_now": true|false}
    DELETE /api/topics/<id>            stop following it
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core.filters import Filters
from bot.core.schedule import FREQUENCIES
from bot.search import search
from bot.search.compare import compare
from bot.search.engine import related
from bot.search.topics import MAX_TOPIC_CHARS
from bot.store.areas import load_areas
from bot.store.chats import chat_language
from bot.store.corpus import get_recommendation
from bot.store.saved_queries import load_query
from bot.store.subscriptions import areas_of, describe, set_schedule, subscribe, unsubscribe
from bot.store.topics import MAX_TOPICS, FollowResult
from bot.ui import actions
from bot.ui.i18n import LANGUAGES, catalogue, pick_language, t
from miniapp.auth import WebAppUser, check_init_data, from_header
from miniapp.payloads import (
    Names,
    areas_payload,
    compare_payload,
    rec_payload,
    search_payload,
    subscriptions_payload,
)
from miniapp.services import MiniAppServices
from miniapp.topics import follow_topic, notify_topic, topic_text, topics_payload, unfollow_topic

PAGE_LIMIT = 50  # results per /api/search call at most
PER_ORG_LIMIT = 20
MAX_BODY = 4096  # bytes of a PUT body
FILTER_KINDS = ("org", "area", "year", "doc")
TEXT_PREFIX = "miniapp."  # the catalogue keys the page uses
RETRY_AFTER = "5"

Endpoint = Callable[[MiniAppServices, Request, WebAppUser, str], Awaitable[Response]]


class BadRequest(Exception):
    """A parameter the API cannot use; the message names it."""


def error(status: int, code: str, detail: str = "", message: str = "") -> JSONResponse:
    """`{"error": code, "detail": …}` with `status` (and `message`, for the reader, if given);
    a 401 also says, in every language, what to do (the caller's language is not known before
    its initData is checked)."""
    body: dict[str, Any] = {"error": code, "detail": detail}
    if message:
        body["message"] = message
    headers = None
    if status == 401:
        headers = {"WWW-Authenticate": "tma"}
        body["message"] = {language: t(language, "miniapp.unauthorized") for language in LANGUAGES}
    if status == 429:
        headers = {"Retry-After": RETRY_AFTER}
    return JSONResponse(body, status_code=status, headers=headers)


def guarded(
    services: MiniAppServices, endpoint: Endpoint
) -> Callable[[Request], Awaitable[Response]]:
    """`endpoint` behind the initData check (401) and the per-user rate limit (429); a
    BadRequest it raises is a 400."""

    async def call(request: Request) -> Response:
        raw = from_header(request.headers.get("authorization"))
        user = check_init_data(raw, services.secret, time.time())
        if user is None:
            return error(401, "unauthorized", "Authorization: tma <valid initData> required")
        if not services.allow(user.id):
            return error(429, "slow_down")
        language = await asyncio.to_thread(_language, services, user)
        try:
            return await endpoint(services, request, user, language)
        except BadRequest as problem:
            return error(400, "bad_request", str(problem))

    return call


async def session_endpoint(
    services: MiniAppServices, request: Request, user: WebAppUser, language: str
) -> Response:
    """GET /api/session."""
    return JSONResponse(await asyncio.to_thread(_session, services, user, language))


async def start_endpoint(
    services: MiniAppServices, request: Request, user: WebAppUser, language: str
) -> Response:
    """GET /api/start?p=…: the launch parameter given, else the one in initData (none at all:
    the search screen)."""
    payload = request.query_params.get("p") or user.start_param or ""
    if not payload:
        return JSONResponse({"view": "search"})
    found = await asyncio.to_thread(_start, services, payload)
    return JSONResponse(found) if found else error(404, "not_found", "unknown start parameter")


async def search_endpoint(
    services: MiniAppServices, request: Request, user: WebAppUser, language: str
) -> Response:
    """GET /api/search."""
    params = request.query_params
    chosen = {kind: params.getlist(kind) for kind in FILTER_KINDS}
    offset = _int(params.get("offset", "0"), "offset", 0, 10_000)
    limit = _int(params.get("limit", "20"), "limit", 1, PAGE_LIMIT)
    query = params.get("q", "")
    found = await asyncio.to_thread(_search, services, query, chosen, offset, limit, language)
    return JSONResponse(found)


async def rec_endpoint(
    services: MiniAppServices, request: Request, user: WebAppUser, language: str
) -> Response:
    """GET /api/rec/<id>."""
    found = await asyncio.to_thread(_rec, services, request.path_params["id"], language)
    return JSONResponse(found) if found else error(404, "not_found", "no proposal with this ID")


async def compare_endpoint(
    services: MiniAppServices, request: Request, user: WebAppUser, language: str
) -> Response:
    """GET /api/compare."""
    topic = request.query_params.get("q", "")
    per_org = _int(request.query_params.get("per_org", "5"), "per_org", 1, PER_ORG_LIMIT)
    found = await asyncio.to_thread(_compare, services, topic, per_org, language)
    return JSONResponse(found)


async def subscriptions_endpoint(
    services: MiniAppServices, request: Request, user: WebAppUser, language: str
) -> Response:
    """GET and PUT /api/subscriptions (the user's private chat)."""
    if request.method == "PUT":
        change = _subscription_change(await _json_body(request))
        await asyncio.to_thread(_change_subscriptions, services, user.id, change)
    return JSONResponse(await asyncio.to_thread(_subscriptions, services, user.id))


async def follow_endpoint(
    services: MiniAppServices, request: Request, user: WebAppUser, language: str
) -> Response:
    """POST /api/topics: follow a topic (201; 200 if already followed; 409 when the chat
    follows MAX_TOPICS already), answered with the subscriptions, the topic and whether the
    digest schedule was created for it."""
    text, chosen = _topic_request(await _json_body(request))
    filters = await asyncio.to_thread(_filters, services, chosen)
    followed = await asyncio.to_thread(follow_topic, services, user.id, text, filters)
    if followed.result is FollowResult.FULL:
        message = t(language, "miniapp.topics_full", limit=MAX_TOPICS)
        return error(409, "full", f"at most {MAX_TOPICS} topics; unfollow one first", message)
    body = await asyncio.to_thread(_subscriptions, services, user.id)
    body.update(
        result=followed.result.value,
        topic=followed.topic,
        schedule_created=followed.schedule_created,
    )
    return JSONResponse(body, status_code=201 if followed.result is FollowResult.ADDED else 200)


async def topic_endpoint(
    services: MiniAppServices, request: Request, user: WebAppUser, language: str
) -> Response:
    """PUT /api/topics/<id> ({"notify_now": bool}) and DELETE /api/topics/<id>; 404 unless
    the topic is one of the user's private chat."""
    raw_id = request.path_params["id"]
    topic_id = int(raw_id) if re.fullmatch(r"\d{1,9}", raw_id) else None
    if request.method == "PUT":
        body = await _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("notify_now"), bool):
            raise BadRequest('expected {"notify_now": true or false}')
        on = body["notify_now"]
        done = topic_id is not None and await asyncio.to_thread(
            notify_topic, services, user.id, topic_id, on
        )
    else:
        done = topic_id is not None and await asyncio.to_thread(
            unfollow_topic, services, user.id, topic_id
        )
    if not done:
        return error(404, "not_found", "no followed topic with this id in your chat")
    return JSONResponse(await asyncio.to_thread(_subscriptions, services, user.id))


def api_routes(services: MiniAppServices) -> list[Route]:
    """The /api/ routes, each behind `guarded`."""
    return [
        Route("/api/session", guarded(services, session_endpoint), methods=["GET"]),
        Route("/api/start", guarded(services, start_endpoint), methods=["GET"]),
        Route("/api/search", guarded(services, search_endpoint), methods=["GET"]),
        Route("/api/rec/{id}", guarded(services, rec_endpoint), methods=["GET"]),
        Route("/api/compare", guarded(services, compare_endpoint), methods=["GET"]),
        Route(
            "/api/subscriptions",
            guarded(services, subscriptions_endpoint),
            methods=["GET", "PUT"],
        ),
        Route("/api/topics", guarded(services, follow_endpoint), methods=["POST"]),
        Route("/api/topics/{id}", guarded(services, topic_endpoint), methods=["PUT", "DELETE"]),
    ]


def _compare(services: MiniAppServices, topic: str, per_org: int, language: str) -> dict[str, Any]:
    index = services.index.get()
    comparison = compare(index, topic, per_org, language)
    return compare_payload(comparison, Names.of(index, language))


def _language(services: MiniAppServices, user: WebAppUser) -> str:
    with services.sessions() as session:
        stored = chat_language(session, user.id)  # the private chat's /lang choice
    return pick_language(stored, user.language_code)


def _int(value: str, name: str, low: int, high: int) -> int:
    if not re.fullmatch(r"\d{1,6}", value) or not low <= int(value) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return int(value)


def _session(services: MiniAppServices, user: WebAppUser, language: str) -> dict[str, Any]:
    index = services.index.get()
    names = Names.of(index, language)
    texts = {
        key.removeprefix(TEXT_PREFIX): value
        for key, value in catalogue(language).items()
        if key.startswith(TEXT_PREFIX)
    }
    return {
        "user": {"id": user.id, "first_name": user.first_name},
        "language": language,
        "bot": services.bot_username(),
        "texts": texts,
        "areas": areas_payload(language),
        "orgs": [{"code": code, "name": name} for code, name in sorted(names.orgs.items())],
        "docs": [{"id": doc, "label": label} for doc, label in names.docs.items()],
        "frequencies": list(FREQUENCIES),
        "timezone": services.settings.bot_timezone,
    }


def _filters(services: MiniAppServices, chosen: dict[str, list[str]]) -> Filters:
    """The chosen chips as search filters (an unknown value is a 400, never silently dropped)."""
    index = services.index.get()
    codes = index.sources.org_codes
    known_areas = {area.id for area in load_areas()}
    for kind, values, known in (
        ("org", chosen["org"], set(codes)),
        ("area", chosen["area"], known_areas),
        ("doc", chosen["doc"], set(index.sources.kinds)),
    ):
        unknown = [value for value in values if value not in known]
        if unknown:
            raise BadRequest(f"unknown {kind}: {unknown[0][:40]}")
    if any(not re.fullmatch(r"(19|20)\d\d", year) for year in chosen["year"]):
        raise BadRequest("year must be a four-digit year")
    return Filters(
        orgs=frozenset(codes[code] for code in chosen["org"]),
        areas=frozenset(chosen["area"]),
        sources=frozenset(chosen["doc"]),
        years=frozenset(int(year) for year in chosen["year"]),
    )


def _search(
    services: MiniAppServices,
    query: str,
    chosen: dict[str, list[str]],
    offset: int,
    limit: int,
    language: str,
) -> dict[str, Any]:
    filters = _filters(services, chosen)
    index = services.index.get()
    answer = search(index, query, limit=limit, offset=offset, filters=filters, language=language)
    return search_payload(answer, Names.of(index, language), chosen)


def _rec(services: MiniAppServices, record_id: str, language: str) -> dict[str, Any] | None:
    index = services.index.get()
    with services.sessions() as session:
        record = get_recommendation(session, record_id[:64])
        if record is None:
            return None
        return rec_payload(record, related(index, record.id), Names.of(index, language))


def _start(services: MiniAppServices, payload: str) -> dict[str, Any] | None:
    parsed = actions.parse_payload(payload)
    if parsed is None:
        return None
    kind, value = parsed
    if kind == actions.RECORD_LINK:
        return {"view": "rec", "id": value}
    with services.sessions() as session:
        stored = load_query(session, value)
    if stored is None:
        return None
    codes = {folded: code for code, folded in services.index.get().sources.org_codes.items()}
    filters = stored.filters
    return {
        "view": "search",
        "q": stored.text,
        "filters": {
            "org": sorted(codes[org] for org in filters.orgs if org in codes),
            "area": sorted(filters.areas),
            "year": sorted(str(year) for year in filters.years),
            "doc": sorted(filters.sources),
        },
    }


async def _json_body(request: Request) -> Any:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BadRequest("body too large")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("body is not JSON") from None


def _subscription_change(body: Any) -> tuple[list[str], str, int, int]:
    """(areas, frequency, hour, weekday) from a PUT body, each checked."""
    if not isinstance(body, dict):
        raise BadRequest("expected a JSON object")
    areas = body.get("areas")
    known = {area.id for area in load_areas()}
    if not isinstance(areas, list) or not all(isinstance(a, str) and a in known for a in areas):
        raise BadRequest("areas must be a list of area ids")
    frequency = body.get("frequency")
    if frequency not in FREQUENCIES:
        raise BadRequest("frequency must be one of " + ", ".join(FREQUENCIES))
    hour, weekday = body.get("hour"), body.get("weekday", 0)
    if not isinstance(hour, int) or isinstance(hour, bool) or not 0 <= hour <= 23:
        raise BadRequest("hour must be a whole number from 0 to 23")
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
        raise BadRequest("weekday must be a whole number from 0 (Monday) to 6")
    return list(dict.fromkeys(areas)), str(frequency), hour, weekday


def _topic_request(body: Any) -> tuple[str, dict[str, list[str]]]:
    """(topic text, chosen filters) from a POST body: the text as /follow keeps it, not empty
    and at most MAX_TOPIC_CHARS long; filters as the search's parameters (checked later)."""
    if not isinstance(body, dict) or not isinstance(body.get("q"), str):
        raise BadRequest('expected {"q": "a topic"}')
    text = topic_text(body["q"])
    if not text:
        raise BadRequest("q is empty: type a topic to follow")
    if len(text) > MAX_TOPIC_CHARS:
        raise BadRequest(f"q is longer than {MAX_TOPIC_CHARS} characters")
    given = body.get("filters", {})
    if not isinstance(given, dict) or set(given) - set(FILTER_KINDS):
        raise BadRequest("filters must be an object of " + ", ".join(FILTER_KINDS))
    chosen: dict[str, list[str]] = {}
    for kind in FILTER_KINDS:
        values = given.get(kind, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise BadRequest(f"filters.{kind} must be a list of strings")
        chosen[kind] = list(dict.fromkeys(values))
    return text, chosen


def _change_subscriptions(
    services: MiniAppServices, chat_id: int, change: tuple[list[str], str, int, int]
) -> None:
    """The same store calls as /subscribe and /unsubscribe, in one unit of work."""
    areas, frequency, hour, weekday = change
    zone = services.settings.timezone
    with services.sessions.begin() as session:
        before = areas_of(session, chat_id)
        if areas:
            subscribe(session, chat_id, "private", areas, zone)
            session.flush()
        for area in before:
            if area not in areas:
                unsubscribe(session, chat_id, area)
        current = describe(session, chat_id)
        if areas or current.topics:  # the topics share the schedule
            set_schedule(session, chat_id, frequency, hour, weekday, zone)
        elif current.active:
            unsubscribe(session, chat_id, None)


def _subscriptions(services: MiniAppServices, chat_id: int) -> dict[str, Any]:
    with services.sessions() as session:
        current = describe(session, chat_id)
    payload = subscriptions_payload(current, services.settings.bot_timezone)
    payload.update(topics=topics_payload(services, chat_id), topic_limit=MAX_TOPICS)
    return payload
