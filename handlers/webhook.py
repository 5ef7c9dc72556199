"""Webhook mode: a small ASGI app (Starlette, served by uvicorn) in front of an Application that
has no updater, following python-telegram-bot's custom-webhook pattern, so that `/healthz` and
the Mini App (`/app`, `/api/…`, see miniapp/) live on the same port. Every Telegram request must
carry the secret token, or nothing happens. With MINIAPP_URL set, long polling (`run`) serves
the same app, without `/telegram`, on $PORT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import Iterator
from datetime import timedelta

import uvicorn
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.admin.health import judge, store_answers
from bot.core.config import Settings
from bot.store.models import Meta, utcnow
from handlers.app import ALLOWED_UPDATES
from handlers.context import BotApplication, Services
from handlers.jobs import TICK_SECONDS
from handlers.processing import ClaimingUpdateProcessor
from handlers.webhook_endpoint import ASGIApp, WebhookFirst
from miniapp.app import miniapp_middleware, miniapp_routes
from miniapp.services import MiniAppServices

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_KEY = "webhook_secret"
HEALTH_STORE_TIMEOUT = 1.5  # seconds /healthz waits for the store before calling it down
STUCK_SECONDS = 120.0  # updates waiting and none started or finished for this long: unhealthy


def webhook_secret(session: Session, configured: str | None) -> str:
    """WEBHOOK_SECRET, or one generated once and kept in the store (shared by replicas)."""
    if configured:
        return configured
    row = session.get(Meta, SECRET_KEY)
    if row is None:
        row = Meta(key=SECRET_KEY, value=secrets.token_urlsafe(32))
        session.add(row)
    return row.value


def build_webhook_app(
    application: BotApplication, secret: str | None, stuck_after: float = STUCK_SECONDS
) -> ASGIApp:
    """POST /telegram (secret checked, body limited and validated; only with a `secret`: long
    polling has none; see handlers/webhook_endpoint.py), GET /healthz, and the Mini App's page
    and API."""
    services: Services = application.bot_data["services"]
    started = utcnow()

    async def healthz(_: Request) -> Response:
        try:
            database = await asyncio.wait_for(
                asyncio.to_thread(store_answers, services.sessions), HEALTH_STORE_TIMEOUT
            )
        except TimeoutError:
            database = False
        facts = judge(
            database,
            services.index.loaded,
            services.last_tick,
            started,
            timedelta(seconds=TICK_SECONDS * 5),
            updates_handled=updates_handled(application, stuck_after),
        )
        return JSONResponse(facts.as_dict(), status_code=200 if facts.healthy else 503)

    miniapp = MiniAppServices(
        services.settings,
        services.sessions,
        services.index,
        bot_username=lambda: services.bot_username,
    )
    routes = [Route("/healthz", healthz, methods=["GET"]), *miniapp_routes(miniapp)]
    app = Starlette(routes=routes, middleware=miniapp_middleware())
    if secret is None:
        return app
    return WebhookFirst(app, WEBHOOK_PATH, SECRET_HEADER, secret, application)


def updates_handled(application: BotApplication, stuck_after: float) -> bool:
    """False when the running application no longer takes updates off its queue (its update
    fetcher task has ended) or updates wait and none has moved for `stuck_after` seconds."""
    if not application.running:
        return True  # starting or stopping: the other facts speak for the process
    # PTB keeps the fetcher task private; a missing attribute (another PTB) skips this check.
    fetcher = getattr(application, "_Application__update_fetcher_task", None)
    if isinstance(fetcher, asyncio.Task) and fetcher.done():
        return False
    processor = application.update_processor
    if isinstance(processor, ClaimingUpdateProcessor):
        return not processor.stuck(application.update_queue.qsize(), stuck_after)
    return True


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: since 0.29 it re-raises a captured SIGTERM once
    it stops serving, which ends the process before the queued updates are answered. `serve`
    installs its own handlers and shuts down in order instead."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def webhook_server(
    application: BotApplication, secret: str | None, port: int, host: str = "0.0.0.0"
) -> uvicorn.Server:
    """The uvicorn server for the webhook app; it leaves signals to its caller."""
    app = build_webhook_app(application, secret)
    # log_config=None: uvicorn's own lines go through the root handler, token redaction included.
    # No access log: at "warning" its lines were never shown, yet each request built one.
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", log_config=None, access_log=False
    )
    return _Server(config)


@contextlib.contextmanager
def stop_on_signals(server: uvicorn.Server) -> Iterator[None]:
    """SIGTERM / SIGINT: stop accepting (a second one: stop waiting for open connections)."""
    loop = asyncio.get_running_loop()

    def stop(name: str) -> None:
        if server.should_exit:
            server.force_exit = True
        server.should_exit = True
        log.info("%s: no longer accepting updates; answering the queued ones, then exiting", name)

    handled = (signal.SIGTERM, signal.SIGINT)
    for sig in handled:
        loop.add_signal_handler(sig, stop, sig.name)
    try:
        yield
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)


async def serve(application: BotApplication, settings: Settings) -> None:
    """Register the webhook and serve until SIGTERM; then, in order: stop accepting, answer every
    queued update, let a running digest finish its current chat, stop, exit."""
    services: Services = application.bot_data["services"]
    if not settings.webhook_url:
        raise ValueError("WEBHOOK_URL is not set")
    with services.sessions.begin() as session:
        secret = webhook_secret(session, settings.webhook_secret)
    server = webhook_server(application, secret, settings.port)
    with stop_on_signals(server):
        async with application:
            if application.post_init:
                await application.post_init(application)
            await application.bot.set_webhook(
                url=settings.webhook_url.rstrip("/") + WEBHOOK_PATH,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            await application.start()
            try:
                await server.serve()  # returns once stopped and open requests are answered
            finally:
                queued = application.update_queue.qsize()
                await application.stop()  # handles everything queued, waits for running jobs
                log.info("stopped after answering %d queued updates", queued)


async def serve_polling(application: BotApplication, settings: Settings) -> None:
    """Long polling, and the web server (`/healthz`, the Mini App) on $PORT beside it, until
    SIGTERM; then stop polling, answer what was fetched, stop."""
    server = webhook_server(application, None, settings.port)
    with stop_on_signals(server):
        async with application:
            if application.post_init:
                await application.post_init(application)
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            await application.start()
            try:
                await server.serve()
            finally:
                await application.updater.stop()
                await application.stop()
