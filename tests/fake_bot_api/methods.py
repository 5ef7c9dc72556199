"""Handlers for the bot, webhook, commands, menu button, queries and chats; the handler table."""

from __future__ import annotations

import copy
from typing import Any

from .context import Answer, Context, Handler
from .errors import QUERY_ID_INVALID, bad_request
from .formatting import CALLBACK_ANSWER
from .limits import check_commands, check_inline_results, check_web_app_url
from .messaging import HANDLERS as MESSAGING_HANDLERS
from .messaging import processed_text
from .state import scope_key
from .urls import UrlError, check_link

# Methods answered with True once their parameters are valid.
TRUE_METHODS = frozenset(
    {
        "logOut", "close", "setMyDescription", "setMyShortDescription", "setMyName",
        "setMyDefaultAdministratorRights", "setMessageReaction", "pinChatMessage",
        "unpinChatMessage",
    }
)  # fmt: skip


def get_me(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """``getMe``."""
    return ctx.state.bot.get_me()


def set_webhook(ctx: Context, params: dict[str, Any]) -> Answer:
    """``setWebhook``: remembered; ``getUpdates`` then answers 409 Conflict."""
    url = str(params.get("url", ""))
    if not url:
        return delete_webhook(ctx, params)
    try:
        checked = check_link(url)
    except UrlError:
        raise bad_request("bad webhook: Failed to resolve host") from None
    if not checked.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if params.get("drop_pending_updates"):
        ctx.state.updates.clear()
    already = ctx.state.webhook.get("url") == checked
    ctx.state.webhook = {"url": checked, "allowed_updates": params.get("allowed_updates")}
    return Answer(True, "Webhook is already set" if already else "Webhook was set")


def delete_webhook(ctx: Context, params: dict[str, Any]) -> Answer:
    """``deleteWebhook`` (``drop_pending_updates`` clears the queue)."""
    if params.get("drop_pending_updates"):
        ctx.state.updates.clear()
    had_webhook = bool(ctx.state.webhook.get("url"))
    ctx.state.webhook = {"url": ""}
    return Answer(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")


def get_webhook_info(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """``getWebhookInfo``."""
    queue = ctx.state.updates
    info: dict[str, Any] = {
        "url": ctx.state.webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(queue.pending),
    }
    if queue.allowed is not None:
        info["allowed_updates"] = sorted(queue.allowed)
    return info


def _scope(ctx: Context, params: dict[str, Any]) -> tuple[str, str, int]:
    scope = params.get("scope") or {"type": "default"}
    if "chat_id" in scope:
        ctx.chat("setMyCommands", scope["chat_id"], "read")
    return scope_key(scope)


def set_my_commands(ctx: Context, params: dict[str, Any]) -> bool:
    """``setMyCommands``, stored per scope and language code."""
    language = str(params.get("language_code", ""))
    commands = check_commands(params["commands"], language)
    key = (_scope(ctx, params), language)
    if commands:
        ctx.state.commands[key] = commands
    else:
        ctx.state.commands.pop(key, None)
    return True


def get_my_commands(ctx: Context, params: dict[str, Any]) -> list[dict[str, str]]:
    """``getMyCommands`` for a scope and language code."""
    key = (_scope(ctx, params), str(params.get("language_code", "")))
    return copy.deepcopy(ctx.state.commands.get(key, []))


def delete_my_commands(ctx: Context, params: dict[str, Any]) -> bool:
    """``deleteMyCommands``."""
    ctx.state.commands.pop((_scope(ctx, params), str(params.get("language_code", ""))), None)
    return True


def _optional_chat(ctx: Context, method: str, params: dict[str, Any]) -> int | None:
    return ctx.chat(method, params["chat_id"], "read") if "chat_id" in params else None


def set_chat_menu_button(ctx: Context, params: dict[str, Any]) -> bool:
    """``setChatMenuButton`` (no ``chat_id``: the default button)."""
    chat_id = _optional_chat(ctx, "setChatMenuButton", params)
    button = params.get("menu_button") or {"type": "default"}
    if button.get("type") == "web_app":
        if not str(button.get("text", "")).strip():
            raise bad_request("Can't parse menu button: text must be non-empty")
        check_web_app_url((button.get("web_app") or {}).get("url"), "menu button")
    ctx.state.menu_buttons[chat_id] = button
    return True


def get_chat_menu_button(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """``getChatMenuButton``."""
    chat_id = _optional_chat(ctx, "getChatMenuButton", params)
    buttons = ctx.state.menu_buttons
    return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}


def answer_callback_query(ctx: Context, params: dict[str, Any]) -> bool:
    """``answerCallbackQuery``: once per query, within ``callback_query_ttl`` of its push."""
    record = ctx.state.callback_queries.get(str(params["callback_query_id"]))
    if record is None or record.answer is not None:
        raise bad_request(QUERY_ID_INVALID)
    if not ctx.fresh(record.pushed_at, ctx.callback_query_ttl):
        raise bad_request(QUERY_ID_INVALID)
    processed_text({"text": params.get("text")}, CALLBACK_ANSWER)
    record.answer = dict(params)
    return True


def answer_inline_query(ctx: Context, params: dict[str, Any]) -> bool:
    """``answerInlineQuery``: results checked, stored with the query."""
    results = check_inline_results(params["results"], str(params.get("next_offset", "")))
    record = ctx.state.inline_queries.get(str(params["inline_query_id"]))
    if record is None or record.answer is not None:
        raise bad_request(QUERY_ID_INVALID)
    if not ctx.fresh(record.pushed_at, ctx.inline_query_ttl):
        raise bad_request(QUERY_ID_INVALID)
    record.answer = {**params, "results": results}
    return True


def get_chat(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """``getChat``: a ``ChatFullInfo`` with every required field."""
    chat_id = ctx.chat("getChat", params["chat_id"])
    chat = dict(ctx.state.chats[chat_id])
    if chat.get("type") == "private" and chat_id in ctx.state.users:
        user = ctx.state.users[chat_id]
        chat.update({k: user[k] for k in ("first_name", "last_name", "username") if k in user})
    defaults = {"accent_color_id": 0, "max_reaction_count": 11}
    return ctx.state.spec.defaults("ChatFullInfo", **{**defaults, **chat})


def get_chat_member(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """``getChatMember``: configured status, else member if seen in the chat, else left."""
    chat_id = ctx.chat("getChatMember", params["chat_id"])
    member = ctx.state.member(chat_id, int(params["user_id"]))
    if member is None:
        raise bad_request("user not found")
    return member


def leave_chat(ctx: Context, params: dict[str, Any]) -> bool:
    """``leaveChat``: later writes answer 403 as for a kicked bot."""
    chat_id = ctx.chat("leaveChat", params["chat_id"])
    ctx.faults.kicked_chats.add(chat_id)
    return True


def _true(ctx: Context, params: dict[str, Any]) -> bool:
    return True


HANDLERS: dict[str, Handler] = {
    **MESSAGING_HANDLERS,
    **dict.fromkeys(TRUE_METHODS, _true),
    "getMe": get_me,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "leaveChat": leave_chat,
}
