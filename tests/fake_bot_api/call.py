"""One Bot API call as the server sees it, whatever the body encoding.

The Bot API server turns every request into string arguments: query-string and form fields as
sent, multipart text parts as sent, and for a JSON body each string value as is and every other
value as its JSON text (so ``{"limit": 5}`` gives ``"5"`` and ``{"next_offset": []}`` gives
``"[]"``). ``json_kinds`` remembers which arguments were non-strings in a JSON body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RawCall:
    """A method call: lower-level string arguments, JSON kinds and uploaded files."""

    method: str
    args: dict[str, str] = field(default_factory=dict)
    json_kinds: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def arg(self, name: str) -> str:
        """The argument's string value ("" when absent, as the server sees it)."""
        return self.args.get(name, "")


def json_kind(value: Any) -> str:
    """The JSON type name of a decoded JSON value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def from_json_body(method: str, body: dict[str, Any]) -> RawCall:
    """A call from a JSON object body, converted the way the Bot API server converts it."""
    call = RawCall(method)
    for key, value in body.items():
        call.json_kinds[key] = json_kind(value)
        call.args[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return call


def from_params(method: str, **params: Any) -> RawCall:
    """A call from Python values, encoded as python-telegram-bot encodes them (form fields)."""
    call = RawCall(method)
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, UploadedFile):
            call.files[key] = value
        else:
            call.args[key] = value if isinstance(value, str) else json.dumps(value)
    return call
