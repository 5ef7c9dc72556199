"""The webhook's one endpoint as a bare ASGI application, in front of the Starlette app that
serves everything else (`/healthz`, the Mini App).

Every update Telegram sends comes through here, so it skips what it does not need: routing, the
error and gzip middleware, and Starlette's request and response objects (about 16 µs of CPU per
update, measured beside a Starlette route doing the same). It answers as that route did: 403
without the secret, 413 past the size limit, 400 for a body Telegram would never send, 200 once
the update is queued. An exception escapes to the server, which answers 500 and logs it, as
Starlette's error middleware did."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from telegram import Update

from handlers.context import BotApplication
from handlers.webhook_body import BodyTooLarge, parse_update, read_limited

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ClientGone(Exception):
    """The client disconnected before sending the whole body."""


class WebhookFirst:
    """POST `path` to the update endpoint (another method there: 405); every other request, and
    the lifespan, to `app`."""

    def __init__(
        self,
        app: ASGIApp,
        path: str,
        header: str,
        secret: str,
        application: BotApplication,
    ) -> None:
        self.app = app
        self.path = path
        self._header = header.lower().encode("latin-1")
        self._secret = secret.encode()
        self._application = application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
        elif scope["method"] == "POST":
            await self._update(scope, receive, send)
        else:
            await _answer(send, 405, [(b"allow", b"POST")])

    async def _update(self, scope: Scope, receive: Receive, send: Send) -> None:
        # As Starlette read it: the first such header, latin-1, compared as UTF-8.
        given = next((value for name, value in scope["headers"] if name == self._header), b"")
        if not hmac.compare_digest(given.decode("latin-1").encode(), self._secret):
            await _answer(send, 403)
            return
        try:
            payload = parse_update(await read_limited(_body(receive)))
        except BodyTooLarge:
            log.warning("webhook body over the size limit: refused")
            await _answer(send, 413)
            return
        except ClientGone:
            return  # nobody to answer
        if isinstance(payload, str):  # from someone who knows the secret: refuse, log
            log.warning("malformed webhook update refused: %s", payload)
            await _answer(send, 400)
            return
        try:
            update = Update.de_json(payload, self._application.bot)
        except Exception:
            log.warning("malformed webhook update refused", exc_info=True)
            await _answer(send, 400)
            return
        await self._application.update_queue.put(update)
        await _answer(send, 200)


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    """The request body's chunks as they arrive."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _answer(
    send: Send, status: int, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """An empty answer with this status."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-length", b"0"), *(headers or [])],
        }
    )
    await send({"type": "http.response.body", "body": b""})
