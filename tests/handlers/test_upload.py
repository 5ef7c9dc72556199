"""An admin adds a document through Telegram: upload, preview, Confirm/Cancel, end to end
through the fake Bot API with the real Application and store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.config import load_settings
from bot.core.resources import sources_dir
from bot.core.text import utf16_len
from bot.ingest.imports import ImportMeta, plan
from bot.ingest.sources import read_manifest
from bot.store.models import PendingAction, Recommendation, Source
from bot.ui.i18n import t
from handlers.upload import preview_messages
from tests.bot.ingest.documents import cjk_font, make_docx, make_pdf
from tests.fake_bot_api import DEFAULT_USER_ID
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db

ADMIN = DEFAULT_USER_ID
MEMBER = 2002
SYNTHETIC = Path(__file__).resolve().parent.parent / "data" / "synthetic_submission.txt"
CAPTION = """org: 香港未來產業協會
title: 對2025年《施政報告》的建議
日期：2025-09
org_en: Hong Kong Future Industries Association
org_short：未來產業協會
org_short_en: HKFIA"""
ZH = "zh-Hant-HK"


@pytest.fixture(scope="module")
def synthetic_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The synthetic submission as a PDF."""
    directory = tmp_path_factory.mktemp("upload")
    return make_pdf(SYNTHETIC.read_text(encoding="utf-8"), cjk_font(directory))


@pytest.fixture
async def admin_bot(running_bot: RunningBot) -> RunningBot:
    """The running bot with ADMIN_IDS set to the default test user."""
    services = running_bot.app.bot_data["services"]
    services.settings = load_settings(
        {
            "BOT_TOKEN": running_bot.api.token,
            "TELEGRAM_BASE_URL": running_bot.api.base_url,
            "ADMIN_IDS": str(ADMIN),
        }
    )
    return running_bot


async def _send(bot: RunningBot, data: bytes, name: str, caption: str | None, user: int = ADMIN):
    update = bot.api.build.private_document(data, name, caption, user)
    return await bot.exchange(update, user)


async def test_preview_then_confirm_makes_the_records_searchable(
    admin_bot: RunningBot, synthetic_pdf: bytes
) -> None:
    [preview] = await _send(admin_bot, synthetic_pdf, "未來產業.pdf", CAPTION)
    assert "預覽：未來產業.pdf" in preview.text and "15" in preview.text
    assert "hkfia25-1-3-2-a  一.3.(2).(a)  首三年電費減半" in preview.text
    assert "(new organisation)" in preview.text
    confirm, cancel = preview.callback_data()
    assert confirm.startswith("imp:ok:") and cancel.startswith("imp:no:")
    assert max(len(data.encode()) for data in (confirm, cancel)) <= 64
    with admin_bot.sessions() as session:
        pending = session.get(PendingAction, confirm.rsplit(":", 1)[1])
        assert pending is not None and pending.kind == "import" and pending.status == "pending"
        assert pending.payload["filename"] == "未來產業.pdf" and pending.payload["file_id"]
        assert session.get(Source, "hkfia25") is None  # nothing before the confirmation

    before = len(admin_bot.api.sent_messages(ADMIN))
    query = await admin_bot.press(preview, confirm)
    assert admin_bot.api.callback_answer(query)["text"] == t(ZH, "upload.working")
    [done] = (await admin_bot.api.wait_for_messages(ADMIN, before + 1, timeout=20))[before:]
    assert "已匯入 hkfia25" in done.text and "新增 15 項" in done.text
    with admin_bot.sessions() as session:
        stored = session.scalars(
            select(Recommendation.id).where(Recommendation.source_id == "hkfia25")
        ).all()
        assert len(stored) == 15
    assert not any(doc.slug == "hkfia25" for doc in read_manifest(sources_dir()))

    record = await admin_bot.say("/rec hkfia25-2-1-1-2")
    assert "研究推出離岸人民幣國債期貨" in record.text and "香港未來產業協會" in record.text
    found = await admin_bot.say("離岸人民幣國債期貨", user_id=MEMBER)
    assert "研究推出離岸人民幣國債期貨" in found.text

    again = await admin_bot.press(preview, confirm)
    assert admin_bot.api.callback_answer(again)["text"] == t(ZH, "upload.already_done")


