"""/compare as messages: on one phone screen (SCREEN), one block per organisation with its best
proposals one line each (label linking to the full text, heading) and a "more" button per
organisation; "more" shows that organisation's proposals with highlighted quotes. A quote is the
sentence that best shows why the proposal matched, as search results show it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.text import clip, utf16_len
from bot.search.compare import Comparison, OrgBlock
from bot.ui import actions
from bot.ui.i18n import html, t
from bot.ui.render import Button, Message, bold, escape, link, pack, plain_of
from bot.ui.views import matched_snippet

TOPIC_SHOWN = 80  # UTF-16 units of the topic repeated in headings
TITLE_SHOWN = 90
NAME_SHOWN = 80
QUOTE_WIDTH = 110
QUOTE_WIDTH_COMPACT = 60
SCREEN = 1200  # UTF-16 units of plain text a comparison may take: about one phone screen
LINE_TITLE_SHOWN = 40  # a proposal's title on its one line
PER_ORG_LINES, PER_ORG_LINES_COMPACT = 2, 1  # proposals per organisation (private, groups)
MORE_PER_ROW = 2


def compare_usage(language: str) -> Message:
    """/compare without a topic."""
    return Message(html(language, "compare.usage_html"))


def compare_messages(
    language: str,
    comparison: Comparison,
    bot_username: str | None,
    org_names: Mapping[str, str] | None = None,
    compact: bool = False,
    key: str | None = None,
) -> list[Message]:
    """The comparison in the reader's language, on one screen when it fits (fewer proposals per
    organisation until it does); `org_names` maps org codes to the names to show (English names
    for English readers), else the documents' own short names; with the saved topic's `key`, a
    "more" button per organisation (`compare_org_messages`)."""
    topic = clip(comparison.topic, TOPIC_SHOWN, one_line=True)
    if not comparison.blocks:
        return [_nothing(language, topic, comparison.answer.suggestions)]
    header = html(
        language,
        "compare.header_html",
        topic=topic,
        count=comparison.total,
        orgs=t(language, "compare.organisations", count=len(comparison.blocks)),
    )
    names = {block.code: _name(block, org_names) for block in comparison.blocks}
    most = PER_ORG_LINES_COMPACT if compact else PER_ORG_LINES
    # From the richest layout down: fewer proposals per organisation, then no quotes.
    layouts = [(per_org, True) for per_org in range(most, 0, -1)] + [(1, False)]
    for per_org, quotes in layouts:
        blocks = [header] + [
            _lines_html(language, block, names[block.code], bot_username, per_org, quotes)
            for block in comparison.blocks
        ]
        if utf16_len(plain_of("\n\n".join(blocks))) <= SCREEN:
            break
    texts = pack(blocks, separator="\n\n")
    rows = _more_rows(language, comparison, names, key) if key else ()
    return [
        Message(text, rows if number == len(texts) else ()) for number, text in enumerate(texts, 1)
    ]


def compare_org_messages(
    language: str,
    comparison: Comparison,
    code: str,
    bot_username: str | None,
    org_names: Mapping[str, str] | None = None,
) -> list[Message]:
    """One organisation's proposals on the topic with highlighted quotes ("more" of /compare);
    nothing when the organisation no longer proposes anything on it."""
    block = next((block for block in comparison.blocks if block.code == code), None)
    if block is None:
        return []
    topic = clip(comparison.topic, TOPIC_SHOWN, one_line=True)
    head = html(language, "layout.compare_org_header_html", topic=topic)
    body = _block_html(language, block, _name(block, org_names), bot_username, compact=False)
    return [Message(text) for text in pack([head, body], separator="\n")]


def _name(block: OrgBlock, org_names: Mapping[str, str] | None) -> str:
    return clip((org_names or {}).get(block.code, block.name), NAME_SHOWN, one_line=True)


def _lines_html(
    language: str,
    block: OrgBlock,
    name: str,
    bot_username: str | None,
    per_org: int,
    quotes: bool,
) -> str:
    """An organisation's heading and its best proposals, a line each (and a short quote)."""
    lines = [html(language, "compare.org_html", org=name, total=block.total)]
    for item in block.items[:per_org]:
        record = item.record
        label = escape(record.label)
        if bot_username:
            url = actions.deep_link(bot_username, actions.record_payload(record.id))
            label = link(url, label)
        title = bold(clip(record.title, LINE_TITLE_SHOWN, one_line=True))
        lines.append(html(language, "layout.compare_item_html", label="\x00", title="\x01"))
        lines[-1] = lines[-1].replace("\x00", label).replace("\x01", title)
        if quotes:
            lines.append(matched_snippet(language, item, width=QUOTE_WIDTH_COMPACT))
    return "\n".join(lines)


def _more_rows(
    language: str, comparison: Comparison, names: Mapping[str, str], key: str
) -> tuple[tuple[Button, ...], ...]:
    buttons = [
        Button(
            t(language, "layout.compare_more", org=names[block.code], count=block.total),
            actions.compare_more(key, block.code),
        )
        for block in comparison.blocks
    ]
    return tuple(
        tuple(buttons[start : start + MORE_PER_ROW])
        for start in range(0, len(buttons), MORE_PER_ROW)
    )


def _nothing(language: str, topic: str, suggestions: Sequence[str]) -> Message:
    lines = [html(language, "compare.none_html", topic=topic)]
    if suggestions:
        lines.append(escape(t(language, "compare.did_you_mean")))
        lines += [f"/compare {escape(suggestion)}" for suggestion in suggestions[:3]]
    return Message("\n".join(lines))


def _block_html(
    language: str, block: OrgBlock, name: str, bot_username: str | None, compact: bool
) -> str:
    lines = [html(language, "compare.org_html", org=name, total=block.total)]
    width = QUOTE_WIDTH_COMPACT if compact else QUOTE_WIDTH
    for item in block.items:
        record = item.record
        label = escape(record.label)
        if bot_username:
            url = actions.deep_link(bot_username, actions.record_payload(record.id))
            label = link(url, label)
        lines.append(f"• {label} {bold(clip(record.title, TITLE_SHOWN, one_line=True))}")
        lines.append(matched_snippet(language, item, width=width))
    hidden = block.total - len(block.items)
    if hidden > 0:
        lines.append(html(language, "compare.more_html", count=hidden))
    return "\n".join(lines)
