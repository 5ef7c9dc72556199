"""Everything the Mini App adds to the bot's web server: the page and the API."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Route

from miniapp.api import api_routes
from miniapp.page import page_routes
from miniapp.services import MiniAppServices


def miniapp_routes(services: MiniAppServices) -> list[Route]:
    """/app, /app/static/<name> and /api/…, to add to a Starlette app."""
    return [*page_routes(), *api_routes(services)]


def miniapp_middleware() -> list[Middleware]:
    """gzip for answers over 1 kB when the client accepts it (a search answer of 20 proposals
    is about 30 kB of JSON, about a third of that compressed)."""
    return [Middleware(GZipMiddleware, minimum_size=1024)]
