"""The Mini App in a real browser (Debian's chromium through Playwright), served by the bot's
real web server over HTTP: search as you type, filter, open a proposal, compare a topic and
change the digests, in both languages and both themes; then the store is checked. Screenshots
at 390×844 are written as artefacts (to $MINIAPP_SCREENSHOTS, else the test's tmp folder)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.core.filters import Filters
from bot.ingest.pipeline import ingest
from bot.search import SearchIndex, search
from bot.search.compare import PER_ORG, compare
from bot.search.topics import count_matches
from bot.store.corpus import get_recommendation, org_code
from bot.store.db import SessionFactory
from bot.store.saved_queries import save_query
from bot.store.subscriptions import describe
from bot.store.topics import MAX_TOPICS, topics_of
from bot.ui.i18n import t
from bot.ui.views import area_name
from handlers.webhook import build_webhook_app
from miniapp.payloads import Names
from tests.fake_bot_api import FakeBotAPI
from tests.handlers.conftest import started_webhook_application
from tests.miniapp.browser import DARK, LIGHT, PHONE, chromium_or_skip, serving, telegram_stub
from tests.miniapp.conftest import USER_ID, init_data

pytestmark = pytest.mark.db
TELEGRAM_LANGUAGE = {"en": "en", "zh-Hant-HK": "zh-hant"}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_or_skip()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def site(
    fake_bot_api: FakeBotAPI, sessions: SessionFactory, search_index: SearchIndex
) -> AsyncIterator[str]:
    """The bot's web server (webhook mode, against the fake Bot API) on a loopback port."""
    ingest(sessions)
    application = await started_webhook_application(fake_bot_api, sessions, search_index)
    try:
        async with serving(build_webhook_app(application, "a-secret-of-twenty-chars")) as url:
            yield url
    finally:
        await application.stop()
        await application.shutdown()


async def _open(browser: Browser, site: str, language: str, dark: bool, token: str) -> Page:
    page = await browser.new_page(viewport=PHONE, device_scale_factor=2)
    data = init_data(token=token, language=TELEGRAM_LANGUAGE[language])
    theme, scheme = (DARK, "dark") if dark else (LIGHT, "light")
    await page.add_init_script(telegram_stub(data, theme, scheme))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]  # read back by the test
    await page.goto(site + "/app")
    return page


