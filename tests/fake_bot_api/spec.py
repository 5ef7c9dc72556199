"""The Bot API spec (``bot-api.json``) as a validator of method calls and their nested objects.

``validate_call`` checks a ``RawCall`` against the method's parameters and returns the decoded
parameters: Integer/Float/Boolean parsed, JSON-serialized objects decoded and checked field by
field against the spec's types (required fields, field types, nested objects, arrays, abstract
types such as ``InlineQueryResult`` picked by their ``type`` field), files attached. Errors
are ``ApiError`` with Telegram's wording (see ``errors.telegram_description``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .call import RawCall, UploadedFile
from .errors import NOT_FOUND, QUERY_ID_INVALID, bad_request

SPEC_PATH = Path(__file__).with_name("bot-api.json")
PRIMITIVES = frozenset({"String", "Integer", "Float", "Boolean", "InputFile"})
FILE_PARAMS = ("document", "photo", "audio", "video", "animation", "voice", "sticker")

# Telegram's wording for a missing (or empty) required parameter; the default is "<name> is empty".
_REQUIRED = {
    "chat_id": "chat_id is empty",
    "text": "Message text is empty",
    "callback_query_id": QUERY_ID_INVALID,
    "inline_query_id": QUERY_ID_INVALID,
    "user_id": "Invalid user_id specified",
    "message_id": "Message identifier is not specified",
    "action": "Wrong parameter action in request",
    "video_note": "There is no video note in the request",
    **{name: f"There is no {name} in the request" for name in FILE_PARAMS},
}
# Parameters the spec marks required that the server treats as having a default when absent.
_DEFAULT_WHEN_ABSENT: dict[tuple[str, str], Any] = {
    ("answerInlineQuery", "results"): [],
    ("setMyCommands", "commands"): [],
    ("setWebhook", "url"): "",
}
# How the server names a JSON parameter that does not decode.
_JSON_LABELS = {
    "reply_markup": "reply keyboard markup",
    "scope": "BotCommandScope",
    "menu_button": "menu button",
    "link_preview_options": "link preview options",
    "reply_parameters": "reply parameters",
    "permissions": "permissions",
    "rights": "ChatAdministratorRights",
}
# Parameters whose invalid JSON the server silently ignores.
_LENIENT_JSON = frozenset({"allowed_updates", "entities", "caption_entities"})
# String parameters for which a JSON array/object is surely a serialization bug: rejected (the
# real server would take the JSON text as the string, e.g. next_offset "[]").
STRICT_STRINGS = frozenset({"next_offset"})
# Element types whose errors the server prefixes, e.g. "Can't parse inline keyboard button: ...".
_ELEMENT_LABELS = {
    "InlineKeyboardButton": "Can't parse inline keyboard button",
    "KeyboardButton": "Can't parse keyboard button",
    "BotCommand": "Can't parse BotCommand",
    "InlineQueryResult": "Can't parse inline query result",
    "MessageEntity": "Can't parse MessageEntity",
    "BotCommandScope": "Can't parse BotCommandScope",
    "MenuButton": "Can't parse menu button",
    "LabeledPrice": "Can't parse labeled price",
    "ShippingOption": "Can't parse shipping option",
    "InputMedia": "Can't parse InputMedia",
}
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_LITERAL = re.compile(r"must be ([\w-]+)|always [“\"]([^”\"]+)[”\"]")


class SpecError(ValueError):
    """A nested validation failure, worded as the server words it (before the prefix)."""


@dataclass(frozen=True)
class Field:
    """One parameter of a method or field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str


@dataclass(frozen=True)
class TypeSpec:
    """A Bot API type: its fields, or its subtypes for abstract types."""

    name: str
    fields: tuple[Field, ...]
    subtypes: tuple[str, ...]

    def field(self, name: str) -> Field | None:
        """The field called ``name``, if any."""
        return next((field for field in self.fields if field.name == name), None)


