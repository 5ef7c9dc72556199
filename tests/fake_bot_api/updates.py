"""Builders of realistic ``Update`` objects (as dicts, without ``update_id``).

Message ids come from the fake's per-chat counters, users carry ``language_code``, commands and
mentions carry their entities, callback queries quote a message the fake stored. Push the
result with ``FakeBotAPI.push_update``.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import re
import time
from typing import Any

from .state import State, StoredMessage
from .text import utf16_len

DEFAULT_USER_ID = 1001
DEFAULT_GROUP_ID = -1001234567890
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}")


def detect_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command and mention entities Telegram marks in an incoming text."""
    found = [("bot_command", m) for m in _COMMAND.finditer(text)]
    found += [("mention", m) for m in _MENTION.finditer(text)]
    entities = [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for kind, m in found
    ]
    return sorted(entities, key=lambda e: e["offset"])


class UpdateBuilder:
    """Builds updates for one fake (it allocates message ids and looks up stored messages)."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._query_ids = itertools.count(4000000000000000001)

    def user(
        self,
        user_id: int = DEFAULT_USER_ID,
        *,
        first_name: str = "Tai Man",
        last_name: str | None = "Chan",
        username: str | None = None,
        language_code: str | None = "zh-hant",
    ) -> dict[str, Any]:
        """A (non-bot) ``User``; an already known user keeps their details."""
        if user_id in self.state.users:
            return dict(self.state.users[user_id])
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        return user

    def _message(
        self, chat: dict[str, Any], sender: dict[str, Any], text: str, **extra: Any
    ) -> dict[str, Any]:
        message = {
            "message_id": self.state.allocate_message_id(int(chat["id"])),
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
            **extra,
        }
        if "entities" not in message:
            entities = detect_entities(text)
            if entities:
                message["entities"] = entities
        return message

    def private_message(
        self, text: str, user_id: int = DEFAULT_USER_ID, **user_fields: Any
    ) -> dict[str, Any]:
        """A text message from a user to the bot in their private chat."""
        sender = self.user(user_id, **user_fields)
        chat = {"id": user_id, "type": "private", "first_name": sender["first_name"]}
        chat.update({k: sender[k] for k in ("last_name", "username") if k in sender})
        return {"message": self._message(chat, sender, text)}

    def private_document(
        self,
        data: bytes,
        filename: str,
        caption: str | None = None,
        user_id: int = DEFAULT_USER_ID,
        *,
        mime_type: str = "application/octet-stream",
        **user_fields: Any,
    ) -> dict[str, Any]:
        """A file a user sends the bot in their private chat; its bytes are registered, so
        ``getFile`` and the ``/file/bot<token>/<path>`` download serve them."""
        sender = self.user(user_id, **user_fields)
        chat = {"id": user_id, "type": "private", "first_name": sender["first_name"]}
        chat.update({k: sender[k] for k in ("last_name", "username") if k in sender})
        file_id = self.state.new_id("FAKE-USER-DOCUMENT-")
        record = {
            "file_id": file_id,
            "file_unique_id": hashlib.sha1(data, usedforsecurity=False).hexdigest()[:16],
            "file_size": len(data),
            "file_name": filename,
            "mime_type": mime_type,
            "_data": data,
        }
        self.state.files[file_id] = record
        document = {key: value for key, value in record.items() if not key.startswith("_")}
        message = self._message(chat, sender, "", document=document)
        del message["text"]
        if caption is not None:
            message["caption"] = caption
        return {"message": message}

    def group_chat(
        self, chat_id: int = DEFAULT_GROUP_ID, chat_type: str = "supergroup", title: str = "Policy"
    ) -> dict[str, Any]:
        """A group or supergroup ``Chat`` (known chats keep their details)."""
        known = self.state.chats.get(chat_id)
        if known is not None:
            return self.state.chat_summary(chat_id)
        return {"id": chat_id, "type": chat_type, "title": title}

    def group_message(
        self,
        text: str,
        chat_id: int = DEFAULT_GROUP_ID,
        user_id: int = DEFAULT_USER_ID,
        *,
        chat_type: str = "supergroup",
        **extra: Any,
    ) -> dict[str, Any]:
        """A text message in a group or supergroup."""
        chat = self.group_chat(chat_id, chat_type)
        return {"message": self._message(chat, self.user(user_id), text, **extra)}

    def group_command(
        self, command: str, args: str = "", chat_id: int = DEFAULT_GROUP_ID, **kwargs: Any
    ) -> dict[str, Any]:
        """``/command@botname args`` in a group, with its bot_command entity."""
        text = f"/{command.lstrip('/')}@{self.state.bot.username}" + (f" {args}" if args else "")
        return self.group_message(text, chat_id, **kwargs)

    def mention(
        self, before: str = "", after: str = "", chat_id: int = DEFAULT_GROUP_ID, **kwargs: Any
    ) -> dict[str, Any]:
        """A group message mentioning ``@botname`` between ``before`` and ``after``."""
        text = f"{before}@{self.state.bot.username}{after}"
        return self.group_message(text, chat_id, **kwargs)

    def reply_to(
        self, message: StoredMessage, text: str, user_id: int = DEFAULT_USER_ID
    ) -> dict[str, Any]:
        """A user's text reply to a stored message (e.g. one the bot sent)."""
        chat = self.state.chat_summary(message.chat_id)
        replied = {k: v for k, v in message.data.items() if k != "reply_to_message"}
        body = self._message(
            chat, self.user(user_id), text, reply_to_message=copy.deepcopy(replied)
        )
        return {"message": body}

    def callback_query(
        self,
        message: StoredMessage,
        data: str,
        user_id: int = DEFAULT_USER_ID,
        *,
        check: bool = True,
    ) -> dict[str, Any]:
        """A press on an inline button of a stored bot message (``check``: the button exists)."""
        if check and data not in message.callback_data():
            raise ValueError(f"no button with callback_data {data!r}: {message.callback_data()}")
        query = {
            "id": str(next(self._query_ids)),
            "from": self.user(user_id),
            "message": copy.deepcopy(message.data),
            "chat_instance": str(abs(message.chat_id) * 7 + 3),
            "data": data,
        }
        return {"callback_query": query}

    def inline_query(
        self,
        query: str,
        user_id: int = DEFAULT_USER_ID,
        *,
        offset: str = "",
        chat_type: str | None = "sender",
        **user_fields: Any,
    ) -> dict[str, Any]:
        """An inline query typed after ``@botname`` (``user_fields``, e.g. ``language_code``,
        describe a user not seen before, as for a message)."""
        body: dict[str, Any] = {
            "id": str(next(self._query_ids)),
            "from": self.user(user_id, **user_fields),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            body["chat_type"] = chat_type
        return {"inline_query": body}

    def my_chat_member(
        self, chat: dict[str, Any], old_status: str, new_status: str, user_id: int = DEFAULT_USER_ID
    ) -> dict[str, Any]:
        """The bot's own membership changing in ``chat``."""
        bot = self.state.bot.user()
        old = self.state.chat_member(old_status, bot)
        new = self.state.chat_member(new_status, bot)
        body = {
            "chat": chat,
            "from": self.user(user_id),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        return {"my_chat_member": body}

    def bot_added(self, chat_id: int = DEFAULT_GROUP_ID, **kwargs: Any) -> dict[str, Any]:
        """The bot added to a group (left -> member)."""
        return self.my_chat_member(self.group_chat(chat_id), "left", "member", **kwargs)

    def bot_removed(
        self, chat_id: int = DEFAULT_GROUP_ID, *, kicked: bool = True
    ) -> dict[str, Any]:
        """The bot removed from a group (member -> kicked, or -> left)."""
        status = "kicked" if kicked else "left"
        return self.my_chat_member(self.group_chat(chat_id), "member", status)

    def bot_blocked(self, user_id: int = DEFAULT_USER_ID) -> dict[str, Any]:
        """A user blocking the bot (member -> kicked in their private chat)."""
        sender = self.user(user_id)
        chat = {"id": user_id, "type": "private", "first_name": sender["first_name"]}
        return self.my_chat_member(chat, "member", "kicked", user_id)

    def bot_unblocked(self, user_id: int = DEFAULT_USER_ID) -> dict[str, Any]:
        """A user unblocking the bot (kicked -> member)."""
        sender = self.user(user_id)
        chat = {"id": user_id, "type": "private", "first_name": sender["first_name"]}
        return self.my_chat_member(chat, "kicked", "member", user_id)

    def migrate_to_chat(
        self, chat_id: int, new_chat_id: int, user_id: int = DEFAULT_USER_ID
    ) -> dict[str, Any]:
        """The service message in a basic group upgraded to the supergroup ``new_chat_id``."""
        chat = self.group_chat(chat_id, "group")
        body = self._message(chat, self.user(user_id), "", migrate_to_chat_id=new_chat_id)
        del body["text"]
        return {"message": body}
