"""What the bot shows, as neutral messages (HTML + buttons) in the reader's language.

No Telegram types here: handlers turn these into API calls, and digests reuse them."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.search import SearchResult, SearchResults
from bot.store.areas import Area, load_areas
from bot.store.corpus import org_code
from bot.store.models import Recommendation, Source
from bot.ui import actions
from bot.ui.i18n import DEFAULT_LANGUAGE, catalogue, html, t
from bot.ui.render import (
    MESSAGE_LIMIT,
    Button,
    Message,
    escape,
    highlight,
    plain_of,
    snippet,
    split_highlighted,
    utf16_len,
)

PAGE_SIZE = 5
COMPACT_SIZE = 3
REF_PREVIEW = 300  # characters of a cited paragraph shown under a recommendation


def area_name(language: str, area_id: str) -> str:
    """An area's display name."""
    for area in load_areas():
        if area.id == area_id:
            return area.en if language == "en" else area.zh
    return area_id


def doc_label(language: str, kind: str, year: int) -> str:
    """'2024 施政報告建議' style label of a document (a kind the catalogue does not name, e.g.
    of a newly added document, reads as a generic submission)."""
    known = f"kinds.{kind}" in catalogue(DEFAULT_LANGUAGE)
    return f"{year} {t(language, f'kinds.{kind}' if known else 'upload.kind_other')}"


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
    org_names: Mapping[str, str] | None = None  # org code → short name, for narrowing buttons


def entry_html(language: str, number: int, result: SearchResult, kind: str) -> str:
    """One result: organisation, document, area, heading, highlighted snippet."""
    record = result.record
    text_spans = [(h.start, h.end) for h in result.highlights if h.field == "text"]
    header = html(
        language,
        "result.entry_html",
        n=number,
        org=record.org_short,
        doc=doc_label(language, kind, record.year),
        area=area_name(language, record.areas[0]) if record.areas else "",
        title=record.title,
    )
    return header + "\n" + snippet(record.text, text_spans)


def results_message(language: str, answer: SearchResults, page: SearchPage) -> Message:
    """A page of results with open/paging/narrowing buttons (compact in groups)."""
    size = COMPACT_SIZE if page.compact else PAGE_SIZE
    first = page.page * size
    lines = [_header(language, answer, page, size), ""]
    kinds = page.kinds or {}
    for number, result in enumerate(answer.results, first + 1):
        lines += [entry_html(language, number, result, kinds.get(result.record.source_id, "")), ""]
    buttons = [_open_row(answer.results, first)]
    if page.compact:
        if page.bot_username and answer.total > len(answer.results):
            link = actions.deep_link(page.bot_username, actions.query_payload(page.key))
            buttons.append(
                (Button(t(language, "search.all_results", total=answer.total), url=link),)
            )
    else:
        buttons += _paging_rows(language, answer, page, size)
    return Message("\n".join(lines).strip(), tuple(row for row in buttons if row))


def _header(language: str, answer: SearchResults, page: SearchPage, size: int) -> str:
    query = answer.query.strip() or answer.normalized
    if page.compact:
        return html(
            language,
            "search.compact_header_html",
            query=query,
            total=answer.total,
            shown=len(answer.results),
        )
    return html(
        language,
        "search.header_html",
        query=query,
        total=answer.total,
        page=page.page + 1,
        pages=page_count(answer.total, size),
    )


def _open_row(results: Sequence[SearchResult], first: int) -> tuple[Button, ...]:
    return tuple(
        Button(str(number), callback_data=actions.open_record(result.record.id))
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
    if page.page == 0 and answer.total > size:
        narrow = _narrow_row(language, answer, page)
        rows += [narrow[:3], narrow[3:]]
    return rows


def _narrow_row(language: str, answer: SearchResults, page: SearchPage) -> tuple[Button, ...]:
    """Buttons that narrow to one organisation or one area (when results span several)."""
    buttons: list[Button] = []
    if not answer.filters.orgs:
        per_org: Counter[str] = Counter()
        for source_id, count in answer.by_source.items():
            per_org[org_code(source_id)] += count
        if len(per_org) > 1:
            names = page.org_names or {}
            for code, _ in per_org.most_common(3):
                label = t(language, "search.narrow_org", org=names.get(code, code.upper()))
                buttons.append(Button(label, actions.narrow(page.key, "o", code)))
    if not answer.filters.areas and len(answer.by_area) > 1:
        for area_id, _ in Counter(answer.by_area).most_common(2):
            label = t(language, "search.narrow_area", area=area_name(language, area_id))
            buttons.append(Button(label, actions.narrow(page.key, "a", area_id)))
    return tuple(buttons)


def no_results_message(
    language: str, answer: SearchResults, suggestion_keys: Sequence[tuple[str, str]]
) -> Message:
    """Nothing answers the query: say so plainly, list the closest real proposals (kept apart
    from results, with their own open buttons), and offer the "did you mean" suggestions."""
    lines = [html(language, "search.no_results_html", query=answer.query.strip())]
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
                org=result.record.org_short,
                title=result.record.title,
            )
            for number, result in enumerate(answer.closest, 1)
        ]
        rows.append(_open_row(answer.closest, 0))
    if suggestion_keys:
        lines.append(escape(t(language, "search.did_you_mean")))
        rows.append(
            tuple(Button(text, actions.search_page(key, 0)) for text, key in suggestion_keys)
        )
    return Message("\n".join(lines), tuple(rows))