class Spec:
    """The loaded spec: methods by (case-insensitive) name, and types by name."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data["version"]
        self.methods = {name.lower(): _fields(method) for name, method in data["methods"].items()}
        self.method_names = {name.lower(): name for name in data["methods"]}
        self.types = {
            name: TypeSpec(name, _fields(body), tuple(body.get("subtypes", ())))
            for name, body in data["types"].items()
        }
        self._tags: dict[str, tuple[str, dict[str, list[str]]] | None] = {}

    def method_name(self, name: str) -> str:
        """The canonical method name ("sendmessage" -> "sendMessage"); 404 if unknown."""
        try:
            return self.method_names[name.lower()]
        except KeyError:
            raise NOT_FOUND from None

    def discriminators(self, abstract: str) -> tuple[str, dict[str, list[str]]] | None:
        """For an abstract type, its tag field and a map tag value -> candidate subtypes.

        Several subtypes can share a tag value (``InlineQueryResultPhoto`` and
        ``InlineQueryResultCachedPhoto`` are both "photo"); their fields tell them apart.
        """
        if abstract not in self._tags:
            self._tags[abstract] = self._find_discriminators(abstract)
        return self._tags[abstract]

    def _find_discriminators(self, abstract: str) -> tuple[str, dict[str, list[str]]] | None:
        names = self.types[abstract].subtypes
        if any(name not in self.types for name in names):
            return None
        subtypes = [self.types[name] for name in names]
        for tag in ("type", "status", "source"):
            mapping: dict[str, list[str]] = {}
            for subtype in subtypes:
                field = subtype.field(tag)
                match = _LITERAL.search(field.description) if field else None
                if match:
                    mapping.setdefault(match.group(1) or match.group(2), []).append(subtype.name)
            if sum(map(len, mapping.values())) == len(subtypes):
                return tag, mapping
        return None

    def defaults(self, type_name: str, **values: Any) -> dict[str, Any]:
        """An object of ``type_name`` with its required fields filled with neutral values."""
        result: dict[str, Any] = {}
        for field in self.types[type_name].fields:
            if field.required and field.name not in values:
                result[field.name] = self._neutral(field.types[0])
        return {**result, **values}

    def _neutral(self, type_name: str) -> Any:
        if type_name.startswith("Array of"):
            return []
        neutral = {"String": "", "Integer": 0, "Float": 0.0, "Boolean": False}
        if type_name in neutral:
            return neutral[type_name]
        spec = self.types.get(type_name)
        if spec is None or spec.subtypes:
            return {}
        return self.defaults(type_name)


def _fields(body: dict[str, Any]) -> tuple[Field, ...]:
    return tuple(
        Field(f["name"], tuple(f["types"]), bool(f["required"]), _text(f.get("description", "")))
        for f in body.get("fields", ())
    )


def _text(description: str | list[str]) -> str:
    return description if isinstance(description, str) else " ".join(description)


@cache
def load_spec() -> Spec:
    """The spec shipped beside this module (parsed once)."""
    return Spec(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


def validate_call(call: RawCall, spec: Spec | None = None) -> dict[str, Any]:
    """Check ``call`` against its method's parameters; return the decoded parameters."""
    spec = spec or load_spec()
    method = spec.method_name(call.method)
    fields = sorted(spec.methods[method.lower()], key=lambda f: f.name not in ("text",))
    params: dict[str, Any] = {}
    for field in fields:
        present = call.arg(field.name) != "" or field.name in call.files
        if not present:
            if field.required and (method, field.name) in _DEFAULT_WHEN_ABSENT:
                params[field.name] = _DEFAULT_WHEN_ABSENT[method, field.name]
            elif field.required:
                raise bad_request(_REQUIRED.get(field.name, f"{field.name} is empty"))
            continue
        params[field.name] = _top_level(spec, call, field)
    return params


def _top_level(spec: Spec, call: RawCall, field: Field) -> Any:
    name, raw, types = field.name, call.arg(field.name), field.types
    if name in STRICT_STRINGS and _looks_like_json_container(raw, call.json_kinds.get(name)):
        raise bad_request(f'Field "{name}" must be of type String')
    if "InputFile" in types:
        return _file(call, name, raw)
    if types == ("Integer", "String"):
        return _chat_id(name, raw)
    if len(types) == 1 and types[0] in PRIMITIVES:
        return _scalar(name, raw, types[0], call.json_kinds.get(name))
    return _json_param(spec, name, raw, types)


