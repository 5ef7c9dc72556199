"""The HTTP side: ``/bot<token>/<method>`` (GET or POST; query string, form, multipart or JSON
bodies) and ``/file/bot<token>/<path>`` downloads, served by aiohttp on loopback.

Call faults act here: a dropped connection is closed without an answer (before the call is
processed, or after it with ``process=True``), a delayed one is answered late.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from aiohttp import BodyPartReader, web

from .call import RawCall, UploadedFile, from_json_body
from .dispatch import Dispatcher, loggable
from .errors import NOT_FOUND, UNAUTHORIZED, ApiError, bad_request
from .faults import Faults

_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


def _json_response(status: int, body: dict[str, Any]) -> web.Response:
    headers = {}
    retry = (body.get("parameters") or {}).get("retry_after")
    if status == 429 and retry:
        headers["Retry-After"] = str(retry)
    return web.json_response(body, status=status, headers=headers)


async def read_call(request: web.Request, method: str) -> RawCall:
    """Decode a request's parameters the way the Bot API server does."""
    content_type = request.content_type
    if content_type == "application/json":
        text = await request.text()
        try:
            body = json.loads(text) if text.strip() else {}
        except ValueError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        call = from_json_body(method, body)
    else:
        call = RawCall(method)
        if content_type == "multipart/form-data":
            await _read_multipart(request, call)
        elif request.method == "POST":
            call.args.update({k: str(v) for k, v in (await request.post()).items()})
    for key, value in request.query.items():
        call.args.setdefault(key, value)
    return call


async def _read_multipart(request: web.Request, call: RawCall) -> None:
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        data = await part.read()
        if part.filename is not None:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            call.files[part.name] = UploadedFile(
                part.name, part.filename, content_type, bytes(data)
            )
        else:
            call.args[part.name] = bytes(data).decode("utf-8", "replace")


class FakeServer:
    """The aiohttp application and runner around a ``Dispatcher``."""

    def __init__(self, dispatcher: Dispatcher, faults: Faults, token: str) -> None:
        self.dispatcher = dispatcher
        self.faults = faults
        self.token = token
        self.drop_after_processing: set[int] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Start listening; return the bound port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner = web.AppRunner(
            app, shutdown_timeout=0.5, handler_cancellation=True, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.port

    async def stop(self) -> None:
        """Stop listening and end pending requests."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one HTTP request."""
        file_match = _FILE_PATH.match(request.path)
        if file_match:
            return self._download(file_match.group("token"), file_match.group("path"))
        match = _PATH.match(request.path)
        if match is None:
            return _json_response(404, NOT_FOUND.body())
        if match.group("token") != self.token:
            return _json_response(401, UNAUTHORIZED.body())
        method = match.group("method")
        try:
            call = await read_call(request, method)
        except ApiError as error:
            return _json_response(error.code, error.body())
        drop = self.faults.take_drop_rule(method)
        if drop is not None and not drop.payload:
            self.dispatcher.record(method, loggable(call), 0, {})
            return self._drop(request)
        delay = self.faults.take_delay(method)
        if delay:
            await asyncio.sleep(delay)
        status, body = await self.dispatcher.dispatch(call)
        if drop is not None:
            return self._drop(request)
        return _json_response(status, body)

    def _drop(self, request: web.Request) -> web.Response:
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=204)

    def _download(self, token: str, path: str) -> web.Response:
        if token != self.token:
            return _json_response(401, UNAUTHORIZED.body())
        record = self.dispatcher.ctx.state.files.get(path.rsplit("/", 1)[-1])
        if record is None:
            return _json_response(404, NOT_FOUND.body())
        return web.Response(body=record["_data"], content_type=record["mime_type"])
