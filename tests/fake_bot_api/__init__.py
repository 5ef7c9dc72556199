"""A fake Telegram Bot API server for end-to-end tests of the bot (real PTB, real HTTP).

It validates calls against the official spec (``bot-api.json``, see NOTICE.md) and answers
with Telegram's own error wording, parses ``parse_mode=HTML`` like Telegram, enforces Telegram's
limits, can be scripted to fail, and builds realistic updates for ``getUpdates``::

    api = FakeBotAPI()
    await api.start()                       # http://127.0.0.1:<free port>/bot
    app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
    api.push_update(api.build.private_message("/start"))
    [reply] = await api.wait_for_messages(chat_id=1001, count=1)

The pytest fixture ``fake_bot_api`` (``tests.fake_bot_api.fixtures``) does the start and stop.
"""

from .api import DEFAULT_TOKEN, FakeBotAPI
from .call import RawCall, UploadedFile
from .dispatch import LoggedRequest
from .errors import ApiError
from .flood import FloodLimits
from .html import HtmlParseError, parse_html
from .state import BotIdentity, StoredMessage
from .text import Entity, utf16_len
from .updates import DEFAULT_GROUP_ID, DEFAULT_USER_ID, UpdateBuilder

__all__ = [
    "DEFAULT_GROUP_ID",
    "DEFAULT_TOKEN",
    "DEFAULT_USER_ID",
    "ApiError",
    "BotIdentity",
    "Entity",
    "FakeBotAPI",
    "FloodLimits",
    "HtmlParseError",
    "LoggedRequest",
    "RawCall",
    "StoredMessage",
    "UpdateBuilder",
    "UploadedFile",
    "parse_html",
    "utf16_len",
]
