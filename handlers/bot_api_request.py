"""The Bot API's HTTP client for python-telegram-bot: aiohttp in place of PTB's default httpx.

Every answer to a member is one Bot API call, so the client's own work per call counts: httpx
with httpcore parses HTTP in pure Python and wraps every call in several layers (anyio, request
and response models), where aiohttp parses in C. A call without files is sent as one JSON body
(the Bot API accepts `application/json`): encoded by orjson, where a form would percent-encode
every byte of a Chinese message in Python (and the standard encoder takes 12 µs for a page of
results, orjson under 1); a call with files is multipart, as PTB's own client sends it. Answers
are parsed by orjson too (a third of the standard decoder's time), falling back to PTB's own
parser for anything orjson refuses (NaN, a lone surrogate, bytes that are not UTF-8), so such
an answer means what it meant before. Timeouts and errors keep PTB's meaning: a timeout is
`TimedOut`, any other transport failure `NetworkError`, so the rate limiter and the callers
handle them as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

import aiohttp
import orjson
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

POOL_SIZE = 256  # connections to the Bot API at most (PTB's default for its own client)
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0  # a request carrying a file (PTB's default)
JSON_HEADERS = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` on one aiohttp session (opened by `initialize`, in the
    event loop that will use it; closed by `shutdown`)."""

    def __init__(self, pool_size: int = POOL_SIZE, read_timeout: float = READ_TIMEOUT) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """The Bot API's answer as a dict: by orjson, else as PTB parses it."""
        try:
            parsed = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return BaseRequest.parse_json_payload(payload)
        return parsed if isinstance(parsed, dict) else BaseRequest.parse_json_payload(payload)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP request: (status, body)."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None and files:
            body = _multipart(request_data.json_parameters, files)
        elif request_data is not None:
            body = orjson.dumps(request_data.parameters)
            headers = JSON_HEADERS
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, MEDIA_WRITE_TIMEOUT if files else WRITE_TIMEOUT)
        connect = _given(connect_timeout, CONNECT_TIMEOUT)
        pool = _given(pool_timeout, POOL_TIMEOUT)
        timeout = aiohttp.ClientTimeout(
            # waiting for a pooled connection and opening it; aiohttp has no write timeout of
            # its own: sending counts towards the read timeout's end of the exchange instead
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=None if read is None or write is None else read + write,
        )
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _given(value: object, default: float) -> float | None:
    """A timeout the caller passed (None: no limit), else (BaseRequest.DEFAULT_NONE) the
    default."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return None if value is None else float(value)  # type: ignore[arg-type]  # a number


def _multipart(
    fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes | IO[bytes], str]]
) -> aiohttp.FormData:
    """Form fields and files (name: (filename, content, MIME type)) as PTB's own client sends
    them: multipart/form-data."""
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
