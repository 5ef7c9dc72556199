"""An admin sends a PDF/DOCX/TXT in a private chat: preview, then Confirm or Cancel.

The admin check (`settings.admin_ids`) runs on every message and every button press. The file is
downloaded (at most 20 MB, Telegram's limit for bots), its type checked by content, and only read
as text (bot.ingest.extract: nothing in it is executed). The pending import is a PendingAction
row whose key is in the buttons' callback_data (`imp:ok:<key>` / `imp:no:<key>`), so the tap
may land on any replica; Confirm downloads the file again by file_id and ingests it into the
store (never into data/sources/ of the deployment).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update

from bot.core.text import clip
from bot.digest.alerts import alert_new_documents
from bot.digest.deliver import DeliveryOptions
from bot.ingest.caption import read_caption
from bot.ingest.extract import MAX_BYTES, ExtractError, detect_kind
from bot.ingest.imports import ImportMeta, ImportPlan, ImportProblem, apply, plan, store_slugs
from bot.ingest.pending import CANCELLED, DONE, FAILED, claim_import, create_import, mark
from bot.ingest.sources import ManifestError
from bot.store.models import ActionStatus, utcnow
from bot.ui import actions
from bot.ui.i18n import html, t
from bot.ui.render import MESSAGE_LIMIT, Button, Message, pre, split_text
from handlers.common import is_admin, language_of, reply
from handlers.context import BotContext
from handlers.telegram_sender import TelegramSender

log = logging.getLogger(__name__)

CONFIRM, CANCEL = actions.CONFIRM, actions.CANCEL
_TREE_CHUNK = MESSAGE_LIMIT - 200  # room for <pre> and the header of the first piece
_PROBLEMS = (ExtractError, ImportProblem, ManifestError)
_TOLD_AS_IS = ("empty", "too_large")  # ExtractError codes that are not "the wrong type"
NAME_SHOWN = 100  # UTF-16 units of a file name repeated back
REASON_SHOWN = 600  # of why a file cannot be imported (it may quote the caption)


async def document_message(update: Update, context: BotContext) -> None:
    """A document in a private chat: check who and what, then reply with the preview."""
    message = update.effective_message
    chat, user = update.effective_chat, update.effective_user
    if message is None or message.document is None or chat is None:
        return
    language = language_of(update, context)
    if user is None or not is_admin(context, user):
        await reply(update, Message(html(language, "upload.not_admin")))
        return
    document = message.document
    name = clip(document.file_name or "document", NAME_SHOWN, one_line=True)
    if document.file_size == 0:  # nothing to read, whatever its name or caption says
        await _failed(update, language, name, ExtractError("the file is empty", "empty"))
        return
    reading = read_caption(message.caption)
    if reading.meta is None:
        missing = ", ".join(reading.missing)
        await reply(update, Message(html(language, "upload.caption_help_html", missing=missing)))
        return
    if document.file_size is not None and document.file_size > MAX_BYTES:
        await _too_big(update, language, document.file_size)
        return
    data = await _download(context, document.file_id)
    problem = _type_problem(data)
    if isinstance(problem, ExtractError):
        await _failed(update, language, name, problem)
        return
    if problem is not None:
        await reply(update, Message(html(language, problem, name=name)))
        return
    try:
        the_plan = await asyncio.to_thread(_plan, context, data, name, reading.meta)
    except _PROBLEMS as error:
        await _failed(update, language, name, error)
        return
    payload = {"file_id": document.file_id, "filename": name, "meta": reading.meta.as_payload()}
    with context.services.sessions.begin() as session:
        key = create_import(session, chat.id, user.id, payload, utcnow())
    if reading.unknown:
        lines = " · ".join(reading.unknown)
        await reply(update, Message(html(language, "upload.unknown_lines_html", lines=lines)))
    for preview in preview_messages(language, name, the_plan, key):
        await reply(update, preview)


async def _failed(update: Update, language: str, name: str, error: Exception) -> None:
    """Why the file cannot be imported, in the reader's language where the reason is known."""
    code = getattr(error, "code", None)
    params = getattr(error, "params", {})
    reason = t(language, f"upload.errors.{code}", **params) if code else str(error)
    reason = clip(reason, REASON_SHOWN)
    await reply(update, Message(html(language, "upload.failed_html", name=name, reason=reason)))