async def test_cancel_imports_nothing_and_only_admins_may_press(
    admin_bot: RunningBot,
) -> None:
    docx = make_docx(SYNTHETIC.read_text(encoding="utf-8"))
    [preview] = await _send(admin_bot, docx, "未來產業.docx", CAPTION)
    confirm, cancel = preview.callback_data()
    stranger = await admin_bot.press(preview, confirm, user_id=MEMBER)
    assert admin_bot.api.callback_answer(stranger)["text"] == t(ZH, "upload.not_allowed")
    before = len(admin_bot.api.sent_messages(ADMIN))
    await admin_bot.press(preview, cancel)
    [cancelled] = (await admin_bot.api.wait_for_messages(ADMIN, before + 1))[before:]
    assert cancelled.text == t(ZH, "upload.cancelled")
    late = await admin_bot.press(preview, confirm)
    assert admin_bot.api.callback_answer(late)["text"] == t(ZH, "upload.already_done")
    with admin_bot.sessions() as session:
        assert session.get(Source, "hkfia25") is None
        assert session.get(PendingAction, cancel.rsplit(":", 1)[1]).status == "cancelled"


async def test_members_caption_and_file_problems_get_clear_answers(
    admin_bot: RunningBot, synthetic_pdf: bytes, tmp_path: Path
) -> None:
    [member] = await _send(admin_bot, synthetic_pdf, "a.pdf", CAPTION, user=MEMBER)
    assert member.text == t(ZH, "upload.not_admin")
    [no_caption] = await _send(admin_bot, synthetic_pdf, "a.pdf", None)
    assert "缺少：org, title, date" in no_caption.text
    [partial] = await _send(admin_bot, synthetic_pdf, "a.pdf", "org: 工總\n日期: 2025")
    assert "缺少：title" in partial.text
    [image] = await _send(admin_bot, b"\x89PNG\r\n\x1a\n" + b"\x00" * 99, "scan.pdf", CAPTION)
    assert "只接受 PDF" in image.text and "scan.pdf" in image.text
    bad_date = CAPTION.replace("2025-09", "2025-13")
    [date] = await _send(admin_bot, synthetic_pdf, "a.pdf", bad_date)
    assert date.text == "未能匯入 a.pdf：日期「2025-13」不正確：請用 YYYY、YYYY-MM 或 YYYY-MM-DD。"
    unknown = CAPTION.replace("org_en: Hong Kong Future Industries Association\n", "")
    [org] = await _send(admin_bot, synthetic_pdf, "a.pdf", unknown)
    assert "未認識機構「香港未來產業協會」" in org.text and "org_en:" in org.text
    blank = make_pdf("第一頁\n", cjk_font(tmp_path))
    [scan] = await _send(admin_bot, blank, "scan.pdf", CAPTION, user=ADMIN)
    assert (
        scan.text == "未能匯入 scan.pdf：這份 PDF 沒有文字層（可能是掃描本）：請傳送含文字的 PDF。"
    )
    english = admin_bot.api.build.private_document(synthetic_pdf, "a.pdf", None, 3003,
                                                    language_code="en")  # fmt: skip
    [polite] = await admin_bot.exchange(english, 3003)
    assert polite.text == t("en", "upload.not_admin")
    with admin_bot.sessions() as session:
        assert session.scalars(select(PendingAction)).first() is None


async def test_admins_see_the_upload_help(admin_bot: RunningBot) -> None:
    admin_help = await admin_bot.say("/help")
    assert "管理員：加入新文件" in admin_help.text
    member_help = await admin_bot.say("/help", user_id=MEMBER)
    assert "管理員：加入新文件" not in member_help.text  # (the group layout line names 管理員 too)