@pytest.mark.parametrize(("language", "dark"), [("en", False), ("zh-Hant-HK", True)])
async def test_search_filter_open_compare_subscribe(
    browser: Browser,
    site: str,
    fake_bot_api: FakeBotAPI,
    sessions: SessionFactory,
    search_index: SearchIndex,
    tmp_path: Path,
    language: str,
    dark: bool,
) -> None:
    page = await _open(browser, site, language, dark, fake_bot_api.token)
    tab = page.locator(".tab")
    await expect(tab.nth(0)).to_have_text(t(language, "miniapp.tab_search"))
    assert await page.evaluate("document.documentElement.lang") == language
    background = DARK["bg_color"] if dark else LIGHT["bg_color"]
    body_color = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert body_color == _rgb(background)

    # Search as you type: the summary and the cards follow what the engine finds.
    query = "中試"
    await page.locator("input.query").press_sequentially(query, delay=80)
    expected = search(search_index, query, language=language)
    summary = page.locator(".search .status")
    await expect(summary).to_have_text(t(language, "miniapp.results", count=expected.total))
    cards = page.locator(".results .card-button")
    await expect(cards.first).to_have_attribute("data-id", expected.results[0].record.id)
    assert query in "".join(await page.locator(".results mark").all_text_contents())
    await page.screenshot(path=str(_shot(tmp_path, "dark" if dark else "light")))

    # Follow this search: the store has the topic, the page says how many match it now and
    # that digests are on (the chat had no schedule: the default one, as /follow creates).
    await page.get_by_role("button", name=t(language, "miniapp.follow_search")).click()
    matching = count_matches(search_index, query, Filters())
    said = " ".join(
        [
            t(language, "miniapp.topic_followed", topic=query),
            t(language, "miniapp.topic_matches", count=matching),
            t(language, "miniapp.topic_schedule_created"),
        ]
    )
    await expect(page.locator(".follow-status")).to_have_text(said)
    with sessions() as session:
        assert [(topic.text, topic.notify_now) for topic in topics_of(session, USER_ID)] == [
            (query, False)
        ]
        assert describe(session, USER_ID).active

    # Filter by one organisation: its chip's count is what the list then holds.
    chip = page.locator('.facet[data-kind="org"] .chip').last
    code = await chip.get_attribute("data-value")
    count = int(await chip.locator(".count").inner_text())
    await chip.click()
    await expect(chip).to_have_attribute("aria-pressed", "true")
    await expect(summary).to_have_text(t(language, "miniapp.results", count=count))
    assert await cards.count() == count
    ids = await page.locator(".results .card-button").evaluate_all(
        "nodes => nodes.map(n => n.dataset.id)"
    )
    assert {org_code(record_id.rsplit("-", 1)[0]) for record_id in ids} == {code}
    # Following the narrowed search is another topic: the same words, with the chip's filter.
    await page.get_by_role("button", name=t(language, "miniapp.follow_search")).click()
    org_filter = Filters(orgs=frozenset({search_index.sources.org_codes[code]}))
    narrowed = count_matches(search_index, query, org_filter)
    await expect(page.locator(".follow-status")).to_have_text(
        t(language, "miniapp.topic_followed", topic=query)
        + " "
        + t(language, "miniapp.topic_matches", count=narrowed)
    )
    with sessions() as session:
        assert [topic.filters for topic in topics_of(session, USER_ID)] == [Filters(), org_filter]

    # Open a proposal: its title, citation and the related proposals.
    await cards.first.click()
    with sessions() as session:
        record = get_recommendation(session, ids[0])
        assert record is not None
        title, label, date = record.title, record.label, record.source.date
    await expect(page.locator("h1.record-title")).to_have_text(title)
    citation = page.locator(".citation")
    await expect(citation.locator("h2")).to_have_text(t(language, "miniapp.citation"))
    await expect(
        citation.locator("dd").filter(has_text=re.compile(f"^{re.escape(label)}$"))
    ).to_have_count(1)
    await expect(citation).to_contain_text(date)
    await expect(page.locator(".related h2")).to_have_text(t(language, "miniapp.related"))
    shown = await page.locator("#view").inner_text()
    assert "null" not in shown and "undefined" not in shown and "miniapp." not in shown
    await page.screenshot(path=str(_shot(tmp_path, "record-dark" if dark else "record-light")))
    await page.locator(".back").click()
    await expect(summary).to_have_text(t(language, "miniapp.results", count=count))

    # Compare a topic: one column per organisation, as /compare groups it.
    await tab.nth(1).click()
    topic = "人才"
    await page.locator("input.query").press_sequentially(topic, delay=60)
    comparison = compare(search_index, topic, PER_ORG, language)
    columns = page.locator(".column")
    await expect(columns).to_have_count(len(comparison.blocks))
    first = comparison.blocks[0]
    await expect(columns.first).to_have_attribute("data-org", first.code)
    await expect(columns.first.locator(".count")).to_have_text(
        t(language, "miniapp.org_total", count=first.total)
    )
    await page.screenshot(path=str(_shot(tmp_path, "compare-dark" if dark else "compare-light")))
    # "All N in search": the search screen, narrowed to that organisation.
    await columns.first.locator("button.all").click()
    summary = page.locator(".search .status")
    await expect(summary).to_have_text(t(language, "miniapp.results", count=first.total))
    selected = page.locator('.facet[data-kind="org"] .chip[aria-pressed="true"]')
    await expect(selected).to_have_attribute("data-value", first.code)

    # Digests: choose an area, daily at 07:00, save; the store has it.
    await tab.nth(2).click()
    await page.get_by_label(area_name(language, "innotech"), exact=True).check()
    await page.locator('select[name="frequency"]').select_option("daily")
    await page.locator('select[name="hour"]').select_option("7")
    await page.get_by_role("button", name=t(language, "miniapp.subs_save")).click()
    await expect(page.locator(".screen > .status")).to_have_text(t(language, "miniapp.subs_saved"))
    with sessions() as session:
        current = describe(session, USER_ID)
    assert (current.areas, current.frequency, current.hour, current.active) == (
        ("innotech",),
        "daily",
        7,
        True,
    )

    # Followed topics: the one followed from the search screen, with its count now; switch its
    # alert on, follow another here, then unfollow the first; the store follows each step.
    rows = page.locator(".topic")
    await expect(rows).to_have_count(2)
    await expect(page.locator(".followed h2")).to_have_text(
        t(language, "miniapp.topics_title", count=2, limit=MAX_TOPICS)
    )
    for row, count in ((rows.nth(0), matching), (rows.nth(1), narrowed)):
        await expect(row.locator(".topic-text")).to_have_text(query)
        await expect(row.locator(".topic-count")).to_have_text(
            t(language, "miniapp.topic_count", count=count)
        )
    await expect(rows.nth(0).locator(".topic-filters")).to_have_count(0)
    org_name = Names.of(search_index, language).orgs[code]
    await expect(rows.nth(1).locator(".topic-filters")).to_have_text(org_name)
    notify = rows.first.locator("button.notify")
    await expect(notify).to_have_text(t(language, "miniapp.topic_notify"))
    await notify.click()
    await expect(rows.first.locator("button.notify")).to_have_attribute("aria-pressed", "true")
    topic_status = page.locator(".topic-status")
    await expect(topic_status).to_have_text(t(language, "miniapp.topic_notify_on", topic=query))
    with sessions() as session:
        assert [tp.notify_now for tp in topics_of(session, USER_ID)] == [True, False]
    other = "北都"
    await page.locator(".topic-input").fill(other)
    await page.get_by_role("button", name=t(language, "miniapp.topic_follow")).click()
    await expect(rows).to_have_count(3)
    await expect(rows.nth(2).locator(".topic-text")).to_have_text(other)
    other_count = count_matches(search_index, other, Filters())
    await expect(topic_status).to_have_text(
        t(language, "miniapp.topic_followed", topic=other)
        + " "
        + (
            t(language, "miniapp.topic_matches", count=other_count)
            if other_count
            else t(language, "miniapp.topic_matches_none")
        )
    )
    await expect(page.locator(".topic-input")).to_have_value("")
    await page.screenshot(path=str(_shot(tmp_path, "digests-dark" if dark else "digests-light")))
    unfollow = rows.first.locator("button.unfollow")
    name = t(language, "miniapp.topic_unfollow", topic=query)
    await expect(unfollow).to_have_attribute("aria-label", name)
    await unfollow.click()
    await expect(topic_status).to_have_text(t(language, "miniapp.topic_unfollowed", topic=query))
    await expect(rows).to_have_count(2)
    await expect(rows.first.locator(".topic-filters")).to_have_text(org_name)
    with sessions() as session:
        left = [(tp.text, tp.filters, tp.notify_now) for tp in topics_of(session, USER_ID)]
        assert left == [(query, org_filter, False), (other, Filters(), False)]
        assert describe(session, USER_ID).active
    shown = await page.locator("#view").inner_text()
    assert "null" not in shown and "undefined" not in shown and "miniapp." not in shown
    assert await page.evaluate("window.__violations") == []
    assert page.errors == []  # type: ignore[attr-defined]


