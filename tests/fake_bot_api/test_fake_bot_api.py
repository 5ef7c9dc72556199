"""The fake Bot API server over real HTTP, driven by raw requests and by the real PTB ``Bot``
and ``Application``: validation, Telegram's limits and wording, faults, flood control, polling.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, FakeBotAPI

USER = DEFAULT_USER_ID
GROUP = DEFAULT_GROUP_ID


@pytest.fixture(autouse=True)
def _timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns when time periods are read as ints; opt in to timedeltas."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    """A real PTB Bot pointed at the fake, with the default private chat known."""
    fake_bot_api.push_update(fake_bot_api.build.private_message("hello"))
    ptb_bot = Bot(
        fake_bot_api.token,
        base_url=fake_bot_api.base_url,
        base_file_url=fake_bot_api.base_file_url,
    )
    async with ptb_bot:
        yield ptb_bot


async def raw_call(
    api: FakeBotAPI,
    method: str,
    *,
    json_body: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST straight to the fake; return (HTTP status, JSON body)."""
    url = f"{api.base_url}{token or api.token}/{method}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=json_body, data=form) as response,
    ):
        return response.status, await response.json()


def last_description(api: FakeBotAPI) -> str | None:
    return api.requests[-1].description


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d or "x", callback_data=d) for d in data]])


# Protocol: paths, tokens, bodies, required parameters, types


async def test_unknown_method_and_bad_token(fake_bot_api: FakeBotAPI) -> None:
    assert await raw_call(fake_bot_api, "sendMessages", json_body={}) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, body = await raw_call(fake_bot_api, "getMe", token="1:wrong")
    assert (status, body["description"]) == (401, "Unauthorized")
    status, body = await raw_call(fake_bot_api, "GETME", json_body={})
    assert status == 200 and body["result"]["username"] == fake_bot_api.bot_username
    assert body["result"]["supports_inline_queries"] is True


@pytest.mark.parametrize(
    ("method", "body", "description"),
    [
        ("sendMessage", {"text": "hi"}, "Bad Request: chat_id is empty"),
        ("sendMessage", {"chat_id": USER}, "Bad Request: message text is empty"),
        ("sendMessage", {"chat_id": USER, "text": ""}, "Bad Request: message text is empty"),
        ("sendDocument", {"chat_id": USER}, "Bad Request: there is no document in the request"),
        (
            "answerCallbackQuery",
            {},
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
        ),
        ("getChatMember", {"chat_id": USER}, "Bad Request: invalid user_id specified"),
        ("setChatTitle", {"chat_id": USER}, "Bad Request: title is empty"),
    ],
)
async def test_missing_required_parameters(
    fake_bot_api: FakeBotAPI, method: str, body: dict[str, Any], description: str
) -> None:
    fake_bot_api.register_chat(USER)
    status, answer = await raw_call(fake_bot_api, method, json_body=body)
    assert (status, answer) == (
        400,
        {"ok": False, "error_code": 400, "description": description},
    )


