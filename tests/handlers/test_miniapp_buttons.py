"""The ways into the Mini App, with MINIAPP_URL set: the private chat's menu button in the
chat's language, a web_app button under search results and full views in private chats (the
fake Bot API refuses them anywhere else, as Telegram does), and in groups a t.me link that
opens the bot's main Mini App with the same view."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.store.saved_queries import StoredSearch, load_query
from bot.ui.i18n import t
from tests.fake_bot_api import DEFAULT_GROUP_ID, StoredMessage
from tests.handlers.conftest import RunningBot

pytestmark = pytest.mark.db
APP = "https://bot.example.org/app"


@pytest.fixture
def bot_env() -> dict[str, str]:
    return {"MINIAPP_URL": APP}


def _buttons(message: StoredMessage) -> list[dict[str, Any]]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def _web_apps(message: StoredMessage) -> list[dict[str, Any]]:
    return [button for button in _buttons(message) if "web_app" in button]


@pytest.mark.parametrize(("language", "code"), [("zh-Hant-HK", "zh-hant"), ("en", "en")])
async def test_private_results_and_full_view_open_the_mini_app(
    running_bot: RunningBot, language: str, code: str
) -> None:
    user = 5101 if language == "en" else 5102
    results = await running_bot.say("中試", user_id=user, language_code=code)
    [button] = _web_apps(results)
    assert button["text"] == t(language, "miniapp.open_results")
    url = button["web_app"]["url"]
    assert url.startswith(APP + "?start=q_")
    key = url.removeprefix(APP + "?start=q_")

    def saved() -> StoredSearch | None:
        with running_bot.sessions() as session:
            return load_query(session, key)

    # The saved search reaches the store with the background writer's next flush (0.25 s).
    for _ in range(50):
        if (stored := saved()) is not None:
            break
        await asyncio.sleep(0.1)
    assert stored is not None and stored.text == "中試"
    [full] = await running_bot.exchange(
        running_bot.api.build.private_message("/rec bpa24-6", user), user
    )
    [button] = _web_apps(full)
    assert button == {
        "text": t(language, "miniapp.open_record"),
        "web_app": {"url": APP + "?start=rec_bpa24-6"},
    }


async def test_groups_get_a_startapp_link(running_bot: RunningBot) -> None:
    api = running_bot.api
    [answer] = await running_bot.exchange(api.build.group_command("s", "中試"), DEFAULT_GROUP_ID)
    assert _web_apps(answer) == []
    links = [b["url"] for b in _buttons(answer) if b.get("url", "").count("startapp=")]
    assert links == [f"https://t.me/{api.bot_username}?startapp=q_{links[0].rsplit('q_', 1)[1]}"]
    [full] = await running_bot.exchange(api.build.group_command("rec", "bpa24-6"), DEFAULT_GROUP_ID)
    assert {
        "text": t("zh-Hant-HK", "miniapp.open_record"),
        "url": f"https://t.me/{api.bot_username}?startapp=rec_bpa24-6",
    } in _buttons(full)


async def test_menu_button_in_the_chat_language(running_bot: RunningBot) -> None:
    api = running_bot.api
    default = api.state.menu_buttons[None]
    assert default == {
        "type": "web_app",
        "text": t("zh-Hant-HK", "miniapp.menu_button"),
        "web_app": {"url": APP},
    }
    await running_bot.say("/start", user_id=5103, language_code="en")
    english = t("en", "miniapp.menu_button")
    await api.wait_for(lambda: api.state.menu_buttons.get(5103, {}).get("text") == english, 5)
    assert api.state.menu_buttons[5103]["web_app"] == {"url": APP}
    chooser = await running_bot.say("/lang", user_id=5103)
    await running_bot.press_and_edit(chooser, "l:zh-Hant-HK", user_id=5103)
    chinese = t("zh-Hant-HK", "miniapp.menu_button")
    await api.wait_for(lambda: api.state.menu_buttons[5103]["text"] == chinese, timeout=5)


@pytest.mark.parametrize("bot_env", [{}])
async def test_without_miniapp_url_nothing_changes(running_bot: RunningBot) -> None:
    results = await running_bot.say("中試", user_id=5104)
    assert _web_apps(results) == []
    assert all("startapp" not in b.get("url", "") for b in _buttons(results))
    await running_bot.say("/start", user_id=5104)
    assert running_bot.api.state.menu_buttons == {}