def unknown_filters_note(language: str, unknown: Sequence[str]) -> str:
    """A warning line for filters that named nothing."""
    return html(language, "search.unknown_filter_html", filters=" ".join(unknown))


def record_messages(
    language: str,
    record: Recommendation,
    spans: Sequence[tuple[int, int]] = (),
    bot_username: str | None = None,
) -> list[Message]:
    """A recommendation in full, with its citation; split into several messages if long."""
    head = _record_head(language, record)
    tail = _record_tail(language, record)
    room = MESSAGE_LIMIT - _plain_len(head) - _plain_len(tail) - 40
    pieces = split_highlighted(record.text, spans, max(room, 1000))
    buttons = _record_buttons(language, record, bot_username)
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
    lines = [f"<b>{escape(record.title)}</b>"]
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
        lines.append(html(language, "rec.path_html", path=" › ".join(record.section_path)))
    lines.append(html(language, "rec.label_html", label=record.label))
    if record.bureaux:
        lines.append(html(language, "rec.bureaux_html", bureaux="、".join(record.bureaux)))
    return "\n".join(lines)


def _record_tail(language: str, record: Recommendation) -> str:
    lines = []
    if record.refs:
        lines.append(html(language, "rec.refs_title_html"))
        for ref in record.refs:
            text = ref["text"]
            short = text if len(text) <= REF_PREVIEW else text[:REF_PREVIEW] + "…"
            lines.append(html(language, "rec.ref_html", label=ref["label"], text=short))
    areas = " ".join(f"#{area_name(language, area)}" for area in record.areas)
    lines.append(escape(areas))
    lines.append(html(language, "rec.id_html", id=record.id))
    return "\n".join(lines)


def _record_buttons(
    language: str, record: Recommendation, bot_username: str | None
) -> tuple[tuple[Button, ...], ...]:
    row = [Button(t(language, "buttons.related"), actions.related_records(record.id))]
    row.append(Button(t(language, "buttons.share"), switch_inline_query=record.id))
    area = record.areas[0] if record.areas else None
    if area is None:
        return (tuple(row),)
    label = t(language, "subscribe.button", area=area_name(language, area))
    return (tuple(row), (Button(label, actions.encode("sub", "s", area)),))


def related_message(language: str, record_title: str, results: Sequence[SearchResult]) -> Message:
    """Similar proposals from other organisations, each one button away."""
    if not results:
        return Message(escape(t(language, "rec.related_none")))
    lines = [html(language, "rec.related_title_html"), f"<i>{escape(record_title)}</i>", ""]
    for number, result in enumerate(results, 1):
        lines += _brief_lines(number, result)
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
            language, "areas.page_header_html", area=name, total=total, page=page + 1, pages=pages
        ),
        "",
    ]
    first = page * PAGE_SIZE
    for number, result in enumerate(records, first + 1):
        lines += _brief_lines(number, result)
    nav = []
    if page > 0:
        nav.append(Button(t(language, "buttons.prev"), actions.area_page(area.id, page - 1)))
    if page + 1 < pages:
        nav.append(Button(t(language, "buttons.next"), actions.area_page(area.id, page + 1)))
    rows = [_open_row(records, first), tuple(nav), (Button(t(language, "buttons.back"), "areas"),)]
    return Message("\n".join(lines).strip(), tuple(row for row in rows if row))


def _source_names(language: str, source: Source) -> dict[str, str]:
    """Organisation, title and date of a document in the reader's language."""
    english = language == "en"
    return {
        "org": source.org_en if english else source.org,
        "title": source.title_en if english else source.title,
        "date": source.date,
    }


def _brief_lines(number: int, result: SearchResult) -> list[str]:
    record = result.record
    heading = f"<b>{number}.</b> {escape(record.org_short)} · <b>{escape(record.title)}</b>"
    return [heading, snippet(record.text, (), width=70)]


def sources_message(language: str, sources: Sequence[tuple[Source, int]]) -> Message:
    """The source documents with their record counts and ID prefixes."""
    lines = [html(language, "sources.title_html"), ""]
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
    return Message("\n".join(lines))


def inline_text(language: str, record: Recommendation) -> str:
    """The message an inline result drops into a chat: the proposal and its citation, cut to
    one message (the full-text button links to the rest)."""
    head = _record_head(language, record)
    tail = html(language, "rec.id_html", id=record.id)
    room = MESSAGE_LIMIT - _plain_len(head) - _plain_len(tail) - 10
    text = record.text if len(record.text) <= room else record.text[: room - 1] + "…"
    return "\n\n".join([head, highlight(text), tail])
