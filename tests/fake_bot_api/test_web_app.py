"""Mini App buttons as Telegram takes them: `web_app` inline buttons only in private chats and
only with an HTTPS URL; a `web_app` menu button needs a text and an HTTPS URL."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.error import BadRequest

from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, FakeBotAPI
from tests.fake_bot_api.test_fake_bot_api import bot, raw_call  # noqa: F401  # the fixture

APP = "https://bot.example.org/app"


def web_app(url: str = APP) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Browse", web_app=WebAppInfo(url))]])


async def test_web_app_button_in_a_private_chat(bot: Bot, fake_bot_api: FakeBotAPI) -> None:  # noqa: F811
    sent = await bot.send_message(DEFAULT_USER_ID, "results", reply_markup=web_app())
    [[button]] = sent.reply_markup.inline_keyboard  # type: ignore[union-attr]
    assert button.web_app == WebAppInfo(APP)
    edited = await bot.edit_message_text(
        "more", DEFAULT_USER_ID, sent.message_id, reply_markup=web_app(APP + "?start=q_k")
    )
    assert edited.reply_markup.inline_keyboard[0][0].web_app.url.endswith("q_k")  # type: ignore[union-attr]


async def test_web_app_button_refused_in_groups(bot: Bot, fake_bot_api: FakeBotAPI) -> None:  # noqa: F811
    fake_bot_api.register_chat(DEFAULT_GROUP_ID, "supergroup")
    with pytest.raises(BadRequest, match="Button_type_invalid"):
        await bot.send_message(DEFAULT_GROUP_ID, "results", reply_markup=web_app())
    assert fake_bot_api.sent_messages(DEFAULT_GROUP_ID) == []


async def test_web_app_button_refused_in_inline_results(bot: Bot, fake_bot_api: FakeBotAPI) -> None:  # noqa: F811
    query = fake_bot_api.build.inline_query("x")
    fake_bot_api.push_update(query)
    result = InlineQueryResultArticle(
        "1", "t", InputTextMessageContent("text"), reply_markup=web_app()
    )
    with pytest.raises(BadRequest, match="Button_type_invalid"):
        await bot.answer_inline_query(query["inline_query"]["id"], [result])


@pytest.mark.parametrize("url", ["http://bot.example.org/app", "bot.example.org/app", "https://"])
async def test_web_app_url_must_be_https(bot: Bot, url: str) -> None:  # noqa: F811
    with pytest.raises(BadRequest, match="only https links are allowed"):
        await bot.send_message(DEFAULT_USER_ID, "results", reply_markup=web_app(url))


async def test_menu_button(bot: Bot, fake_bot_api: FakeBotAPI) -> None:  # noqa: F811
    await bot.set_chat_menu_button(menu_button=MenuButtonWebApp("📖 瀏覽", WebAppInfo(APP)))
    await bot.set_chat_menu_button(DEFAULT_USER_ID, MenuButtonWebApp("📖 Browse", WebAppInfo(APP)))
    mine = await bot.get_chat_menu_button(DEFAULT_USER_ID)
    assert isinstance(mine, MenuButtonWebApp) and mine.text == "📖 Browse"
    default = await bot.get_chat_menu_button()
    assert isinstance(default, MenuButtonWebApp) and default.text == "📖 瀏覽"
    with pytest.raises(BadRequest, match="only https links are allowed"):
        await bot.set_chat_menu_button(menu_button=MenuButtonWebApp("x", WebAppInfo("http://a.b")))
    body: dict[str, Any] = {"menu_button": {"type": "web_app", "text": "x"}}
    status, answer = await raw_call(fake_bot_api, "setChatMenuButton", json_body=body)
    assert status == 400 and "menu button" in answer["description"]
