"""``FakeBotAPI``: the test-facing facade of the fake Telegram Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from .absorb import absorb
from .call import from_params
from .context import Context
from .dispatch import Dispatcher, LoggedRequest
from .errors import ApiError
from .faults import Faults
from .flood import FloodControl
from .server import FakeServer
from .state import BotIdentity, State, StoredMessage, scope_key
from .updates import UpdateBuilder

T = TypeVar("T")
DEFAULT_TOKEN = "7000000001:AAFakeTokenForTestsOnly-0123456789ab"


class FakeBotAPI:
    """A local Bot API server with Telegram's validation, limits and errors.

    Point python-telegram-bot at it with ``ApplicationBuilder().token(api.token)
    .base_url(api.base_url)`` (and ``.base_file_url(api.base_file_url)`` for downloads).
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "hk_policy_test_bot",
        first_name: str = "HK Policy Bot",
        can_join_groups: bool = True,
        can_read_all_group_messages: bool = False,
    ) -> None:
        self.token = token
        self.identity = BotIdentity(
            id=int(token.split(":", 1)[0]),
            username=username,
            first_name=first_name,
            can_join_groups=can_join_groups,
            can_read_all_group_messages=can_read_all_group_messages,
        )
        self.state = State(self.identity)
        self.faults = Faults()
        self.flood = FloodControl()
        self.ctx = Context(self.state, self.faults, self.flood)
        self.dispatcher = Dispatcher(self.ctx)
        self.build = UpdateBuilder(self.state)
        self._server: FakeServer | None = None
        self.host = "127.0.0.1"
        self.port = 0

    # Server lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving on ``host:port`` (0: a free port); return ``base_url``."""
        self._server = FakeServer(self.dispatcher, self.faults, self.token)
        self.host, self.port = host, await self._server.start(host, port)
        return self.base_url

    async def stop(self) -> None:
        """Release pending long polls and stop serving."""
        self.state.updates.close()
        if self._server is not None:
            await self._server.stop()
            self._server = None

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url`` / ``Bot(base_url=...)``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url`` / ``Bot(base_file_url=...)``."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def bot_username(self) -> str:
        """The bot's username (without "@")."""
        return self.identity.username

    def reset(self) -> None:
        """Forget chats, messages, updates, requests, faults and flood counts (keep the bot)."""
        self.state.updates.close()
        self.state = State(self.identity)
        self.ctx.state = self.state
        self.build.state = self.state
        self.faults.clear()
        self.flood.disable()
        self.flood.reset()
        self.dispatcher.log.clear()

    # Updates and known chats

    def push_update(self, update: dict[str, Any]) -> int | None:
        """Queue an update for ``getUpdates``; return its update_id (None: filtered out)."""
        absorb(self.state, self.faults, update)
        update_id = self.state.updates.push(update)
        self.dispatcher.notify()
        return update_id

    def register_chat(self, chat_id: int, chat_type: str = "private", **fields: Any) -> None:
        """Make a chat known without an update (e.g. for proactive sends)."""
        if chat_type == "private":
            fields.setdefault("first_name", f"User {chat_id}")
            self.state.register_user({"id": chat_id, "is_bot": False, **fields})
        else:
            fields.setdefault("title", f"Chat {chat_id}")
        self.state.register_chat({"id": chat_id, "type": chat_type, **fields})

    def set_chat_member(self, chat_id: int, user_id: int, status: str, **fields: Any) -> None:
        """Script ``getChatMember``: "creator", "administrator", "member", "restricted", ..."""
        self.state.members[chat_id, user_id] = {"status": status, **fields}

    # Scripted faults

    def block_user(self, user_id: int) -> None:
        """Every send to the user answers 403 "Forbidden: bot was blocked by the user"."""
        self.faults.blocked_users.add(user_id)

    def unblock_user(self, user_id: int) -> None:
        """Undo ``block_user``."""
        self.faults.blocked_users.discard(user_id)

    def kick_from_chat(self, chat_id: int) -> None:
        """Sends and edits answer 403 "Forbidden: bot was kicked from the group chat"."""
        self.faults.kicked_chats.add(chat_id)

    def forget_chat(self, chat_id: int) -> None:
        """Every call about the chat answers 400 "Bad Request: chat not found"."""
        self.faults.missing_chats.add(chat_id)

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> None:
        """Sends answer 400 "group chat was upgraded to a supergroup chat" + migrate_to_chat_id."""
        self.faults.migrated_chats[chat_id] = new_chat_id
        title = self.state.chats.get(chat_id, {}).get("title", f"Chat {new_chat_id}")
        self.state.register_chat({"id": new_chat_id, "type": "supergroup", "title": title})

    def fail_next(
        self,
        method: str | None,
        count: int = 1,
        *,
        error_code: int = 400,
        description: str = "Bad Request: scripted failure",
        parameters: dict[str, Any] | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (None: any) with this error."""
        error = ApiError(error_code, description, parameters, raw=True)
        self.faults.fail_next(method, count, error)

    def delay(self, seconds: float, method: str | None = None, count: int | None = 1) -> None:
        """Answer the next ``count`` calls (None: all) of ``method`` ``seconds`` late."""
        self.faults.delay(method, seconds, count)

    def drop_connection(
        self, method: str | None = None, count: int = 1, *, process: bool = False
    ) -> None:
        """Close the next ``count`` connections unanswered (``process``: after acting)."""
        self.faults.drop_connection(method, count, process)

    def enable_flood_limits(self, **overrides: float | int | bool) -> None:
        """Turn on Telegram's flood limits (see ``FloodLimits`` for the overridable fields)."""
        self.flood.enable(**overrides)

    def disable_flood_limits(self) -> None:
        """Turn the flood limits off (the default)."""
        self.flood.disable()

    def set_query_ttl(self, callback: float | None = 15.0, inline: float | None = 15.0) -> None:
        """How long pushed callback/inline queries stay answerable (None: forever)."""
        self.ctx.callback_query_ttl, self.ctx.inline_query_ttl = callback, inline

    # Inspection

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every call so far: method, decoded params, HTTP status, JSON answer."""
        return self.dispatcher.log

    def calls(self, method: str) -> list[LoggedRequest]:
        """The logged calls of one method."""
        return [r for r in self.requests if r.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[StoredMessage]:
        """Messages the bot sent (still existing), oldest first."""
        return self.state.bot_messages(chat_id)

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A stored message (the bot's or a pushed user's)."""
        return self.state.message(chat_id, message_id)

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's ``answerCallbackQuery`` parameters for a pushed query, if answered."""
        record = self.state.callback_queries.get(query_id)
        return record.answer if record else None

    def inline_answer(self, query_id: str) -> dict[str, Any] | None:
        """The bot's ``answerInlineQuery`` parameters for a pushed query, if answered."""
        record = self.state.inline_queries.get(query_id)
        return record.answer if record else None

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """The commands set for a scope (default scope) and language code."""
        return list(self.state.commands.get((scope_key(scope), language_code), []))

    # Waiting

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy (re-checked after every call); return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (result := predicate()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = [(r.method, r.status, r.description) for r in self.requests[-5:]]
                raise TimeoutError(f"condition not met in {timeout} s; last requests: {recent}")
            await self.dispatcher.wait_changed(remaining)
        return result

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the deadline is the point of the call
    ) -> list[StoredMessage]:
        """Wait until the bot has sent ``count`` messages to ``chat_id``; return them all."""

        def enough() -> list[StoredMessage]:
            messages = self.sent_messages(chat_id)
            return messages if len(messages) >= count else []

        return await self.wait_for(enough, timeout)

    async def wait_for_request(self, method: str, timeout: float = 5.0) -> LoggedRequest:  # noqa: ASYNC109
        """Wait for the next call of ``method`` after now; return it."""
        seen = len(self.requests)

        def arrived() -> LoggedRequest | None:
            return next((r for r in self.requests[seen:] if r.method == method), None)

        return await self.wait_for(arrived, timeout)

    # In-process calls (no HTTP)

    async def call(self, method: str, **params: Any) -> Any:
        """Run a call in-process, encoded as PTB encodes it; return the result or raise."""
        status, body = await self.dispatcher.dispatch(from_params(method, **params))
        if status != 200:
            raise ApiError(status, body["description"], body.get("parameters"), raw=True)
        return body["result"]
