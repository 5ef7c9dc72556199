"""What the bot shows, as neutral messages (HTML + buttons) in the reader's language.

No Telegram types here: handlers turn these into API calls, and digests reuse them."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.filters import Filters
from bot.core.text import ELLIPSIS, clip, utf16_len
from bot.search import IndexedRecord, SearchResult, SearchResults
from bot.store.areas import Area, areas_by_id, load_areas
from bot.store.corpus import org_code
from bot.store.models import Recommendation, Source
from bot.ui import actions
from bot.ui.i18n import DEFAULT_LANGUAGE, catalogue, html, t
from bot.ui.miniapp_links import MiniAppLinks
from bot.ui.render import (
    MESSAGE_LIMIT,
    Button,
    Message,
    bold,
    escape,
    highlight,
    italic,
    pack,
    plain_of,
    snippet,
    split_highlighted,
)

PAGE_SIZE = 5
COMPACT_SIZE = 3
# How much of a text someone else wrote a place shows (UTF-16 units, see render.clip): queries
# and filters echoed back, names and titles of documents (an upload's may be long).
REF_PREVIEW = 300  # a cited paragraph shown under a recommendation
QUERY_SHOWN = 100
NAME_SHOWN = 80  # an organisation's name
SHORT_NAME_SHOWN = 30  # a short name on a button
TITLE_SHOWN = 200  # a recommendation's or a document's title
PATH_SHOWN = 300  # a section path
BUTTON_SHOWN = 60
INLINE_TITLE_SHOWN = 120
INLINE_DESCRIPTION_SHOWN = 240
SNIPPET_WIDTH = 90  # characters of a result's text shown around the match
INLINE_QUOTE_WIDTH = 80


def area_name(language: str, area_id: str) -> str:
    """An area's display name (its id when the taxonomy no longer has it)."""
    area = areas_by_id().get(area_id)
    if area is None:
        return area_id
    return area.en if language == "en" else area.zh


def doc_label(language: str, kind: str, period: str) -> str:
    """'2024-25 財政預算案建議' style label of a document: its own period (the year or fiscal
    year its title states, see `Source.period`) and its kind (a kind the catalogue does not
    name, e.g. of a newly added document, reads as a generic submission)."""
    known = f"kinds.{kind}" in catalogue(DEFAULT_LANGUAGE)
    return f"{period} {t(language, f'kinds.{kind}' if known else 'upload.kind_other')}"


def org_label(language: str, record: IndexedRecord) -> str:
    """A result's organisation as the reader knows it: the English short name for English."""
    name = record.org_short_en if language == "en" and record.org_short_en else record.org_short
    return clip(name, NAME_SHOWN, one_line=True)


def source_short_name(language: str, source: Source) -> str:
    """A document's organisation, short, in the reader's language."""
    name = source.org_short_en if language == "en" and source.org_short_en else source.org_short
    return clip(name, NAME_SHOWN, one_line=True)


def page_count(total: int, size: int) -> int:
    """How many pages `total` items fill."""
    return max(1, math.ceil(total / size))


@dataclass(frozen=True)
class SearchPage:
    """Everything a results page needs besides the results themselves."""

    key: str  # saved-query key, for paging buttons and deep links
    page: int  # zero-based
    compact: bool = False  # group chat: top results and a link to the full list
    bot_username: str | None = None
    kinds: Mapping[str, str] | None = None  # source id → document kind
    org_names: Mapping[str, str] | None = None  # org code → short name in the reader's language
    org_codes: Mapping[str, str] | None = None  # org code → folded org_short (as filters hold)
    removable: Filters = field(default_factory=Filters)  # narrowing a button added (removable)
    all_facets: bool = False  # every narrowing button, not only the top ones
    brief: bool = False  # one line per result (the chat's layout, see `compact_results`)
    layout_toggle: bool = False  # offer the button that switches `brief` (private chats)
    miniapp: MiniAppLinks | None = None  # a button to browse the results in the Mini App


def entry_html(language: str, number: int, result: SearchResult, kind: str) -> str:
    """One result: organisation, document, area, heading, highlighted snippet."""
    record = result.record
    header = html(
        language,
        "result.entry_html",
        n=number,
        org=org_label(language, record),
        doc=doc_label(language, kind, record.period),
        area=area_name(language, record.areas[0]) if record.areas else "",
        title=clip(record.title, TITLE_SHOWN, one_line=True),
    )
    return header + "\n" + matched_snippet(language, result)


