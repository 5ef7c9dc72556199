"""Scripted faults: blocked users, kicked/migrated/unknown chats, failing, slow or dropped calls.

Chat faults are checked the way the Bot API server checks chat access: reading a chat works
for a blocked user or a kicked bot, writing does not; editing fails in a chat the bot was
kicked from. Call faults (``fail_next``, ``delay``, ``drop_connection``) apply to the next
calls of a method (or of any method), each for a given number of calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ApiError, bad_request, forbidden, migrated

Access = Literal["read", "write", "edit"]
_READ_METHODS = frozenset(
    {"getChat", "getChatMember", "getChatAdministrators", "getChatMemberCount", "leaveChat"}
)
_KICKED_WORDING = {
    "group": "bot was kicked from the group chat",
    "supergroup": "bot was kicked from the supergroup chat",
    "channel": "bot was kicked from the channel chat",
}


def access_for(method: str) -> Access:
    """The access a method needs to its ``chat_id``, as the Bot API server classifies it."""
    if method in _READ_METHODS:
        return "read"
    if method.startswith(("edit", "pin", "unpin", "stopMessageLiveLocation", "stopPoll")):
        return "edit"
    return "write"


@dataclass
class _Counted:
    method: str | None  # None: any method
    remaining: int | None  # None: every call
    payload: Any = None

    def matches(self, method: str) -> bool:
        return self.method is None or self.method.lower() == method.lower()


def _take(rules: list[_Counted], method: str) -> _Counted | None:
    for rule in rules:
        if rule.matches(method):
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    rules.remove(rule)
            return rule
    return None


@dataclass
class Faults:
    """The faults currently scripted; see ``FakeBotAPI`` for the test-facing methods."""

    blocked_users: set[int] = field(default_factory=set)
    kicked_chats: set[int] = field(default_factory=set)
    missing_chats: set[int] = field(default_factory=set)
    migrated_chats: dict[int, int] = field(default_factory=dict)
    failures: list[_Counted] = field(default_factory=list)
    delays: list[_Counted] = field(default_factory=list)
    drops: list[_Counted] = field(default_factory=list)

    def clear(self) -> None:
        """Remove every scripted fault."""
        for value in vars(self).values():
            value.clear()

    def fail_next(self, method: str | None, count: int, error: ApiError) -> None:
        """Answer the next ``count`` calls of ``method`` (None: any) with ``error``."""
        self.failures.append(_Counted(method, count, error))

    def delay(self, method: str | None, seconds: float, count: int | None) -> None:
        """Hold the answers of the next ``count`` calls (None: all) for ``seconds``."""
        self.delays.append(_Counted(method, count, seconds))

    def drop_connection(self, method: str | None, count: int, process: bool = False) -> None:
        """Close the connection without answering the next ``count`` calls.

        ``process=True`` carries the call out first (the answer is lost, not the request).
        """
        self.drops.append(_Counted(method, count, process))

    def take_drop_rule(self, method: str) -> _Counted | None:
        """The drop rule for this call, if its connection is to be dropped (consumes one)."""
        return _take(self.drops, method)

    def take_delay(self, method: str) -> float:
        """Seconds to hold this call's answer (consumes one)."""
        rule = _take(self.delays, method)
        return float(rule.payload) if rule else 0.0

    def take_failure(self, method: str) -> ApiError | None:
        """The scripted error for this call, if any (consumes one)."""
        rule = _take(self.failures, method)
        return rule.payload if rule else None

    def chat_error(self, chat_id: int, chat_type: str, access: Access) -> ApiError | None:
        """The error for accessing a chat with the given access, if a fault applies."""
        if chat_id in self.missing_chats:
            return bad_request("chat not found")
        if access == "read":
            return None
        if chat_id in self.kicked_chats and chat_type in _KICKED_WORDING:
            return forbidden(_KICKED_WORDING[chat_type])
        if access == "edit":
            return None
        if chat_type == "private" and chat_id in self.blocked_users:
            return forbidden("bot was blocked by the user")
        if chat_id in self.migrated_chats:
            return migrated(self.migrated_chats[chat_id])
        return None