def test_a_long_preview_is_split_within_telegrams_limit() -> None:
    bpa = next(doc for doc in read_manifest(sources_dir()) if doc.slug == "bpa24")
    meta = ImportMeta(org="經民聯", title=bpa.title, date=bpa.date)
    the_plan = plan(bpa.path.read_bytes(), "bpa.txt", meta)
    messages = preview_messages(ZH, "bpa.txt", the_plan, "k" * 12)
    assert len(messages) >= 2
    assert all(utf16_len(m.html) <= 4096 for m in messages)
    assert [bool(m.buttons) for m in messages] == [False] * (len(messages) - 1) + [True]
    joined = "".join(m.html for m in messages)
    assert joined.count("bpa24-") == 148 and "total: 148" in joined


async def test_an_empty_file_is_called_empty_not_the_wrong_type(admin_bot: RunningBot) -> None:
    [empty_pdf] = await _send(admin_bot, b"", "empty.pdf", CAPTION)
    assert empty_pdf.text == "未能匯入 empty.pdf：檔案是空的。"
    [blank_txt] = await _send(admin_bot, b" \n\n ", "blank.txt", CAPTION)
    assert blank_txt.text == "未能匯入 blank.txt：檔案是空的。"
    [no_caption] = await _send(admin_bot, b"", "empty.docx", None)  # emptiness comes first
    assert no_caption.text == "未能匯入 empty.docx：檔案是空的。"


async def test_caption_fields_are_checked_like_the_command_line(
    admin_bot: RunningBot, synthetic_pdf: bytes
) -> None:
    control = CAPTION.replace("title: 對2025年", "title: 標題\u0080對2025年")
    [zh] = await _send(admin_bot, synthetic_pdf, "a.pdf", control)
    assert zh.text == ("未能匯入 a.pdf：--title / title: 含有控制字元或非字元 U+0080：請刪去。")
    long_org = CAPTION.replace("org_short：未來產業協會", "org_short：" + "短" * 41)
    services = admin_bot.app.bot_data["services"]
    english_admin = 3003
    services.settings = services.settings.model_copy(
        update={"admin_ids": frozenset({ADMIN, english_admin})}
    )
    english = admin_bot.api.build.private_document(
        synthetic_pdf, "a.pdf", long_org, english_admin, language_code="en"
    )
    [en] = await admin_bot.exchange(english, english_admin)
    assert en.text == (
        "Could not import a.pdf: --org-short / org_short: is 41 characters long: "
        "at most 40 are allowed."
    )
    kind = CAPTION + "\nkind: Policy Address!"
    [bad_kind] = await _send(admin_bot, synthetic_pdf, "a.pdf", kind)
    assert bad_kind.text.startswith("未能匯入 a.pdf：類型（kind:）不正確")
    with admin_bot.sessions() as session:
        assert session.scalars(select(PendingAction)).first() is None


async def test_long_file_names_and_captions_are_clipped(
    admin_bot: RunningBot, synthetic_pdf: bytes
) -> None:
    name = "很長的檔案名稱" * 40 + ".pdf"
    noise = "\n".join(f"備註{number}: " + "說明" * 200 for number in range(4))
    caption = CAPTION + "\n" + noise
    update = admin_bot.api.build.private_document(synthetic_pdf, name, caption, ADMIN)
    replies = await admin_bot.exchange(update, ADMIN, count=2)
    for message in replies:
        assert 0 < utf16_len(message.text) <= 4096
    assert "…" in replies[0].text and "…" in replies[1].text
    unknown_org = CAPTION.replace("org: 香港未來產業協會", "org: " + "未知機構" * 25).replace(
        "org_en: Hong Kong Future Industries Association\n", ""
    )
    [failed] = await _send(admin_bot, synthetic_pdf, name, unknown_org)
    assert failed.text.startswith("未能匯入 很長的檔案名稱") and "…" in failed.text
    refused = [r for r in admin_bot.api.requests if not r.ok and r.method != "getUpdates"]
    assert refused == []