async def test_without_telegram_the_page_says_where_to_open_it(browser: Browser, site: str) -> None:
    page = await browser.new_page(viewport=PHONE, locale="en-GB")
    await page.goto(site + "/app")
    await expect(page.locator("#view .status")).to_have_text(t("en", "miniapp.unauthorized"))


async def test_a_launch_link_opens_the_proposal(
    browser: Browser, site: str, fake_bot_api: FakeBotAPI
) -> None:
    page = await browser.new_page(viewport=PHONE)
    data = init_data(token=fake_bot_api.token, language="en", start_param="rec_bpa24-6")
    await page.add_init_script(telegram_stub(data, LIGHT, "light"))
    await page.goto(site + "/app")
    await expect(page.locator(".citation")).to_contain_text("bpa24-6")


def _shot(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("MINIAPP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"miniapp-{name}.png"


def _rgb(hex_color: str) -> str:
    value = int(hex_color.lstrip("#"), 16)
    return f"rgb({value >> 16}, {(value >> 8) & 255}, {value & 255})"


async def test_launch_data_from_the_url_fragment_as_telegram_opens_it(
    browser: Browser, site: str, fake_bot_api: FakeBotAPI, sessions: SessionFactory
) -> None:
    """Without Telegram's script the page reads what the client puts in the URL: initData and
    the theme in the fragment, the button's `start` (a saved search) in the query."""
    with sessions.begin() as session:
        key = save_query(session, "中試", Filters(years=frozenset({2024})))
    data = init_data(token=fake_bot_api.token, language="en")
    fragment = urlencode(
        {
            "tgWebAppData": data,
            "tgWebAppVersion": "8.0",
            "tgWebAppPlatform": "android",
            "tgWebAppThemeParams": json.dumps(DARK),
        }
    )
    page = await browser.new_page(viewport=PHONE)
    await page.goto(f"{site}/app?start=q_{key}#{fragment}")
    await expect(page.locator(".tab").nth(0)).to_have_text(t("en", "miniapp.tab_search"))
    assert await page.evaluate("document.documentElement.dataset.scheme") == "dark"
    await expect(page.locator("input.query")).to_have_value("中試")
    year = page.locator('.facet[data-kind="year"] .chip[aria-pressed="true"]')
    await expect(year).to_have_attribute("data-value", "2024")
    await expect(page.locator(".search .status")).to_have_text(re.compile(r"^\d+ proposals?$"))