def _type_problem(data: bytes) -> str | ExtractError | None:
    """None for a document we read; the error itself when the file is empty or too large (its
    reason is told as it is), else the message key for a file of the wrong type."""
    try:
        detect_kind(data)
    except ExtractError as error:
        return error if error.code in _TOLD_AS_IS else "upload.wrong_type_html"
    return None


async def _too_big(update: Update, language: str, size: int) -> None:
    megabytes = f"{size / (1024 * 1024):.1f}"
    limit = MAX_BYTES // (1024 * 1024)
    await reply(update, Message(html(language, "upload.too_big_html", size=megabytes, limit=limit)))


async def _download(context: BotContext, file_id: str) -> bytes:
    file = await context.bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())


def _plan(context: BotContext, data: bytes, name: str, meta: ImportMeta) -> ImportPlan:
    return plan(data, name, meta, taken=store_slugs(context.services.sessions))


def preview_messages(language: str, name: str, the_plan: ImportPlan, key: str) -> list[Message]:
    """The header, the tree in <pre> pieces within Telegram's limit, buttons on the last one."""
    tree = the_plan.describe()
    header = html(
        language,
        "upload.preview_html",
        name=name,
        count=the_plan.outline.total,
        slug=the_plan.document.slug,
    )
    pieces = [pre(piece) for piece in split_text(tree, _TREE_CHUNK)]
    pieces[0] = header + "\n" + pieces[0]
    buttons = (
        (
            Button(t(language, "upload.confirm"), actions.import_choice(CONFIRM, key)),
            Button(t(language, "upload.cancel"), actions.import_choice(CANCEL, key)),
        ),
    )
    messages = [Message(piece) for piece in pieces]
    messages[-1] = Message(messages[-1].html, buttons)
    return messages


async def import_button(update: Update, context: BotContext) -> None:
    """imp:ok:<key> imports, imp:no:<key> cancels; a second tap says it is already done."""
    query = update.callback_query
    action = actions.decode(query.data if query else None)
    if query is None or action is None or len(action.args) != 2:
        return
    language = language_of(update, context)
    if not is_admin(context, update.effective_user):
        await query.answer(t(language, "upload.not_allowed"), show_alert=True)
        return
    choice, key = action.args
    status: ActionStatus = DONE if choice == CONFIRM else CANCELLED
    with context.services.sessions.begin() as session:
        pending = claim_import(session, key, status, utcnow())
        payload: dict[str, Any] | None = dict(pending.payload) if pending is not None else None
    if payload is None:
        await query.answer(t(language, "upload.already_done"), show_alert=True)
        return
    if status == CANCELLED:
        await query.answer()
        await reply(update, Message(html(language, "upload.cancelled")))
        return
    await query.answer(t(language, "upload.working"))
    await _import(update, context, language, key, payload)


async def _import(
    update: Update, context: BotContext, language: str, key: str, payload: dict[str, Any]
) -> None:
    name = clip(str(payload["filename"]), NAME_SHOWN, one_line=True)
    meta = ImportMeta.from_payload(payload["meta"])
    try:
        data = await _download(context, str(payload["file_id"]))
        the_plan, report = await asyncio.to_thread(
            apply, context.services.sessions, data, name, meta
        )
    except _PROBLEMS as error:
        with context.services.sessions.begin() as session:
            mark(session, key, FAILED, utcnow())
        await _failed(update, language, name, error)
        return
    slug = the_plan.document.slug
    if not report.changed:
        await reply(update, Message(html(language, "upload.unchanged_html", slug=slug)))
        return
    await asyncio.to_thread(context.services.index.refresh)
    log.info("imported %s: %d added, %d updated", slug, len(report.added), len(report.updated))
    example = (report.added or report.updated or [slug])[0]
    counts = {
        "added": len(report.added),
        "updated": len(report.updated),
        "withdrawn": len(report.withdrawn),
    }
    text = html(language, "upload.imported_html", slug=slug, example=example, **counts)
    await reply(update, Message(text))
    await _alert_followers(context)


async def _alert_followers(context: BotContext) -> None:
    """Chats whose "notify at once" topics the new document matches hear now, not at the next
    tick (the tick sends whatever this leaves queued)."""
    services = context.services
    options = DeliveryOptions(zone=services.settings.timezone, bot_username=services.bot_username)
    sender = TelegramSender(context.bot)
    report = await alert_new_documents(services.sessions, sender, options, services.index.get())
    if report.counts:
        log.info("topic alerts after the import: %s", dict(report.counts))
