"""The real web server (the Starlette app of `python -m bot webhook`, served by uvicorn on a
loopback port) and Debian's chromium driven by Playwright, with a stub of Telegram's
`window.Telegram.WebApp` that carries initData signed for the bot's token."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

LIGHT = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
}
DARK = {
    "bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#181818",
}
PHONE = {"width": 390, "height": 844}


def chromium_or_skip() -> str:
    """Debian's chromium; without it the browser tests skip, except in CI, where they fail."""
    found = shutil.which("chromium")
    if found is None:
        reason = "chromium is not installed (apt-get install -y chromium); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """`app` served by uvicorn on a loopback port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", log_config=None)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def telegram_stub(init_data: str, theme: dict[str, str], scheme: str) -> str:
    """A script run before the page's own: what a Telegram client provides (no network)."""
    webapp: dict[str, Any] = {
        "initData": init_data,
        "initDataUnsafe": {},
        "colorScheme": scheme,
        "themeParams": theme,
        "platform": "tdesktop",
        "version": "8.0",
    }
    return (
        "(() => {"
        f"const app = {json.dumps(webapp)};"
        "app.ready = () => { window.__ready = true; };"
        "app.expand = () => {};"
        "app.onEvent = () => {};"
        "app.BackButton = { visible: false, show() { this.visible = true; },"
        " hide() { this.visible = false; }, onClick() {} };"
        "window.Telegram = { WebApp: app };"
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
        "})();"
    )