def matched_snippet(language: str, result: SearchResult, width: int = SNIPPET_WIDTH) -> str:
    """The sentence that shows why a result matched, highlighted, about `width` characters; from
    a cited paragraph, it says so (else the text around its first matched word). The one way
    search results, inline results and /compare show why a record matched."""
    passage = result.passage
    field = passage.field if passage is not None else "text"
    source = result.record.refs_text if field == "refs" else result.record.text
    spans = [(h.start, h.end) for h in result.highlights if h.field == field]
    focus = (passage.start, passage.end) if passage is not None else None
    quote = snippet(source, spans, width=width, focus=focus)
    if field == "refs":
        return italic(t(language, "matched.in_cited")) + " " + quote
    return quote


BRIEF_TITLE_SHOWN = 24  # a result's title on its one line (UTF-16 units), to fit a phone
BRIEF_QUOTE_WIDTH = 24  # characters of its text around the match on that line


def brief_entry_html(language: str, number: int, result: SearchResult) -> str:
    """One result on one line: number, organisation, title and a few words of the sentence that
    matched (titles repeat when a document heads several proposals alike)."""
    record = result.record
    head = html(
        language,
        "layout.entry_html",
        n=number,
        org=clip(org_label(language, record), SHORT_NAME_SHOWN, one_line=True),
        title=clip(record.title, BRIEF_TITLE_SHOWN, one_line=True),
        quote="\x00",
    )
    return head.replace("\x00", matched_snippet(language, result, width=BRIEF_QUOTE_WIDTH))


def _layout_row(language: str, page: SearchPage) -> tuple[Button, ...]:
    label = t(language, "layout.to_full" if page.brief else "layout.to_compact")
    return (Button(label, actions.layout(page.key, page.page, not page.brief)),)


def results_message(language: str, answer: SearchResults, page: SearchPage) -> Message:
    """A page of results with open/paging/narrowing buttons (compact in groups)."""
    size = COMPACT_SIZE if page.compact else PAGE_SIZE
    first = page.page * size
    lines = [_header(language, answer, page, size), ""]
    kinds = page.kinds or {}
    for number, result in enumerate(answer.results, first + 1):
        if page.brief:
            lines.append(brief_entry_html(language, number, result))
            continue
        lines += [entry_html(language, number, result, kinds.get(result.record.source_id, "")), ""]
    buttons = [_open_row(answer.results, first, page.key)]
    if page.compact:
        if page.bot_username and answer.total > len(answer.results):
            link = actions.deep_link(page.bot_username, actions.query_payload(page.key))
            buttons.append(
                (Button(t(language, "search.all_results", total=answer.total), url=link),)
            )
    else:
        buttons += _paging_rows(language, answer, page, size)
    if page.layout_toggle:
        buttons.append(_layout_row(language, page))
    browse = (
        page.miniapp.button(language, "miniapp.open_results", actions.query_payload(page.key))
        if page.miniapp
        else None
    )
    if browse is not None:
        buttons.append((browse,))
    return Message("\n".join(lines).strip(), tuple(row for row in buttons if row))


def _header(language: str, answer: SearchResults, page: SearchPage, size: int) -> str:
    head = _count_header(language, answer, page, size)
    active = _filter_names(language, answer.filters, page)
    if not active:
        return head
    shown = clip(" · ".join(active), QUERY_SHOWN, one_line=True)
    return head + "\n" + html(language, "filters.active_html", filters=shown)


def _filter_names(language: str, filters: Filters, page: SearchPage) -> list[str]:
    """Every active filter as the reader names it: organisations, #areas, documents, years."""
    names = page.org_names or {}
    code_of = {folded: code for code, folded in (page.org_codes or {}).items()}
    orgs = [names.get(code_of.get(org, ""), org) for org in sorted(filters.orgs)]
    areas = [f"#{area_name(language, area)}" for area in sorted(filters.areas)]
    return orgs + areas + sorted(filters.sources) + [str(year) for year in sorted(filters.years)]


