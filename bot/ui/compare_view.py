"""/compare as messages: one block per organisation with its best proposals (label linking to the
full text, heading, highlighted quote), packed into as few messages as MESSAGE_LIMIT allows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.text import clip
from bot.search.compare import Comparison, OrgBlock
from bot.ui import actions
from bot.ui.i18n import html, t
from bot.ui.render import Message, bold, escape, link, pack, snippet

TOPIC_SHOWN = 80  # UTF-16 units of the topic repeated in headings
TITLE_SHOWN = 90
NAME_SHOWN = 80
QUOTE_WIDTH = 110
QUOTE_WIDTH_COMPACT = 60


def compare_usage(language: str) -> Message:
    """/compare without a topic."""
    return Message(html(language, "compare.usage_html"))


def compare_messages(
    language: str,
    comparison: Comparison,
    bot_username: str | None,
    org_names: Mapping[str, str] | None = None,
    compact: bool = False,
) -> list[Message]:
    """The comparison in the reader's language; `org_names` maps org codes to the names to show
    (English names for English readers), else the documents' own short names."""
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
    blocks = [header]
    for block in comparison.blocks:
        name = clip((org_names or {}).get(block.code, block.name), NAME_SHOWN, one_line=True)
        blocks.append(_block_html(language, block, name, bot_username, compact))
    return [Message(text) for text in pack(blocks, separator="\n\n")]


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
        spans = [(h.start, h.end) for h in item.highlights if h.field == "text"]
        lines.append(snippet(record.text, spans, width=width))
    hidden = block.total - len(block.items)
    if hidden > 0:
        lines.append(html(language, "compare.more_html", count=hidden))
    return "\n".join(lines)