async def test_json_and_form_bodies_are_read_like_telegram(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.register_chat(USER)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    status, _ = await raw_call(
        fake_bot_api,
        "sendMessage",
        json_body={
            "chat_id": USER,
            "text": "json",
            "reply_markup": markup,
            "protect_content": True,
        },
    )
    assert status == 200
    status, _ = await raw_call(
        fake_bot_api,
        "sendMessage",
        form={
            "chat_id": str(USER),
            "text": "form",
            "reply_markup": '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}',
            "protect_content": "true",
        },
    )
    assert status == 200
    sent = fake_bot_api.sent_messages(USER)
    assert [m.text for m in sent] == ["json", "form"]
    assert sent[0].reply_markup == sent[1].reply_markup == markup
    status, body = await raw_call(
        fake_bot_api, "sendMessage", json_body={"chat_id": USER, "text": "x", "protect_content": 2}
    )
    assert (status, body["description"]) == (400, "Bad Request: invalid protect_content specified")


@pytest.mark.parametrize(
    ("reply_markup", "description"),
    [
        (
            {"inline_keyboard": [[{"callback_data": "x"}]]},
            "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
        ),
        (
            {"inline_keyboard": [[{"text": "x"}]]},
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
            "inline keyboard",
        ),
        (
            {"inline_keyboard": [[{"text": "x", "callback_data": ["a"]}]]},
            'Bad Request: can\'t parse inline keyboard button: Field "callback_data" must be of '
            "type String",
        ),
        (
            {"inline_keyboard": [{"text": "x", "callback_data": "a"}]},
            'Bad Request: field "inline_keyboard" must be an Array of Arrays',
        ),
        (
            {"inline_keyboard": [[{"text": "x", "url": "notaurl"}]]},
            "Bad Request: inline keyboard button URL 'notaurl' is invalid: Wrong HTTP URL",
        ),
        (
            {"inline_keyboard": [[{"text": "", "callback_data": "a"}]]},
            "Bad Request: inline keyboard button text must be non-empty",
        ),
        ("[1, 2", "Bad Request: can't parse reply keyboard markup JSON object"),
        ([1], "Bad Request: object expected as reply markup"),
    ],
)
async def test_nested_objects_are_validated(
    fake_bot_api: FakeBotAPI, reply_markup: Any, description: str
) -> None:
    fake_bot_api.register_chat(USER)
    body = {"chat_id": USER, "text": "x", "reply_markup": reply_markup}
    status, answer = await raw_call(fake_bot_api, "sendMessage", json_body=body)
    assert (status, answer["description"]) == (400, description)
    assert fake_bot_api.sent_messages(USER) == []


@pytest.mark.parametrize(
    ("method", "body", "description"),
    [
        (
            "answerInlineQuery",
            {"inline_query_id": "1", "results": [{"type": "article", "id": "1", "title": "t"}]},
            "can't parse inline query result: Can't find field \"input_message_content\"",
        ),
        (
            "answerInlineQuery",
            {"inline_query_id": "1", "results": [{"type": "nope", "id": "1"}]},
            'can\'t parse inline query result: Unsupported type "nope" specified',
        ),
        (
            "answerInlineQuery",
            {"inline_query_id": "1", "results": {"type": "article"}},
            "expected an Array of InlineQueryResult",
        ),
        (
            "setMyCommands",
            {"commands": [{"command": "a"}]},
            "can't parse BotCommand: Can't find field \"description\"",
        ),
        (
            "setMyCommands",
            {"commands": [], "scope": {"type": "chat"}},
            "can't parse BotCommandScope: Can't find field \"chat_id\"",
        ),
        (
            "sendMessage",
            {
                "chat_id": USER,
                "text": "x",
                "entities": [{"type": "bold", "offset": "x", "length": 1}],
            },
            'can\'t parse MessageEntity: Field "offset" must be a valid Number',
        ),
        ("sendMessage", {"chat_id": "abc", "text": "x"}, "chat not found"),
        ("getUpdates", {"limit": "ten"}, "invalid limit specified"),
    ],
)
async def test_spec_types_are_checked_recursively(
    fake_bot_api: FakeBotAPI, method: str, body: dict[str, Any], description: str
) -> None:
    fake_bot_api.register_chat(USER)
    status, answer = await raw_call(fake_bot_api, method, json_body=body)
    assert (status, answer["description"]) == (400, f"Bad Request: {description}")


# Text: HTML parsing and lengths


async def test_html_errors_reach_ptb_as_bad_request(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Can't parse entities: unsupported start tag"):
        await bot.send_message(USER, "a <foo> b", parse_mode="HTML")
    assert last_description(fake_bot_api) == (
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 2'
    )  # PTB's BadRequest.message lower-cases everything after its first letter
    with pytest.raises(BadRequest):
        await bot.send_message(USER, "1 < 2", parse_mode="HTML")
    sent = await bot.send_message(USER, "1 &lt; 2 &amp; <b>3</b>", parse_mode="HTML")
    assert sent.text == "1 < 2 & 3" and sent.entities[0].type == "bold"


async def test_4096_limit_counts_parsed_text(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_message(USER, "<b>" + "政" * 4096 + "</b>", parse_mode="HTML")
    assert len(sent.text) == 4096 and sent.entities[0].length == 4096
    stored = fake_bot_api.message(USER, sent.message_id)
    assert stored is not None and stored.html == "<b>" + "政" * 4096 + "</b>"
    assert stored.entities == [{"type": "bold", "offset": 0, "length": 4096}]
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(USER, "<b>" + "a" * 4097 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Text must be non-empty$"):
        await bot.send_message(USER, "<i> </i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_document(USER, b"data", filename="a.txt", caption="c" * 1025)


async def test_callback_data_is_limited_to_64_bytes(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard("a" * 64, "政" * 21))
    for data in ("a" * 65, "政" * 22):  # a CJK character is 3 bytes in UTF-8
        with pytest.raises(BadRequest):
            await bot.send_message(USER, "x", reply_markup=keyboard(data))
        assert last_description(fake_bot_api) == "Bad Request: BUTTON_DATA_INVALID"
    assert len(fake_bot_api.sent_messages(USER)) == 1


# Inline queries


def article(result_id: str, text: str = "text", **kwargs: Any) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(result_id, "title", InputTextMessageContent(text, **kwargs))


async def test_answer_inline_query_limits(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    def new_query() -> str:
        update = fake_bot_api.build.inline_query("政策", offset="")
        fake_bot_api.push_update(update)
        return str(update["inline_query"]["id"])

    query = new_query()
    results = [article(str(i), f"<b>{i}</b>", parse_mode="HTML") for i in range(50)]
    assert await bot.answer_inline_query(query, results, next_offset="50") is True
    answer = fake_bot_api.inline_answer(query)
    assert answer is not None and len(answer["results"]) == 50 and answer["next_offset"] == "50"
    content = answer["results"][0]["input_message_content"]["_processed"]
    assert content == {"text": "0", "entities": [{"type": "bold", "offset": 0, "length": 1}]}

    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"results": [article(str(i)) for i in range(51)]},
            "too many inline query results specified",
        ),
        ({"results": [article("same"), article("same")]}, "RESULT_ID_DUPLICATE"),
        ({"results": [article("x" * 65)]}, "RESULT_ID_INVALID"),
        ({"results": [article("1")], "next_offset": "9" * 65}, "NEXT_OFFSET_INVALID"),
        ({"results": [article("1", "a" * 4097)]}, "MESSAGE_TOO_LONG"),
        (
            {"results": [article("1", "<x>", parse_mode="HTML")]},
            "can't parse inline query result: Can't parse entities: Unsupported start tag \"x\" "
            "at byte offset 0",
        ),
    ]
    for kwargs, detail in cases:
        with pytest.raises(BadRequest):
            await bot.answer_inline_query(new_query(), **kwargs)
        assert last_description(fake_bot_api) == f"Bad Request: {detail}"


async def test_next_offset_must_be_a_string(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    update = fake_bot_api.build.inline_query("q")
    fake_bot_api.push_update(update)
    query_id = update["inline_query"]["id"]
    with pytest.raises(BadRequest):  # PTB sends the list JSON-encoded: "[]"
        await bot.answer_inline_query(query_id, [article("1")], next_offset=[])  # type: ignore[arg-type]
    status, body = await raw_call(
        fake_bot_api,
        "answerInlineQuery",
        json_body={"inline_query_id": query_id, "results": [], "next_offset": []},
    )
    assert (status, body["description"]) == (
        400,
        'Bad Request: field "next_offset" must be of type String',
    )
    assert await bot.answer_inline_query(query_id, [], next_offset="") is True


async def test_inline_and_callback_queries_answer_once(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    too_old = "^Query is too old and response timeout expired or query id is invalid$"
    with pytest.raises(BadRequest, match=too_old):
        await bot.answer_inline_query("123", [])
    sent = await bot.send_message(USER, "pick", reply_markup=keyboard("a", "b"))
    stored = fake_bot_api.message(USER, sent.message_id)
    assert stored is not None
    update = fake_bot_api.build.callback_query(stored, "b")
    fake_bot_api.push_update(update)
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="done") is True
    assert fake_bot_api.callback_answer(query_id) == {"callback_query_id": query_id, "text": "done"}
    with pytest.raises(BadRequest, match=too_old):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=too_old):
        await bot.answer_callback_query("no-such-query")
    fake_bot_api.set_query_ttl(callback=0.0)
    late = fake_bot_api.build.callback_query(stored, "a")
    fake_bot_api.push_update(late)
    await asyncio.sleep(0.01)
    with pytest.raises(BadRequest, match=too_old):
        await bot.answer_callback_query(late["callback_query"]["id"])
    with pytest.raises(ValueError, match="no button"):
        fake_bot_api.build.callback_query(stored, "zzz")


# Commands, chats, members, edits


async def test_commands_per_scope_and_language(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    await bot.set_my_commands([("start", "開始"), ("/search", " 搜尋 ")], language_code="zh")
    await bot.set_my_commands([("start", "Start")], scope=BotCommandScopeAllGroupChats())
    zh = await bot.get_my_commands(language_code="zh")
    assert [(c.command, c.description) for c in zh] == [("start", "開始"), ("search", "搜尋")]
    assert fake_bot_api.commands({"type": "all_group_chats"}) == [
        {"command": "start", "description": "Start"}
    ]
    assert await bot.get_my_commands() == ()
    cases = [
        ([("Start", "x")], "BOT_COMMAND_INVALID"),
        ([("start-now", "x")], "BOT_COMMAND_INVALID"),
        ([("a" * 33, "x")], "command length must not exceed 32"),
        ([("start", " ")], "command description must be non-empty"),
        ([("start", "d" * 257)], "command description length must not exceed 256"),
    ]
    for commands, detail in cases:
        with pytest.raises(BadRequest):
            await bot.set_my_commands(commands)
        assert last_description(fake_bot_api) == f"Bad Request: {detail}"


async def test_chats_are_unknown_until_seen(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(2002, "hi")
    fake_bot_api.push_update(fake_bot_api.build.private_message("/start", user_id=2002))
    assert (await bot.send_message(2002, "hi")).chat.id == 2002
    fake_bot_api.register_chat(GROUP, "supergroup", title="Policy", username="hkpolicy")
    assert (await bot.send_message("@hkpolicy", "hi")).chat.id == GROUP
    chat = await bot.get_chat(USER)
    assert chat.first_name == "Tai Man" and chat.type == "private"


async def test_get_chat_member_is_configurable(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    fake_bot_api.push_update(fake_bot_api.build.group_message("hi", GROUP, user_id=3003))
    assert (await bot.get_chat_member(GROUP, 3003)).status == "member"
    assert (await bot.get_chat_member(GROUP, USER)).status == "left"
    fake_bot_api.set_chat_member(GROUP, 3003, "administrator", can_pin_messages=True)
    admin = await bot.get_chat_member(GROUP, 3003)
    assert admin.status == "administrator" and admin.can_pin_messages is True  # type: ignore[attr-defined]
    fake_bot_api.set_chat_member(GROUP, USER, "creator")
    assert (await bot.get_chat_member(GROUP, USER)).status == "creator"
    with pytest.raises(BadRequest, match=r"^User not found$"):
        await bot.get_chat_member(GROUP, 9999)


async def test_edit_message_text(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_message(USER, "<b>v1</b>", parse_mode="HTML", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", USER, 999)
    with pytest.raises(BadRequest, match=r"^Message is not modified: specified new message"):
        await bot.edit_message_text("<b>v1</b>", USER, sent.message_id, parse_mode="HTML",
                                    reply_markup=keyboard("a"))  # fmt: skip
    edited = await bot.edit_message_text("<i>v1</i>", USER, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, object) and edited.edit_date is not None  # type: ignore[union-attr]
    stored = fake_bot_api.message(USER, sent.message_id)
    assert stored is not None
    assert stored.reply_markup is None  # an edit without reply_markup removes the keyboard
    assert stored.html == "<i>v1</i>" and stored.entities[0]["type"] == "italic"
    assert [old["text"] for old in stored.history] == ["v1"]
    user_message = fake_bot_api.build.private_message("mine")
    fake_bot_api.push_update(user_message)
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await bot.edit_message_text("x", USER, user_message["message"]["message_id"])
    assert await bot.delete_message(USER, sent.message_id) is True
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(USER, sent.message_id)


async def test_documents_upload_and_download(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_document(USER, b"%PDF-1.4 policy", filename="policy.pdf")
    assert sent.document is not None and sent.document.file_name == "policy.pdf"
    stored = fake_bot_api.message(USER, sent.message_id)
    assert stored is not None and stored.file is not None and stored.file.data == b"%PDF-1.4 policy"
    again = await bot.send_document(USER, sent.document.file_id, caption="again")
    assert again.document is not None and again.document.file_id == sent.document.file_id
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"%PDF-1.4 policy"
    with pytest.raises(BadRequest, match=r"^Wrong file identifier/http url specified$"):
        await bot.send_photo(USER, "not-a-file-id")
    photo = await bot.send_photo(USER, b"\x89PNG...", caption="<b>chart</b>", parse_mode="HTML")
    assert photo.photo[-1].width == 800 and photo.caption == "chart"
    assert await bot.send_chat_action(USER, "upload_document") is True
    with pytest.raises(BadRequest, match=r"^Wrong parameter action in request$"):
        await bot.send_chat_action(USER, "dancing")


# Flood control


async def test_flood_limits_per_chat_group_and_global(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    now = [1000.0]
    fake_bot_api.flood.clock = lambda: now[0]
    await bot.send_message(USER, "unlimited by default")
    fake_bot_api.enable_flood_limits(per_chat_burst=2)
    await bot.send_message(USER, "1")
    await bot.send_message(USER, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "3")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert fake_bot_api.requests[-1].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    now[0] += 1.0
    await bot.send_message(USER, "3 after waiting")

    fake_bot_api.register_chat(GROUP, "supergroup")
    fake_bot_api.enable_flood_limits(per_chat_burst=100, per_chat_per_second=100.0)
    for i in range(20):
        now[0] += 0.5
        await bot.send_message(GROUP, str(i))
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(GROUP, "21st in a minute")
    assert caught.value.retry_after == dtm.timedelta(seconds=51)  # first send leaves the window

    fake_bot_api.enable_flood_limits(global_per_second=30, per_chat_burst=100)
    for chat_id in range(5000, 5030):
        fake_bot_api.register_chat(chat_id)
        await bot.send_message(chat_id, "broadcast")
    fake_bot_api.register_chat(6000)
    with pytest.raises(RetryAfter):
        await bot.send_message(6000, "31st this second")
    assert await bot.send_chat_action(6000, "typing") is True  # not a message: not counted
    fake_bot_api.disable_flood_limits()
    await bot.send_message(6000, "limits off")


async def test_paid_broadcasts_pass_the_overall_limit_and_are_counted(
    fake_bot_api: FakeBotAPI, bot: Bot
) -> None:
    now = [1000.0]
    fake_bot_api.flood.clock = lambda: now[0]
    fake_bot_api.enable_flood_limits(global_per_second=30, paid_per_second=40)
    for chat_id in range(7000, 7040):  # 40 chats in one second: 10 over the free 30/s
        fake_bot_api.register_chat(chat_id)
        await bot.send_message(chat_id, "paid", allow_paid_broadcast=True)
    assert fake_bot_api.flood.paid_messages == 40
    assert all(r.params.get("allow_paid_broadcast") is True for r in fake_bot_api.requests[-40:])
    fake_bot_api.register_chat(7100)
    with pytest.raises(RetryAfter):  # past the paid limit too
        await bot.send_message(7100, "41st paid this second", allow_paid_broadcast=True)
    for chat_id in range(7200, 7230):  # the free 30/s is counted apart, still whole
        fake_bot_api.register_chat(chat_id)
        await bot.send_message(chat_id, "free")
    with pytest.raises(RetryAfter):
        await bot.send_message(7100, "31st free this second")
    assert fake_bot_api.flood.paid_messages == 40


async def test_allow_paid_broadcast_must_be_a_boolean(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.register_chat(USER)
    body = {"chat_id": USER, "text": "x", "allow_paid_broadcast": "maybe"}
    status, answer = await raw_call(fake_bot_api, "sendMessage", json_body=body)
    assert (status, answer["ok"]) == (400, False)
    assert "allow_paid_broadcast" in answer["description"], answer
    assert fake_bot_api.sent_messages(USER) == []
    assert fake_bot_api.flood.paid_messages == 0


# Scripted faults and the exceptions PTB raises for them


async def test_chat_faults_raise_ptb_exceptions(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    fake_bot_api.block_user(USER)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(USER, "hi")
    assert (await bot.get_chat(USER)).id == USER  # reading still works
    fake_bot_api.unblock_user(USER)
    await bot.send_message(USER, "hi again")

    fake_bot_api.register_chat(GROUP, "group")
    fake_bot_api.kick_from_chat(GROUP)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was kicked from the group chat$"):
        await bot.send_message(GROUP, "hi")

    fake_bot_api.forget_chat(USER)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(USER, "hi")

    fake_bot_api.register_chat(-42, "group")
    fake_bot_api.migrate_chat(-42, -1009999)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-42, "hi")
    assert migrated.value.new_chat_id == -1009999
    assert fake_bot_api.requests[-1].response["parameters"] == {"migrate_to_chat_id": -1009999}
    assert (await bot.send_message(-1009999, "hi")).chat.type == "supergroup"


async def test_membership_updates_script_faults(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    build = fake_bot_api.build
    fake_bot_api.push_update(build.bot_blocked(USER))
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "hi")
    fake_bot_api.push_update(build.bot_unblocked(USER))
    await bot.send_message(USER, "welcome back")

    fake_bot_api.push_update(build.bot_added(GROUP))
    await bot.send_message(GROUP, "hello group")
    fake_bot_api.push_update(build.bot_removed(GROUP))
    with pytest.raises(Forbidden, match="supergroup chat"):
        await bot.send_message(GROUP, "hi")

    fake_bot_api.push_update(build.migrate_to_chat(-77, -1007777))
    with pytest.raises(ChatMigrated):
        await bot.send_message(-77, "hi")
    updates = await bot.get_updates()
    kinds = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert kinds == ["kicked", "member", "member", "kicked"]
    assert updates[-1].message is not None and updates[-1].message.migrate_to_chat_id == -1007777


async def test_fail_next_and_retry_after(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    fake_bot_api.fail_next(
        "sendMessage",
        count=1,
        error_code=429,
        description="Too Many Requests: retry after 7",
        parameters={"retry_after": 7},
    )
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    fake_bot_api.fail_next("sendMessage", count=2, error_code=502, description="Bad Gateway")
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER, "x")
    fake_bot_api.fail_next(None, error_code=409, description="Conflict: scripted")
    with pytest.raises(Conflict):
        await bot.get_me()
    await bot.send_message(USER, "works again")


async def test_delays_and_dropped_connections(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    impatient = Bot(
        fake_bot_api.token,
        base_url=fake_bot_api.base_url,
        request=HTTPXRequest(read_timeout=0.2, connect_timeout=1.0),
    )
    async with impatient:
        fake_bot_api.delay(1.0, "sendMessage")
        with pytest.raises(TimedOut):
            await impatient.send_message(USER, "slow")
        await impatient.send_message(USER, "fast again")

    fake_bot_api.drop_connection("sendMessage")
    with pytest.raises(NetworkError) as dropped:
        await bot.send_message(USER, "lost request")
    assert not isinstance(dropped.value, TimedOut | BadRequest)
    assert fake_bot_api.requests[-1].dropped
    fake_bot_api.drop_connection("sendMessage", process=True)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "sent, answer lost")
    texts = [m.text for m in fake_bot_api.sent_messages(USER)]
    assert texts == ["fast again", "sent, answer lost"]


# getUpdates


async def test_get_updates_offsets_limits_and_long_polling(
    fake_bot_api: FakeBotAPI, bot: Bot
) -> None:
    build = fake_bot_api.build
    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["hello"]
    ids = [fake_bot_api.push_update(build.private_message(str(i))) for i in range(3)]
    assert ids == [2, 3, 4]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == [1, 2]
    assert [u.update_id for u in await bot.get_updates(offset=3)] == [3, 4]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [4]
    assert await bot.get_updates(offset=5) == ()

    async def push_later() -> None:
        await asyncio.sleep(0.1)
        fake_bot_api.push_update(build.private_message("late"))

    loop = asyncio.get_running_loop()
    started = loop.time()
    pusher = asyncio.create_task(push_later())
    updates = await bot.get_updates(offset=5, timeout=5)
    await pusher
    assert [u.message.text for u in updates if u.message] == ["late"]
    assert loop.time() - started < 2


async def test_allowed_updates_and_webhook_conflict(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    await bot.get_updates(offset=2, allowed_updates=["callback_query"])
    assert fake_bot_api.push_update(fake_bot_api.build.private_message("filtered")) is None
    await bot.get_updates(allowed_updates=[])  # back to the default set
    assert fake_bot_api.push_update(fake_bot_api.build.private_message("kept")) is not None
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.set_webhook("https://example.com/hook") is True
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert fake_bot_api.requests[-1].response["description"] == "Webhook was deleted"
    assert await bot.get_updates() == ()


# Update builders


def test_update_builders_make_realistic_updates(fake_bot_api: FakeBotAPI) -> None:
    build, username = fake_bot_api.build, fake_bot_api.bot_username
    private = build.private_message("/start 房屋", language_code="en")["message"]
    assert private["from"]["language_code"] == "en" and private["chat"]["type"] == "private"
    assert private["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    command = build.group_command("search", "房屋 政策")["message"]
    assert command["text"] == f"/search@{username} 房屋 政策"
    assert command["entities"] == [
        {"type": "bot_command", "offset": 0, "length": len(f"/search@{username}")}
    ]
    mention = build.mention("😀 hi ", " 請問")["message"]
    assert mention["entities"] == [{"type": "mention", "offset": 6, "length": len(username) + 1}]
    update = Update.de_json({"update_id": 1, **build.inline_query("q", chat_type="group")}, None)
    assert update.inline_query is not None and update.inline_query.chat_type == "group"
    assert build.migrate_to_chat(-5, -1005)["message"]["migrate_to_chat_id"] == -1005


# Real Application: polling, handlers, replies


async def test_application_polls_and_replies(fake_bot_api: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        await update.effective_message.reply_text(
            f"<b>歡迎</b> {update.effective_user.language_code}",
            parse_mode="HTML",
            reply_markup=keyboard("more"),
        )

    async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_text(f"More: {query.data}")

    app = ApplicationBuilder().token(fake_bot_api.token).base_url(fake_bot_api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(more))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=dtm.timedelta(seconds=1))
        fake_bot_api.push_update(
            fake_bot_api.build.private_message("/start", language_code="zh-hk")
        )
        [welcome] = await fake_bot_api.wait_for_messages(USER, count=1)
        assert welcome.text == "歡迎 zh-hk" and welcome.html == "<b>歡迎</b> zh-hk"
        update = fake_bot_api.build.callback_query(welcome, "more")
        fake_bot_api.push_update(update)
        await fake_bot_api.wait_for(lambda: welcome.text == "More: more")
        query_id = update["callback_query"]["id"]
        await fake_bot_api.wait_for(lambda: fake_bot_api.callback_answer(query_id))
        await app.updater.stop()
        await app.stop()
    assert fake_bot_api.callback_answer(query_id) == {"callback_query_id": query_id, "text": "ok"}
    assert all(r.ok for r in fake_bot_api.requests), [
        (r.method, r.description) for r in fake_bot_api.requests if not r.ok
    ]


async def test_reset_forgets_everything(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(USER, "x")
    fake_bot_api.block_user(USER)
    fake_bot_api.reset()
    assert fake_bot_api.requests == [] and fake_bot_api.sent_messages() == []
    with pytest.raises(TelegramError, match=r"^Chat not found$"):
        await bot.send_message(USER, "x")
    fake_bot_api.register_chat(USER)
    await bot.send_message(USER, "x")