def _count_header(language: str, answer: SearchResults, page: SearchPage, size: int) -> str:
    query = clip(answer.query.strip() or answer.normalized, QUERY_SHOWN, one_line=True)
    if page.compact:
        return html(
            language,
            "search.compact_header_html",
            query=query,
            count=answer.total,
            shown=len(answer.results),
        )
    return html(
        language,
        "search.header_html",
        query=query,
        count=answer.total,
        page=page.page + 1,
        pages=page_count(answer.total, size),
    )


def _open_row(
    results: Sequence[SearchResult], first: int, key: str | None = None
) -> tuple[Button, ...]:
    """A numbered button per result that opens it in full (`key`: the saved search they came
    from, so that the full view can ask whether it helped)."""
    return tuple(
        Button(str(number), callback_data=actions.open_record(result.record.id, key))
        for number, result in enumerate(results, first + 1)
    )


def _paging_rows(
    language: str, answer: SearchResults, page: SearchPage, size: int
) -> list[tuple[Button, ...]]:
    rows: list[tuple[Button, ...]] = []
    nav = []
    if page.page > 0:
        nav.append(
            Button(t(language, "buttons.prev"), actions.search_page(page.key, page.page - 1))
        )
    if (page.page + 1) * size < answer.total:
        nav.append(
            Button(t(language, "buttons.next"), actions.search_page(page.key, page.page + 1))
        )
    rows.append(tuple(nav))
    rows += _facet_rows(language, answer, page)
    rows += _unnarrow_rows(language, page)
    return rows


TOP_ORGS, TOP_AREAS = 3, 2  # narrowing buttons shown before "more filters"
FACETS_PER_ROW = 3


def _facet_rows(language: str, answer: SearchResults, page: SearchPage) -> list[tuple[Button, ...]]:
    """Buttons that narrow to one organisation or one area (when results span several), on
    every page: the top ones, and a "more" button for the rest (or all of them, once asked)."""
    per_org: Counter[str] = Counter()
    for source_id, count in answer.by_source.items():
        per_org[org_code(source_id)] += count
    orgs = [code for code, _ in per_org.most_common()] if len(per_org) > 1 else []
    per_area = Counter(answer.by_area)
    areas = [
        area
        for area, _ in per_area.most_common()
        if len(per_area) > 1 and area not in answer.filters.areas
    ]
    hidden = False
    if not page.all_facets:
        hidden = len(orgs) > TOP_ORGS or len(areas) > TOP_AREAS
        orgs, areas = orgs[:TOP_ORGS], areas[:TOP_AREAS]
    names = page.org_names or {}
    org_buttons = [
        Button(
            t(
                language,
                "search.narrow_org",
                org=clip(names.get(code, code.upper()), SHORT_NAME_SHOWN, one_line=True),
            ),
            actions.narrow(page.key, actions.NARROW_ORG, code),
        )
        for code in orgs
    ]
    area_buttons = [
        Button(
            t(language, "search.narrow_area", area=area_name(language, area)),
            actions.narrow(page.key, actions.NARROW_AREA, area),
        )
        for area in areas
    ]
    if hidden:
        area_buttons.append(
            Button(t(language, "filters.more"), actions.all_facets(page.key, page.page))
        )
    return _rows(org_buttons) + _rows(area_buttons)


def _unnarrow_rows(language: str, page: SearchPage) -> list[tuple[Button, ...]]:
    """A button per narrowing a button added, that removes it, and "all results" for several."""
    names = page.org_names or {}
    code_of = {folded: code for code, folded in (page.org_codes or {}).items()}
    buttons = []
    for org in sorted(page.removable.orgs):
        code = code_of.get(org)
        if code is not None:
            name = clip(names.get(code, org), SHORT_NAME_SHOWN, one_line=True)
            label = t(language, "filters.remove", filter=name)
            buttons.append(Button(label, actions.unnarrow(page.key, actions.NARROW_ORG, code)))
    for area in sorted(page.removable.areas):
        label = t(language, "filters.remove", filter=f"#{area_name(language, area)}")
        buttons.append(Button(label, actions.unnarrow(page.key, actions.NARROW_AREA, area)))
    if len(buttons) > 1:
        buttons.append(Button(t(language, "filters.all_off"), actions.unnarrow(page.key)))
    return _rows(buttons)


def _rows(buttons: Sequence[Button]) -> list[tuple[Button, ...]]:
    return [
        tuple(buttons[start : start + FACETS_PER_ROW])
        for start in range(0, len(buttons), FACETS_PER_ROW)
    ]


