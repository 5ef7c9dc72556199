"""The Bot API client (aiohttp) keeps PTB's meaning of failures: a silent server is TimedOut, a
refused connection NetworkError; an answer comes back as (status, body) whatever the status."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest

from handlers.bot_api_request import AiohttpRequest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_silent_server_times_out_and_a_closed_port_is_a_network_error() -> None:
    release = asyncio.Event()
    handled: list[asyncio.Task[None]] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handled.append(asyncio.current_task())  # type: ignore[arg-type]
        await reader.read(65536)
        await release.wait()  # never answers while the client waits
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(
                f"http://127.0.0.1:{port}/bot1:x/getMe", "POST", write_timeout=0.1
            )
        with pytest.raises(NetworkError) as refused:
            await request.do_request(f"http://127.0.0.1:{_free_port()}/bot1:x/getMe", "POST")
        assert not isinstance(refused.value, TimedOut)
    finally:
        await request.shutdown()
        release.set()
        await asyncio.gather(*handled, return_exceptions=True)
        server.close()
        await server.wait_closed()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"http://127.0.0.1:{port}/", "POST")


async def test_an_error_status_comes_back_with_its_body() -> None:
    async def refusing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = b'{"ok":false,"error_code":400,"description":"Bad Request: nope"}'
        writer.write(
            b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(refusing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with AiohttpRequest() as request:
        status, body = await request.do_request(f"http://127.0.0.1:{port}/bot1:x/x", "POST")
    server.close()
    await server.wait_closed()
    assert status == 400 and b"Bad Request: nope" in body


async def test_a_call_without_files_is_one_json_body_and_one_with_files_is_multipart() -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
    from telegram.request import RequestData
    from telegram.request._requestparameter import RequestParameter

    received: list[bytes] = []

    async def recording(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(
            next(
                line.split(b":", 1)[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
        )
        received.append(head + await reader.readexactly(length))
        body = b'{"ok":true,"result":true}'
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(recording, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("下一頁 ▶", callback_data="p:1")]])
    plain = RequestData(
        [
            RequestParameter.from_input("chat_id", 42),
            RequestParameter.from_input("text", "<b>烈酒稅</b> & 中試"),
            RequestParameter.from_input("reply_markup", markup),
            RequestParameter.from_input("disable_notification", None),  # left out
        ]
    )
    upload = RequestData(
        [
            RequestParameter.from_input("chat_id", 42),
            RequestParameter.from_input("document", InputFile(b"a,b\n", filename="x.csv")),
        ]
    )
    async with AiohttpRequest() as request:
        for data in (plain, upload):
            status, _ = await request.do_request(
                f"http://127.0.0.1:{port}/bot1:x/send", "POST", request_data=data
            )
            assert status == 200
    server.close()
    await server.wait_closed()
    json_call, file_call = received
    head, body = json_call.split(b"\r\n\r\n", 1)
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body) == {
        "chat_id": 42,
        "text": "<b>烈酒稅</b> & 中試",
        "reply_markup": {"inline_keyboard": [[{"text": "下一頁 ▶", "callback_data": "p:1"}]]},
    }
    assert "烈酒稅".encode() in body  # UTF-8 as is, not \\u escapes
    assert b"multipart/form-data" in file_call.split(b"\r\n\r\n", 1)[0].lower()
    assert b'filename="x.csv"' in file_call and b"a,b\n" in file_call


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(answer=st.dictionaries(st.text(), JSON_VALUES, max_size=5))
def test_answers_parse_as_ptb_parses_them(answer: dict[str, object]) -> None:
    payload = json.dumps(answer, ensure_ascii=False).encode()
    assert AiohttpRequest.parse_json_payload(payload) == BaseRequest.parse_json_payload(payload)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"ok": true, "result": NaN}',  # the standard parser takes NaN, orjson does not
        b'{"ok": true, "result": {"text": "\\ud83d"}}',  # a lone surrogate, escaped
        b'{"ok": true, "result": "caf\xe9"}',  # not UTF-8: PTB replaces the byte
        b"[1, 2]",
    ],
)
def test_answers_orjson_refuses_mean_what_they_meant(payload: bytes) -> None:
    ours = AiohttpRequest.parse_json_payload(payload)
    theirs = BaseRequest.parse_json_payload(payload)
    assert repr(ours) == repr(theirs)  # repr: NaN is not equal to itself


def test_answers_ptb_cannot_parse_are_its_error() -> None:
    with pytest.raises(TelegramError):
        AiohttpRequest.parse_json_payload(b'{"ok": tru')
