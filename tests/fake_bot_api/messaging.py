"""Handlers that send, edit and delete messages, storing what recipients would see."""

from __future__ import annotations

import copy
import hashlib
import time
from typing import Any

from .call import UploadedFile
from .context import Context, Handler
from .errors import MESSAGE_NOT_MODIFIED, bad_request
from .formatting import CAPTION, MESSAGE_TEXT, FormatError, FormattedText, TextRule, format_text
from .limits import check_chat_action, check_reply_markup, check_web_app_buttons
from .state import StoredMessage


def processed_text(
    params: dict[str, Any], rule: TextRule, key: str = "text", entities_key: str = "entities"
) -> FormattedText | None:
    """The processed text (or caption) of a call; raise the 400 error Telegram gives."""
    try:
        return format_text(
            params.get(key), params.get("parse_mode"), params.get(entities_key), rule
        )
    except FormatError as error:
        raise bad_request(str(error)) from None


def _text_content(formatted: FormattedText | None, key: str, entities_key: str) -> dict[str, Any]:
    if formatted is None:
        return {}
    content: dict[str, Any] = {key: formatted.text}
    if formatted.entities:
        content[entities_key] = formatted.entity_dicts()
    return content


def _reply_to(ctx: Context, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
    reply = params.get("reply_parameters") or {}
    message_id = reply.get("message_id", params.get("reply_to_message_id"))
    if message_id is None:
        return {}
    target_chat = ctx.chat("sendMessage", reply["chat_id"]) if "chat_id" in reply else chat_id
    target = ctx.state.message(target_chat, int(message_id))
    if target is None:
        if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
            return {}
        raise bad_request("message to be replied not found")
    replied = {k: v for k, v in target.data.items() if k != "reply_to_message"}
    return {"reply_to_message": replied}


def _deliver(
    ctx: Context,
    method: str,
    params: dict[str, Any],
    content: dict[str, Any],
    formatted: FormattedText | None,
    file: UploadedFile | None = None,
) -> dict[str, Any]:
    markup = check_reply_markup(params.get("reply_markup"))
    chat_id = ctx.chat(method, params["chat_id"])
    check_web_app_buttons(markup, ctx.state.chats[chat_id].get("type") == "private")
    extra = _reply_to(ctx, chat_id, params)
    ctx.count_send(method, chat_id, params.get("allow_paid_broadcast") is True)
    if markup:
        extra["reply_markup"] = markup
    data = ctx.state.new_bot_message(chat_id, **extra, **content)
    stored = StoredMessage(
        data,
        from_bot=True,
        source=formatted.source if formatted else None,
        parse_mode=formatted.parse_mode if formatted else None,
        file=file,
    )
    ctx.state.store_message(stored)
    return copy.deepcopy(data)


def send_message(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """``sendMessage``."""
    formatted = processed_text(params, MESSAGE_TEXT)
    return _deliver(
        ctx, "sendMessage", params, _text_content(formatted, "text", "entities"), formatted
    )


def _file_reference(ctx: Context, value: UploadedFile | str, kind: str) -> dict[str, Any]:
    """The stored file for an upload, a known file_id or a URL."""
    if isinstance(value, str):
        if value in ctx.state.files:
            return ctx.state.files[value]
        if not value.lower().startswith(("http://", "https://")):
            raise bad_request("wrong file identifier/HTTP URL specified")
        data, name, mime = (
            value.encode(),
            value.rsplit("/", 1)[-1] or "file",
            "application/octet-stream",
        )
    else:
        data, name, mime = value.data, value.filename, value.content_type
    file_id = ctx.state.new_id(f"FAKE-{kind.upper()}-")
    record = {
        "file_id": file_id,
        "file_unique_id": hashlib.sha1(data, usedforsecurity=False).hexdigest()[:16],
        "file_size": len(data),
        "file_name": name,
        "mime_type": mime,
        "_data": data,
    }
    ctx.state.files[file_id] = record
    return record


def _public(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: record[key] for key in keys if key in record}


def send_document(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """``sendDocument`` (multipart uploads, file ids and URLs)."""
    formatted = processed_text(params, CAPTION, "caption", "caption_entities")
    record = _file_reference(ctx, params["document"], "document")
    document = _public(record, "file_id", "file_unique_id", "file_name", "mime_type", "file_size")
    content = {"document": document, **_text_content(formatted, "caption", "caption_entities")}
    file = params["document"] if isinstance(params["document"], UploadedFile) else None
    return _deliver(ctx, "sendDocument", params, content, formatted, file)


def send_photo(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """``sendPhoto`` (sizes are made up: 90 px thumbnail and 800 px photo)."""
    formatted = processed_text(params, CAPTION, "caption", "caption_entities")
    record = _file_reference(ctx, params["photo"], "photo")
    sizes = [
        {**_public(record, "file_id", "file_unique_id"), "width": side, "height": side}
        for side in (90, 800)
    ]
    sizes[-1]["file_size"] = record["file_size"]
    content = {"photo": sizes, **_text_content(formatted, "caption", "caption_entities")}
    file = params["photo"] if isinstance(params["photo"], UploadedFile) else None
    return _deliver(ctx, "sendPhoto", params, content, formatted, file)


def _message_to_edit(ctx: Context, method: str, params: dict[str, Any]) -> StoredMessage | None:
    """The stored message an edit targets; None for inline messages."""
    if "chat_id" not in params and "message_id" not in params:
        if not params.get("inline_message_id"):
            raise bad_request("Message identifier is not specified")
        return None
    if "chat_id" not in params:
        raise bad_request("chat_id is empty")
    chat_id = ctx.chat(method, params["chat_id"])
    message = ctx.state.message(chat_id, int(params.get("message_id", 0)))
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _apply_edit(
    message: StoredMessage,
    changes: dict[str, Any],
    markup: dict[str, Any] | None,
    formatted: FormattedText | None,
) -> dict[str, Any]:
    check_web_app_buttons(markup, (message.data.get("chat") or {}).get("type") == "private")
    new = {k: v for k, v in message.data.items() if k not in ("reply_markup", "edit_date")}
    for key, value in changes.items():
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
    if markup:
        new["reply_markup"] = markup
    old = {k: v for k, v in message.data.items() if k != "edit_date"}
    if new == old:
        raise bad_request(MESSAGE_NOT_MODIFIED)
    message.history.append(copy.deepcopy(message.data))
    message.data = {**new, "edit_date": int(time.time())}
    if formatted is not None:
        message.source, message.parse_mode = formatted.source, formatted.parse_mode
    return copy.deepcopy(message.data)


def edit_message_text(ctx: Context, params: dict[str, Any]) -> Any:
    """``editMessageText`` (an edit without ``reply_markup`` removes the inline keyboard)."""
    formatted = processed_text(params, MESSAGE_TEXT)
    markup = check_reply_markup(params.get("reply_markup"))
    message = _message_to_edit(ctx, "editMessageText", params)
    if message is None:
        return True
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    assert formatted is not None
    changes = {"text": formatted.text, "entities": formatted.entity_dicts() or None}
    return _apply_edit(message, changes, markup, formatted)


def edit_message_caption(ctx: Context, params: dict[str, Any]) -> Any:
    """``editMessageCaption``."""
    formatted = processed_text(params, CAPTION, "caption", "caption_entities")
    markup = check_reply_markup(params.get("reply_markup"))
    message = _message_to_edit(ctx, "editMessageCaption", params)
    if message is None:
        return True
    if "text" in message.data:
        raise bad_request("there is no caption in the message to edit")
    changes = {
        "caption": formatted.text if formatted else None,
        "caption_entities": (formatted.entity_dicts() or None) if formatted else None,
    }
    return _apply_edit(message, changes, markup, formatted)


def edit_message_reply_markup(ctx: Context, params: dict[str, Any]) -> Any:
    """``editMessageReplyMarkup``."""
    markup = check_reply_markup(params.get("reply_markup"))
    message = _message_to_edit(ctx, "editMessageReplyMarkup", params)
    if message is None:
        return True
    return _apply_edit(message, {}, markup, None)


def delete_message(ctx: Context, params: dict[str, Any]) -> bool:
    """``deleteMessage``."""
    chat_id = ctx.chat("deleteMessage", params["chat_id"])
    messages = ctx.state.messages.get(chat_id, {})
    if messages.pop(int(params["message_id"]), None) is None:
        raise bad_request("message to delete not found")
    return True


def send_chat_action(ctx: Context, params: dict[str, Any]) -> bool:
    """``sendChatAction``."""
    check_chat_action(str(params["action"]))
    ctx.chat("sendChatAction", params["chat_id"])
    return True


def get_file(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """``getFile``: the file's path for download from ``/file/bot<token>/<path>``."""
    record = ctx.state.files.get(str(params["file_id"]))
    if record is None:
        raise bad_request("invalid file_id")
    path = f"files/{record['file_id']}"
    return {**_public(record, "file_id", "file_unique_id", "file_size"), "file_path": path}


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "sendChatAction": send_chat_action,
    "getFile": get_file,
}
