"""A member in a private chat: start, search, open, page, narrow, related, language."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.store.areas import load_areas
from tests.fake_bot_api import DEFAULT_GROUP_ID, DEFAULT_USER_ID, StoredMessage
from tests.handlers.conftest import RunningBot, open_data, opened_ids

pytestmark = pytest.mark.db


async def test_start_welcomes_in_the_users_language(running_bot: RunningBot) -> None:
    reply = await running_bot.say("/start")
    assert "歡迎使用" in reply.text
    english = await running_bot.say("/start", user_id=2002, language_code="en")
    assert "Welcome" in english.text


async def test_commands_published_in_both_languages(running_bot: RunningBot) -> None:
    chinese = {c["command"]: c["description"] for c in running_bot.api.commands()}
    english = {c["command"]: c["description"] for c in running_bot.api.commands(language_code="en")}
    assert set(chinese) == set(english) >= {"start", "help", "search", "s", "rec", "lang"}
    assert chinese["areas"] != english["areas"]


async def test_text_is_a_search_with_sources_and_open_buttons(running_bot: RunningBot) -> None:
    reply = await running_bot.say("撤銷烈酒稅")
    assert "撤銷烈酒稅" in reply.text
    assert "經民聯" in reply.text
    assert "bpa24-6" in opened_ids(reply)
    bold = [e for e in reply.entities if e.get("type") == "bold"]
    assert bold  # the heading and the highlighted terms

    before = len(running_bot.api.sent_messages(DEFAULT_USER_ID))
    await running_bot.press(reply, open_data(reply, "bpa24-6"))
    full = (await running_bot.api.wait_for_messages(DEFAULT_USER_ID, before + 1))[-1]
    assert "打造香港成為國際名酒交易中心" in full.text
    assert "香港經濟民生聯盟" in full.text
    assert "bpa24-6" in full.text
    assert "rel:bpa24-6" in full.callback_data()


async def test_related_comes_from_other_organisations(running_bot: RunningBot) -> None:
    full = await running_bot.say("/rec bpa24-17")
    before = len(running_bot.api.sent_messages(DEFAULT_USER_ID))
    await running_bot.press(full, "rel:bpa24-17")
    related = (await running_bot.api.wait_for_messages(DEFAULT_USER_ID, before + 1))[-1]
    opened = [data.removeprefix("r:") for data in related.callback_data()]
    assert opened
    assert not any(rec_id.startswith("bpa24-") for rec_id in opened)


async def test_paging_edits_the_same_message(running_bot: RunningBot) -> None:
    first = await running_bot.say("人才")
    next_page = [d for d in first.callback_data() if d.startswith("p:") and d.endswith(":1")]
    assert next_page
    opened_first = {d for d in first.callback_data() if d.startswith("r:")}
    edited = await running_bot.press_and_edit(first, next_page[0])
    assert "2/" in edited.text
    opened_second = {d for d in edited.callback_data() if d.startswith("r:")}
    assert opened_first.isdisjoint(opened_second)


async def test_narrow_by_organisation(running_bot: RunningBot) -> None:
    first = await running_bot.say("中試")
    narrow = [d for d in first.callback_data() if d.startswith("n:") and d.endswith(":o:cma")]
    assert narrow
    edited = await running_bot.press_and_edit(first, narrow[0])
    opened = [d.removeprefix("r:") for d in edited.callback_data() if d.startswith("r:")]
    assert opened
    assert all(rec_id.startswith("cma") for rec_id in opened)


async def test_nothing_found_says_so(running_bot: RunningBot) -> None:
    reply = await running_bot.say("足球世界盃賽果")
    assert "找不到" in reply.text


async def test_did_you_mean_buttons_search_again(running_bot: RunningBot) -> None:
    reply = await running_bot.say("半導體晶片廠商足球比賽")
    if "找不到" not in reply.text:
        pytest.skip("the engine found results for this query; nothing to suggest")
    # Suggestions search again; the closest proposals (kept apart, at most 3) open a record.
    opened = [data for data in reply.callback_data() if data.startswith("r:")]
    assert len(opened) <= 3
    for data in reply.callback_data():
        assert data.startswith(("p:", "r:", "fl:"))  # fl: "🔔 Follow this search"


async def test_nobody_proposed_it_shows_the_closest(running_bot: RunningBot) -> None:
    reply = await running_bot.say("公屋可唔可以養貓？")
    assert "找不到" in reply.text and "沒有人正正提出過" in reply.text
    opened = [data for data in reply.callback_data() if data.startswith("r:")]
    assert 1 <= len(opened) <= 3


async def test_rec_command_variants(running_bot: RunningBot) -> None:
    usage = await running_bot.say("/rec")
    assert "/rec" in usage.text
    missing = await running_bot.say("/rec nope-1")
    assert "nope-1" in missing.text
    found = await running_bot.say("/rec LEGCO24-U")
    assert "(u)" in found.text
    assert "第 59 段" in found.text  # the cited paragraph is attached


async def test_language_switch(running_bot: RunningBot) -> None:
    menu = await running_bot.say("/lang")
    await running_bot.press_and_edit(menu, "l:en")
    reply = await running_bot.say("撤銷烈酒稅")
    assert "proposals" in reply.text


async def test_one_result_reads_singular_in_english(running_bot: RunningBot) -> None:
    reply = await running_bot.say("撤銷烈酒稅", user_id=2003, language_code="en")
    assert "撤銷烈酒稅: 1 proposal (page 1/1)" in reply.text
    assert "1 proposals" not in reply.text
    assert len(reply.callback_data()) == 2
    assert opened_ids(reply) == ["bpa24-6"]
    assert reply.callback_data()[-1].startswith("fl:")  # "🔔 Follow this search", last


async def test_markup_in_queries_is_escaped(running_bot: RunningBot) -> None:
    for text in ("<b>中試</b> & <i>", "</a><script>", "&amp;&lt;", "a" * 4000):
        reply = await running_bot.say(text)
        assert reply.text  # the fake rejects broken HTML, so a reply means valid HTML


async def test_deep_links(running_bot: RunningBot) -> None:
    record = await running_bot.say("/start rec_bpa24-148")
    assert "bpa24-148" in record.text
    results = await running_bot.say("中試")
    page = [d for d in results.callback_data() if d.startswith("p:")]
    key = page[0].split(":")[1] if page else None
    assert key
    again = await running_bot.say(f"/start q_{key}")
    assert again.text.splitlines()[0] == results.text.splitlines()[0]


async def test_areas_and_sources(running_bot: RunningBot) -> None:
    areas = await running_bot.say("/areas")
    area_buttons = [d for d in areas.callback_data() if d.startswith("a:")]
    assert len(area_buttons) >= 10
    page = await running_bot.press_and_edit(areas, "a:innotech:0")
    assert "創新科技" in page.text
    assert any(d.startswith("r:") for d in page.callback_data())
    sources = await running_bot.say("/sources")
    for slug in ("fhki23", "cma23", "cma24", "bpa24", "legco24"):
        assert f"{slug}-" in sources.text


async def test_long_records_fit_telegram(running_bot: RunningBot) -> None:
    with running_bot.sessions() as session:
        from bot.store.corpus import list_recommendations

        longest = max(list_recommendations(session), key=lambda record: len(record.text))
    before = len(running_bot.api.sent_messages(DEFAULT_USER_ID))
    running_bot.api.push_update(running_bot.api.build.private_message(f"/rec {longest.id}"))
    messages = await running_bot.api.wait_for_messages(DEFAULT_USER_ID, before + 1)
    joined = "".join(message.text for message in messages[before:])
    assert longest.title in joined
    assert all(len(message.text) <= 4096 for message in messages)


async def test_unsupported_updates_are_ignored(running_bot: RunningBot) -> None:
    update = running_bot.api.build.private_message("中試")
    update["edited_message"] = update.pop("message")
    running_bot.api.push_update(update)
    reply = await running_bot.say("/help")  # the next update is answered, the edit was not
    assert "/rec" in reply.text
    sent = running_bot.api.sent_messages(DEFAULT_USER_ID)
    assert len(sent) == 1


NOT_TEXT: dict[str, Any] = {
    "sticker": {
        "file_id": "STICKER1",
        "file_unique_id": "S1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    },
    "photo": [{"file_id": "PHOTO1", "file_unique_id": "P1", "width": 90, "height": 90}],
    "voice": {"file_id": "VOICE1", "file_unique_id": "V1", "duration": 3},
    "location": {"latitude": 22.28, "longitude": 114.16},
}


def _without_text(update: dict[str, Any], kind: str) -> dict[str, Any]:
    message = update["message"]
    del message["text"]
    message.pop("entities", None)
    message[kind] = NOT_TEXT[kind]
    return update


@pytest.mark.parametrize("kind", sorted(NOT_TEXT))
async def test_a_message_that_is_not_text_gets_what_the_bot_can_do(
    running_bot: RunningBot, kind: str
) -> None:
    api = running_bot.api
    [chinese] = await running_bot.exchange(
        _without_text(api.build.private_message("x"), kind), DEFAULT_USER_ID
    )
    assert chinese.text.startswith("我只看得明文字")
    assert "/help" in chinese.text and "/areas" in chinese.text
    [english] = await running_bot.exchange(
        _without_text(api.build.private_message("x", 4104, language_code="en"), kind), 4104
    )
    assert english.text.startswith("I can only read text")
    assert "/help: how to use me" in english.text
    api.push_update(_without_text(api.build.group_message("x"), kind))  # groups: silence
    reply = await running_bot.exchange(api.build.group_command("help"), DEFAULT_GROUP_ID)
    assert len(api.sent_messages(DEFAULT_GROUP_ID)) == 1 and "/rec" in reply[0].text


async def test_the_header_echoes_the_query_as_typed(running_bot: RunningBot) -> None:
    typed = "北部都会区 人才"  # simplified: matched as 北部都會區
    chinese = await running_bot.say(typed)
    assert typed in chinese.text.splitlines()[0]
    assert "北部都會區 人才" not in chinese.text.splitlines()[0]
    english = await running_bot.say(typed, user_id=4105, language_code="en")
    assert typed in english.text.splitlines()[0]
    assert "北部都會區 人才" not in english.text.splitlines()[0]


@pytest.mark.parametrize(
    ("language_code", "cited"), [("zh-hant", "於引用段落"), ("en", "In a cited paragraph")]
)
async def test_snippets_show_why_a_result_matched(
    running_bot: RunningBot, language_code: str, cited: str
) -> None:
    # The snippet is the sentence holding the rare phrase, not the text around a common word.
    reply = await running_bot.say("有冇人建議發展低空經濟", language_code=language_code)
    assert "發展低空經濟產業" in reply.text
    units = reply.text.encode("utf-16-le")
    bold = {
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in reply.entities
        if e.get("type") == "bold"
    }
    assert any("低空經濟" in text for text in bold)
    # A record that matched through a cited paragraph quotes it, and says so.
    cited_reply = await running_bot.say("將軍澳第137區", language_code=language_code)
    assert cited in cited_reply.text
    assert "將軍澳" in cited_reply.text.split(cited, 1)[1]


def _button_texts(message: StoredMessage) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


@pytest.mark.parametrize("language_code", ["zh-hant", "en"])
async def test_english_questions_and_suggestions(
    running_bot: RunningBot, language_code: str
) -> None:
    # An English question frame is dropped like its Cantonese counterpart.
    asked = await running_bot.say(
        "who proposed a low-altitude economy strategy?", language_code=language_code
    )
    assert "bpa24-7" in opened_ids(asked)
    # "Did you mean" names an area in the chat's language, and it finds something.
    reply = await running_bot.say("tourizm", language_code=language_code)
    areas = {area.id: area for area in load_areas()}
    tourism = areas["tourism"].en if language_code == "en" else areas["tourism"].zh
    assert tourism in _button_texts(reply)
    other = areas["tourism"].zh if language_code == "en" else areas["tourism"].en
    assert other not in reply.text and other not in _button_texts(reply)
    again = [d for d in reply.callback_data() if d.startswith("p:")]
    assert again
    found = await running_bot.press_and_edit(reply, again[0])
    assert any(d.startswith("r:") for d in found.callback_data())


def _total(message: StoredMessage) -> int:
    match = re.search(r"[：:]\s*(\d+)", message.text)
    assert match, message.text
    return int(match.group(1))


@pytest.mark.parametrize("language_code", ["zh-hant", "en"])
async def test_names_rank_whole_and_english_keeps_its_second_word(
    running_bot: RunningBot, language_code: str
) -> None:
    named = await running_bot.say("邊個提過北都大學城", language_code=language_code)
    assert opened_ids(named)[0] == "bpa24-133"
    # The English name too: its translations side by side (北都大學…) before them apart.
    english = await running_bot.say(
        "Northern Metropolis university town", language_code=language_code
    )
    assert opened_ids(english)[0] == "bpa24-133"
    talent = await running_bot.say("talent", language_code=language_code)
    visa = await running_bot.say("talent visa", language_code=language_code)
    assert 0 < _total(visa) < _total(talent)


@pytest.mark.parametrize(
    ("language_code", "title"), [("zh-hant", "同類建議"), ("en", "Similar proposals")]
)
async def test_related_shows_fewer_rather_than_weak(
    running_bot: RunningBot, language_code: str, title: str
) -> None:
    async def related_to(record_id: str) -> StoredMessage:
        full = await running_bot.say(f"/rec {record_id}", language_code=language_code)
        before = len(running_bot.api.sent_messages(DEFAULT_USER_ID))
        await running_bot.press(full, f"rel:{record_id}")
        return (await running_bot.api.wait_for_messages(DEFAULT_USER_ID, before + 1))[-1]

    pilot = await related_to("bpa24-17")  # 中試平台: the other 中試 proposals are close
    assert title in pilot.text
    assert {"r:cma24-6", "r:cma23-5"} <= set(pilot.callback_data())
    broad = await related_to("bpa24-7")  # 新質生產力: few close neighbours, so fewer shown
    assert 0 < len(broad.callback_data()) < 5