def no_results_message(
    language: str,
    answer: SearchResults,
    suggestion_keys: Sequence[tuple[str, str]],
    key: str | None = None,
) -> Message:
    """Nothing answers the query: say so plainly, list the closest real proposals (kept apart
    from results, with their own open buttons), and offer the "did you mean" suggestions."""
    query = clip(answer.query.strip(), QUERY_SHOWN, one_line=True)
    lines = [html(language, "search.no_results_html", query=query)]
    if answer.filters:
        lines.append(escape(t(language, "search.try_without_filters")))
    rows: list[tuple[Button, ...]] = []
    if answer.closest:
        lines += ["", escape(t(language, "search.closest_intro"))]
        lines += [
            html(
                language,
                "search.closest_entry_html",
                n=number,
                org=org_label(language, result.record),
                title=clip(result.record.title, TITLE_SHOWN, one_line=True),
            )
            for number, result in enumerate(answer.closest, 1)
        ]
        rows.append(_open_row(answer.closest, 0, key))
    if suggestion_keys:
        lines.append(escape(t(language, "search.did_you_mean")))
        rows.append(
            tuple(
                Button(clip(text, BUTTON_SHOWN, one_line=True), actions.search_page(key, 0))
                for text, key in suggestion_keys
            )
        )
    return Message("\n".join(lines), tuple(rows))


def answer_message(
    language: str,
    answer: SearchResults,
    page: SearchPage,
    suggestion_keys: Sequence[tuple[str, str]] = (),
) -> Message:
    """What a search replies: a page of results, or nothing found with "did you mean"; a note
    first when a filter named nothing; last, "🔔 Follow this search" (also when nothing matches
    yet: a followed topic watches for future documents)."""
    if answer.total == 0:
        message = no_results_message(language, answer, suggestion_keys, page.key)
    else:
        message = results_message(language, answer, page)
    follow = (Button(t(language, "follow.button"), actions.follow_search(page.key)),)
    message = Message(message.html, (*message.buttons, follow))
    if answer.unknown_filters:
        note = unknown_filters_note(language, answer.unknown_filters)
        message = Message(note + "\n\n" + message.html, message.buttons)
    return message


def unknown_filters_note(language: str, unknown: Sequence[str]) -> str:
    """A warning line for filters that named nothing."""
    shown = clip(" ".join(unknown), QUERY_SHOWN, one_line=True)
    return html(language, "search.unknown_filter_html", filters=shown)


@dataclass(frozen=True)
class Feedback:
    """The 👍/👎 row under a recommendation opened from a search: the saved search, the vote
    the buttons show (actions.NO_VOTE, VOTE_UP or VOTE_DOWN) and when it was stored (Unix
    seconds, 0: not stored)."""

    key: str
    shown: str = actions.NO_VOTE
    since: int = 0


def record_messages(
    language: str,
    record: Recommendation,
    spans: Sequence[tuple[int, int]] = (),
    bot_username: str | None = None,
    feedback: Feedback | None = None,
    miniapp: MiniAppLinks | None = None,
) -> list[Message]:
    """A recommendation in full, with its citation; split into several messages if long (the
    buttons, and the 👍/👎 row when `feedback` is given, under the last one). With `miniapp`, a
    button opens it in the Mini App."""
    head = _record_head(language, record)
    tail = _record_tail(language, record)
    room = MESSAGE_LIMIT - _plain_len(head) - _plain_len(tail) - 40
    pieces = split_highlighted(record.text, spans, max(room, 1000))
    buttons = record_buttons(language, record, bot_username, feedback, miniapp)
    messages = []
    for number, piece in enumerate(pieces, 1):
        parts = [piece]
        if number == 1:
            parts.insert(0, head)
        if len(pieces) > 1:
            parts.append(html(language, "rec.continued_html", part=number, parts=len(pieces)))
        if number == len(pieces):
            parts.append(tail)
        messages.append(Message("\n\n".join(parts), buttons if number == len(pieces) else ()))
    return messages


def _plain_len(markup: str) -> int:
    return utf16_len(plain_of(markup))


