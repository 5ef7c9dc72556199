"""The page: /app and its assets, read once from the package, with a strict
Content-Security-Policy: scripts, styles and calls only from this origin, no inline script or
style, no third-party origin, and Trusted Types required, so no string can ever reach an HTML
sink (the page builds every element with textContent)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

APP_PATH = "/app"
STATIC_PATH = "/app/static"
# Telegram's web clients show a Mini App in an iframe; nobody else may frame it.
FRAME_ANCESTORS = "https://web.telegram.org https://*.telegram.org"
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        f"frame-ancestors 'self' {FRAME_ANCESTORS}",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Asset:
    """One file of the page, as served."""

    body: bytes
    media_type: str
    etag: str


@cache
def assets() -> dict[str, Asset]:
    """Every file in miniapp/static (name → asset), read once."""
    found: dict[str, Asset] = {}
    for entry in resources.files("miniapp").joinpath("static").iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in TYPES:
            body = entry.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            found[entry.name] = Asset(body, TYPES[suffix], etag)
    return found


def _serve(request: Request, asset: Asset, max_age: int) -> Response:
    headers = {**SECURITY_HEADERS, "ETag": asset.etag, "Cache-Control": f"max-age={max_age}"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


async def app_page(request: Request) -> Response:
    """/app: the page itself (always revalidated, so a new release shows at once)."""
    return _serve(request, assets()["index.html"], 0)


async def static_file(request: Request) -> Response:
    """/app/static/<name>: a known asset, or 404."""
    asset = assets().get(request.path_params["name"])
    if asset is None or request.path_params["name"] == "index.html":
        return Response(status_code=404, headers=SECURITY_HEADERS)
    return _serve(request, asset, 300)


def page_routes() -> list[Route]:
    """/app and /app/static/<name>."""
    return [
        Route(APP_PATH, app_page, methods=["GET", "HEAD"]),
        Route(STATIC_PATH + "/{name}", static_file, methods=["GET", "HEAD"]),
    ]