def _looks_like_json_container(raw: str, kind: str | None) -> bool:
    """A JSON array/object where a string belongs: any in a JSON body; in a form body only an
    empty ``[]``/``{}`` (a non-empty one may be a legitimate JSON-encoded string offset)."""
    if kind is not None:
        return kind in ("array", "object")
    return raw.strip() in ("[]", "{}")


def _file(call: RawCall, name: str, raw: str) -> UploadedFile | str:
    if name in call.files:
        return call.files[name]
    if raw.startswith("attach://"):
        attached = call.files.get(raw.removeprefix("attach://"))
        if attached is None:
            raise bad_request(f"file {raw} is not found in the request")
        return attached
    return raw


def _chat_id(name: str, raw: str) -> int | str:
    if raw.startswith("@"):
        return raw
    if _INTEGER.match(raw):
        return int(raw)
    if name == "chat_id":
        raise bad_request("chat not found")
    raise bad_request(f"Invalid {name} specified")


def _scalar(name: str, raw: str, type_name: str, kind: str | None) -> Any:
    if type_name == "String":
        if kind in ("array", "object"):
            raise bad_request(f'Field "{name}" must be of type String')
        return raw
    if type_name == "Integer":
        if not _INTEGER.match(raw):
            raise bad_request(f"Invalid {name} specified")
        return int(raw)
    if type_name == "Float":
        try:
            return float(raw)
        except ValueError:
            raise bad_request(f"Invalid {name} specified") from None
    lowered = raw.strip().lower()
    if lowered not in _TRUE | _FALSE:
        raise bad_request(f"Invalid {name} specified")
    return lowered in _TRUE


def _json_param(spec: Spec, name: str, raw: str, types: tuple[str, ...]) -> Any:
    try:
        value = json.loads(raw)
    except ValueError as error:
        if name in _LENIENT_JSON:
            return None
        if name == "results":
            raise bad_request(f"Can't parse JSON encoded inline query results: {error}") from None
        raise bad_request(f"Can't parse {_JSON_LABELS.get(name, name)} JSON object") from None
    try:
        Checker(spec).check_top(name, value, types)
    except SpecError as error:
        raise bad_request(str(error)) from None
    return value


