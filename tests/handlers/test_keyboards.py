"""One mapping of neutral buttons to Telegram's: the JSON sent with replies and the PTB objects
used by edits say the same."""

from __future__ import annotations

from bot.ui.render import Button, Message
from handlers.keyboards import keyboard_json, markup

BUTTONS = (
    (Button("▶", callback_data="p:abc:1"), Button("🔗", url="https://t.me/x?start=r_1")),
    (
        Button("分享", switch_inline_query="烈酒稅"),
        Button("再搜", switch_inline_query_current_chat=""),
    ),
    (Button("📖", web_app="https://bot.example.org/app?r=1"),),
    (),
)


def test_reply_json_and_edit_objects_agree() -> None:
    message = Message("<b>x</b>", BUTTONS)
    as_objects = markup(message)
    assert as_objects is not None
    assert keyboard_json(message) == as_objects.to_dict()
    assert keyboard_json(message) == {
        "inline_keyboard": [
            [
                {"text": "▶", "callback_data": "p:abc:1"},
                {"text": "🔗", "url": "https://t.me/x?start=r_1"},
            ],
            [
                {"text": "分享", "switch_inline_query": "烈酒稅"},
                {"text": "再搜", "switch_inline_query_current_chat": ""},
            ],
            [{"text": "📖", "web_app": {"url": "https://bot.example.org/app?r=1"}}],
        ]
    }


def test_no_buttons_no_keyboard() -> None:
    assert keyboard_json(Message("x")) is None and markup(Message("x")) is None