def _record_head(language: str, record: Recommendation) -> str:
    source: Source = record.source
    lines = [bold(clip(record.title, TITLE_SHOWN, one_line=True))]
    if record.withdrawn:
        lines.append(html(language, "rec.withdrawn"))
    lines.append(
        html(
            language,
            "rec.source_html",
            **_source_names(language, source),
        )
    )
    if record.section_path:
        path = clip(" › ".join(record.section_path), PATH_SHOWN, one_line=True)
        lines.append(html(language, "rec.path_html", path=path))
    lines.append(html(language, "rec.label_html", label=record.label))
    if record.bureaux:
        bureaux = clip("、".join(record.bureaux), PATH_SHOWN, one_line=True)
        lines.append(html(language, "rec.bureaux_html", bureaux=bureaux))
    return "\n".join(lines)


def _record_tail(language: str, record: Recommendation) -> str:
    lines = []
    if record.refs:
        lines.append(html(language, "rec.refs_title_html"))
        for ref in record.refs:
            short = clip(ref["text"], REF_PREVIEW)
            lines.append(html(language, "rec.ref_html", label=ref["label"], text=short))
    areas = " ".join(f"#{area_name(language, area)}" for area in record.areas)
    lines.append(escape(areas))
    lines.append(html(language, "rec.id_html", id=record.id))
    return "\n".join(lines)


def record_buttons(
    language: str,
    record: Recommendation,
    bot_username: str | None = None,
    feedback: Feedback | None = None,
    miniapp: MiniAppLinks | None = None,
) -> tuple[tuple[Button, ...], ...]:
    """The buttons under a recommendation in full: similar proposals, share, follow its area,
    (`miniapp`) open it in the Mini App, and (`feedback`) 👍/👎 showing the current vote."""
    row = [Button(t(language, "buttons.related"), actions.related_records(record.id))]
    row.append(Button(t(language, "buttons.share"), switch_inline_query=record.id))
    rows = [tuple(row)]
    area = record.areas[0] if record.areas else None
    if area is not None:
        label = t(language, "subscribe.button", area=area_name(language, area))
        rows.append((Button(label, actions.subscribe_step(actions.SUB_ONE, area)),))
    browse = (
        miniapp.button(language, "miniapp.open_record", actions.record_payload(record.id))
        if miniapp
        else None
    )
    if browse is not None:
        rows.append((browse,))
    if feedback is not None:
        rows.append(feedback_row(language, record.id, feedback))
    return tuple(row for row in rows if row)


def feedback_row(language: str, record_id: str, feedback: Feedback) -> tuple[Button, ...]:
    """👍 and 👎, the one shown as chosen marked; empty when the callback data would not fit."""
    buttons = []
    for pressed, name in ((actions.VOTE_UP, "up"), (actions.VOTE_DOWN, "down")):
        data = actions.vote(pressed, feedback.shown, feedback.since, feedback.key, record_id)
        if data is None:
            return ()
        chosen = "_chosen" if feedback.shown == pressed else ""
        buttons.append(Button(t(language, f"feedback.{name}{chosen}"), data))
    return tuple(buttons)


def related_message(language: str, record_title: str, results: Sequence[SearchResult]) -> Message:
    """Similar proposals from other organisations, each one button away."""
    if not results:
        return Message(escape(t(language, "rec.related_none")))
    title = clip(record_title, TITLE_SHOWN, one_line=True)
    lines = [html(language, "rec.related_title_html"), italic(title), ""]
    for number, result in enumerate(results, 1):
        lines += _brief_lines(language, number, result)
    buttons = (_open_row(results, 0),)
    return Message("\n".join(lines), buttons)


def areas_message(language: str, counts: dict[str, int]) -> Message:
    """Every policy area with its number of recommendations, one button each."""
    rows = []
    for area in load_areas():
        label = f"{area.en if language == 'en' else area.zh} ({counts.get(area.id, 0)})"
        rows.append((Button(label, actions.area_page(area.id, 0)),))
    return Message(html(language, "areas.title_html"), tuple(rows))