class Checker:
    """Checks decoded JSON values against spec types, raising ``SpecError``."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def check_top(self, name: str, value: Any, types: tuple[str, ...]) -> None:
        """Check a top-level JSON parameter."""
        if len(types) == 1 and types[0].startswith("Array of "):
            element = types[0].removeprefix("Array of ")
            if not isinstance(value, list):
                raise SpecError(f"Expected an Array of {element}")
            for item in value:
                self.check_value(item, (element,), name)
            return
        self.check_value(value, types, name)

    def check_value(self, value: Any, types: tuple[str, ...], name: str) -> None:
        """Check one value against a list of alternative types."""
        if len(types) > 1 and all(t in PRIMITIVES for t in types):
            if not any(_primitive_ok(value, t) for t in types):
                raise SpecError(f'Field "{name}" must be of type {types[0]}')
            return
        if len(types) > 1:
            self.check_union(value, types, name)
            return
        type_name = types[0]
        if type_name.startswith("Array of "):
            self.check_array(value, type_name.removeprefix("Array of "), name)
        elif type_name in PRIMITIVES:
            self.check_primitive(value, type_name, name)
        elif type_name in self.spec.types:
            self.check_labeled(value, type_name)

    def check_array(self, value: Any, element: str, name: str) -> None:
        if not isinstance(value, list):
            raise SpecError(f'Field "{name}" must be of type Array')
        for item in value:
            if element.startswith("Array of ") and not isinstance(item, list):
                raise SpecError(f'Field "{name}" must be an Array of Arrays')
            self.check_value(item, (element,), name)

    def check_primitive(self, value: Any, type_name: str, name: str) -> None:
        if _primitive_ok(value, type_name):
            return
        if type_name == "Integer" and isinstance(value, str | float):
            raise SpecError(f'Field "{name}" must be a valid Number')
        wording = {"Integer": "a Number", "Float": "of type Number"}
        raise SpecError(f'Field "{name}" must be {wording.get(type_name, "of type " + type_name)}')

    def check_labeled(self, value: Any, type_name: str) -> None:
        label = _ELEMENT_LABELS.get(type_name)
        if label is None:
            self.check_type(value, type_name)
            return
        try:
            self.check_type(value, type_name)
        except SpecError as error:
            raise SpecError(f"{label}: {error}") from None

    def check_type(self, value: Any, type_name: str) -> None:
        """Check an object against a (possibly abstract) spec type."""
        spec = self.spec.types[type_name]
        if any(name not in self.spec.types for name in spec.subtypes):
            self._check_alternatives(value, spec.subtypes, type_name)
            return
        if not isinstance(value, dict):
            raise SpecError(f"{type_name} must be an Object")
        if spec.subtypes:
            self.check_type(value, self.resolve_subtype(value, type_name))
            return
        for field in spec.fields:
            if field.name not in value:
                if field.required:
                    raise SpecError(f'Can\'t find field "{field.name}"')
                continue
            self.check_value(value[field.name], field.types, field.name)

    def resolve_subtype(self, value: dict[str, Any], abstract: str) -> str:
        """The concrete subtype of ``abstract`` that ``value`` is."""
        if abstract == "InputMessageContent":
            return _input_message_content_type(value)
        found = self.spec.discriminators(abstract)
        if found is None:
            return self._first_matching(value, self.spec.types[abstract].subtypes)
        tag, mapping = found
        if tag not in value:
            raise SpecError(f'Can\'t find field "{tag}"')
        tag_value = str(value[tag]).lower()
        if tag_value not in mapping:
            raise SpecError(f'Unsupported {tag} "{value[tag]}" specified')
        candidates = mapping[tag_value]
        return candidates[0] if len(candidates) == 1 else self._first_matching(value, candidates)

    def _check_alternatives(self, value: Any, alternatives: Sequence[str], name: str) -> None:
        """Accept ``value`` if it is any of ``alternatives`` (e.g. RichText: String or Array)."""
        errors = []
        for alternative in alternatives:
            try:
                self.check_value(value, (alternative,), name)
            except SpecError as error:
                errors.append(error)
            else:
                return
        raise errors[0]

    def _first_matching(self, value: dict[str, Any], subtypes: Sequence[str]) -> str:
        errors = []
        for subtype in subtypes:
            try:
                self.check_type(value, subtype)
            except SpecError as error:
                errors.append(error)
            else:
                return subtype
        raise errors[0]

    def check_union(self, value: Any, types: tuple[str, ...], name: str) -> None:
        """Check a union of object types (e.g. the four kinds of ``reply_markup``)."""
        if not isinstance(value, dict):
            raise SpecError(f"Object expected as {name.replace('_', ' ')}")
        candidates = [t for t in types if t in self.spec.types and self._has_required(value, t)]
        if candidates:  # an object matching none of them is ignored, as the server does
            self.check_labeled(value, candidates[0])

    def _has_required(self, value: dict[str, Any], type_name: str) -> bool:
        required = [f.name for f in self.spec.types[type_name].fields if f.required]
        return bool(required) and all(name in value for name in required)


def _primitive_ok(value: Any, type_name: str) -> bool:
    if type_name in ("String", "InputFile"):
        return isinstance(value, str) or _is_number(value)
    if type_name == "Integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and bool(_INTEGER.match(value))
        )
    if type_name == "Float":
        return _is_number(value)
    return isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _input_message_content_type(value: dict[str, Any]) -> str:
    """Pick the InputMessageContent kind from its fields, as the Bot API server does."""
    if value.get("message_text"):
        return "InputTextMessageContent"
    if "rich_message" in value:
        return "InputRichMessageContent"
    if "latitude" in value and "longitude" in value:
        if "title" in value and "address" in value:
            return "InputVenueMessageContent"
        return "InputLocationMessageContent"
    if "phone_number" in value:
        return "InputContactMessageContent"
    if "payload" in value:
        return "InputInvoiceMessageContent"
    raise SpecError("Input message content is not specified")
