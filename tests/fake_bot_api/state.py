"""What the fake Telegram remembers: the bot, chats, users, messages, commands, queries, files.

Chats become known when an update from them is pushed (or by ``register_chat``); message ids
are allocated per chat, shared by the users' messages and the bot's, as in Telegram.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from .call import UploadedFile
from .spec import load_spec
from .update_queue import UpdateQueue

GROUP_TYPES = frozenset({"group", "supergroup"})


@dataclass
class BotIdentity:
    """The bot behind the token (``getMe``)."""

    id: int = 7000000001
    username: str = "hk_policy_test_bot"
    first_name: str = "HK Policy Bot"
    can_join_groups: bool = True
    can_read_all_group_messages: bool = False
    supports_inline_queries: bool = True

    def user(self) -> dict[str, Any]:
        """The bot as a ``User`` (as it appears in ``from`` fields)."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def get_me(self) -> dict[str, Any]:
        """The ``getMe`` answer."""
        return {
            **self.user(),
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class StoredMessage:
    """A message in a chat: its Bot API ``Message`` object plus how the bot produced it."""

    data: dict[str, Any]
    from_bot: bool
    source: str | None = None  # the text or caption as sent (the HTML source with parse_mode)
    parse_mode: str | None = None
    file: UploadedFile | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions (edits)

    @property
    def chat_id(self) -> int:
        """The chat's id."""
        return int(self.data["chat"]["id"])

    @property
    def message_id(self) -> int:
        """The message's id within its chat."""
        return int(self.data["message_id"])

    @property
    def text(self) -> str | None:
        """The plain text (entities applied) or the caption."""
        return self.data.get("text", self.data.get("caption"))

    @property
    def entities(self) -> list[dict[str, Any]]:
        """The text's (or caption's) entities."""
        return list(self.data.get("entities", self.data.get("caption_entities", [])))

    @property
    def html(self) -> str | None:
        """The HTML source the bot sent, when it used ``parse_mode=HTML``."""
        return self.source if (self.parse_mode or "").lower() == "html" else None

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """The inline keyboard, if any."""
        return self.data.get("reply_markup")

    def callback_data(self) -> list[str]:
        """Every ``callback_data`` of the inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


@dataclass
class QueryRecord:
    """A callback or inline query pushed to the bot, and how the bot answered it."""

    query: dict[str, Any]
    pushed_at: float
    answer: dict[str, Any] | None = None


def scope_key(scope: dict[str, Any] | None) -> tuple[str, str, int]:
    """A hashable key for a ``BotCommandScope``."""
    scope = scope or {"type": "default"}
    return (str(scope.get("type")), str(scope.get("chat_id", "")), int(scope.get("user_id", 0)))


class State:
    """Everything the fake remembers between calls."""

    def __init__(self, bot: BotIdentity) -> None:
        self.bot = bot
        self.spec = load_spec()
        self.chats: dict[int, dict[str, Any]] = {}
        self.usernames: dict[str, int] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self.members: dict[tuple[int, int], dict[str, Any]] = {}
        self.commands: dict[tuple[tuple[str, str, int], str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.callback_queries: dict[str, QueryRecord] = {}
        self.inline_queries: dict[str, QueryRecord] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.updates = UpdateQueue()
        self._ids = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        """A fresh opaque identifier (query ids, file ids)."""
        return f"{prefix}{next(self._ids)}"

    # Chats and users

    def register_chat(self, chat: dict[str, Any]) -> dict[str, Any]:
        """Make a chat known (merging fields); return the stored chat."""
        stored = self.chats.setdefault(int(chat["id"]), {})
        stored.update(chat)
        if chat.get("username"):
            self.usernames[str(chat["username"]).lower()] = int(chat["id"])
        return stored

    def register_user(self, user: dict[str, Any]) -> None:
        """Remember a user (and so their private chat's details)."""
        self.users[int(user["id"])] = dict(user)

    def resolve_chat(self, chat_id: int | str) -> dict[str, Any] | None:
        """The known chat for an id or ``@username``, else None."""
        if isinstance(chat_id, str):
            known = self.usernames.get(chat_id.removeprefix("@").lower())
            return self.chats.get(known) if known is not None else None
        return self.chats.get(chat_id)

    def chat_summary(self, chat_id: int) -> dict[str, Any]:
        """The chat as it appears inside a ``Message``."""
        chat = self.chats[chat_id]
        keys = ("id", "type", "title", "username", "first_name", "last_name", "is_forum")
        return {key: chat[key] for key in keys if key in chat}

    # Messages

    def allocate_message_id(self, chat_id: int) -> int:
        """The next message id in a chat."""
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def store_message(self, stored: StoredMessage) -> StoredMessage:
        """Keep a message (a pushed user message or one the bot sent)."""
        self.messages.setdefault(stored.chat_id, {})[stored.message_id] = stored
        next_id = self._next_message_id.get(stored.chat_id, 1)
        self._next_message_id[stored.chat_id] = max(next_id, stored.message_id + 1)
        return stored

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A stored message, if it exists."""
        return self.messages.get(chat_id, {}).get(message_id)

    def bot_messages(self, chat_id: int | None = None) -> list[StoredMessage]:
        """Messages the bot sent (to one chat, or to all), oldest first."""
        chats = [chat_id] if chat_id is not None else list(self.messages)
        found = [m for c in chats for m in self.messages.get(c, {}).values() if m.from_bot]
        return sorted(found, key=lambda m: (m.data["date"], m.chat_id, m.message_id))

    def new_bot_message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        """A ``Message`` object from the bot in ``chat_id`` with a fresh id."""
        return {
            "message_id": self.allocate_message_id(chat_id),
            "from": self.bot.user(),
            "chat": self.chat_summary(chat_id),
            "date": int(time.time()),
            **content,
        }

    # Members

    def member(self, chat_id: int, user_id: int) -> dict[str, Any] | None:
        """The ``ChatMember`` object for a user in a chat, if one can be told."""
        user = self.bot.user() if user_id == self.bot.id else self.users.get(user_id)
        if user is None:
            return None
        configured = self.members.get((chat_id, user_id))
        if configured is not None:
            fields = dict(configured)
        elif self.chats[chat_id].get("type") == "private":
            fields = {"status": "member"}
        else:
            fields = self._seen(chat_id, user)
        return self.chat_member(fields.pop("status"), user, **fields)

    def _seen(self, chat_id: int, user: dict[str, Any]) -> dict[str, Any]:
        posted = any(
            m.data.get("from", {}).get("id") == user["id"]
            for m in self.messages.get(chat_id, {}).values()
        )
        return {"status": "member" if posted or user.get("is_bot") else "left"}

    def chat_member(self, status: str, user: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """A ``ChatMember`` of the given status with every required field filled."""
        kinds = {
            "creator": "ChatMemberOwner",
            "administrator": "ChatMemberAdministrator",
            "member": "ChatMemberMember",
            "restricted": "ChatMemberRestricted",
            "left": "ChatMemberLeft",
            "kicked": "ChatMemberBanned",
        }
        if status == "administrator":
            fields = {"can_manage_chat": True, "can_delete_messages": True, **fields}
        return self.spec.defaults(kinds[status], status=status, user=user, **fields)