def area_page_message(
    language: str, area: Area, records: Sequence[SearchResult], page: int, total: int
) -> Message:
    """One page of an area's recommendations."""
    name = area.en if language == "en" else area.zh
    pages = page_count(total, PAGE_SIZE)
    lines = [
        html(
            language, "areas.page_header_html", area=name, count=total, page=page + 1, pages=pages
        ),
        "",
    ]
    first = page * PAGE_SIZE
    for number, result in enumerate(records, first + 1):
        lines += _brief_lines(language, number, result)
    nav = []
    if page > 0:
        nav.append(Button(t(language, "buttons.prev"), actions.area_page(area.id, page - 1)))
    if page + 1 < pages:
        nav.append(Button(t(language, "buttons.next"), actions.area_page(area.id, page + 1)))
    rows = [
        _open_row(records, first),
        tuple(nav),
        (Button(t(language, "buttons.back"), actions.area_list()),),
    ]
    return Message("\n".join(lines).strip(), tuple(row for row in rows if row))


def _source_names(language: str, source: Source) -> dict[str, str]:
    """Organisation, title and date of a document in the reader's language."""
    english = language == "en"
    return {
        "org": clip(source.org_en if english else source.org, NAME_SHOWN, one_line=True),
        "title": clip(source.title_en if english else source.title, TITLE_SHOWN, one_line=True),
        "date": source.date,
    }


def _brief_lines(language: str, number: int, result: SearchResult) -> list[str]:
    record = result.record
    org = org_label(language, record)
    title = clip(record.title, TITLE_SHOWN, one_line=True)
    heading = f"{bold(f'{number}.')} {escape(org)} · {bold(title)}"
    return [heading, snippet(record.text, (), width=70)]


def sources_messages(language: str, sources: Sequence[tuple[Source, int]]) -> list[Message]:
    """The source documents with their record counts and ID prefixes (in as many messages as
    the documents need)."""
    lines = [html(language, "sources.title_html") + "\n"]
    for source, count in sources:
        lines.append(
            html(
                language,
                "sources.entry_html",
                **_source_names(language, source),
                count=count,
                slug=source.id,
            )
        )
    return [Message(text) for text in pack(lines)]


def inline_text(language: str, record: Recommendation, result: SearchResult | None = None) -> str:
    """The message an inline result drops into a chat: the proposal and its citation, cut to
    one message (the full-text button links to the rest), the query's words in bold. When the
    sentence that matched is not in what the message shows (a cited paragraph, or past the
    cut), it is quoted first, as search results quote it."""
    head = _record_head(language, record)
    tail = html(language, "rec.id_html", id=record.id)
    room = MESSAGE_LIMIT - _plain_len(head) - _plain_len(tail) - 10
    spans = [(h.start, h.end) for h in result.highlights if h.field == "text"] if result else []
    passage = result.passage if result else None
    shown = clip(record.text, room)
    unseen = passage is not None and (
        passage.field == "refs" or passage.end > _kept(record.text, shown)
    )
    if result is not None and unseen:
        quote = matched_snippet(language, result, width=INLINE_QUOTE_WIDTH)
        head = head + "\n" + quote
        room = MESSAGE_LIMIT - _plain_len(head) - _plain_len(tail) - 10
        shown = clip(record.text, room)
    kept = _kept(record.text, shown)  # a span cut by the clip stops where the text does
    body = highlight(shown, [(start, min(end, kept)) for start, end in spans if start < kept])
    return "\n\n".join([head, body, tail])


def _kept(text: str, shown: str) -> int:
    """How many characters of `text` its clipped form `shown` keeps."""
    return len(text) if shown == text else len(shown) - len(ELLIPSIS)


def inline_title(record: Recommendation) -> str:
    """An inline result's title: the recommendation's, on one line."""
    return clip(record.title, INLINE_TITLE_SHOWN, one_line=True)


def inline_description(
    language: str, record: Recommendation, result: SearchResult | None = None
) -> str:
    """An inline result's description: organisation, document (its own period and kind) and
    area in the reader's language, then the sentence that shows why it matched (see
    `matched_snippet`; the opening of the text for a featured proposal)."""
    source: Source = record.source
    area = area_name(language, record.areas[0]) if record.areas else ""
    org = clip(source_short_name(language, source), SHORT_NAME_SHOWN, one_line=True)
    doc = doc_label(language, source.kind, source.period)
    label = " · ".join(part for part in (org, doc, area) if part)
    if result is None:
        quote = plain_of(snippet(record.text, width=INLINE_QUOTE_WIDTH))
    else:
        quote = plain_of(matched_snippet(language, result, width=INLINE_QUOTE_WIDTH))
    return clip(f"{label}\n{quote}", INLINE_DESCRIPTION_SHOWN)
