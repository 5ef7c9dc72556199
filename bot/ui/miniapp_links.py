"""Buttons that open the Mini App (MINIAPP_URL) on a given view: a `web_app` button in a
private chat (Telegram allows them nowhere else), and in groups a link to
`t.me/<bot>?startapp=<payload>`, which opens the bot's main Mini App (set at @BotFather)
with that launch parameter. The payloads are the deep-link payloads of `bot.ui.actions`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from bot.ui.i18n import t
from bot.ui.render import Button


@dataclass(frozen=True)
class MiniAppLinks:
    """Where the Mini App is, and where the button will be shown."""

    url: str  # MINIAPP_URL, the page
    bot_username: str
    private: bool  # a private chat (web_app buttons) or a group (t.me links)

    def button(self, language: str, key: str, payload: str) -> Button | None:
        """A button labelled with catalogue `key` that opens the view of `payload`; None in a
        group while the bot's username is not known."""
        text = t(language, key)
        if self.private:
            return Button(text, web_app=f"{self.url}?start={quote(payload)}")
        if not self.bot_username:
            return None
        return Button(text, url=f"https://t.me/{self.bot_username}?startapp={quote(payload)}")
