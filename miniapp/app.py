"""Everything the Mini App adds to the bot's web server: the page and the API."""

from __future__ import annotations

from starlette.routing import Route

from miniapp.api import api_routes
from miniapp.page import page_routes
from miniapp.services import MiniAppServices


def miniapp_routes(services: MiniAppServices) -> list[Route]:
    """/app, /app/static/<name> and /api/…, to add to a Starlette app."""
    return [*page_routes(), *api_routes(services)]
