"""/stats as messages: every insight table as a titled, escaped <pre> block, packed into as few
messages as MESSAGE_LIMIT allows."""

from __future__ import annotations

from bot.admin.insight import Insight, insight_tables
from bot.admin.stats import format_table
from bot.ui.i18n import t
from bot.ui.render import Message, bold, pack, pre


def insight_messages(language: str, insight: Insight) -> list[Message]:
    """The tables in the reader's language (a table with no rows says so)."""
    blocks = []
    for title, rows in insight_tables(language, insight):
        body = format_table(rows)
        if len(rows) == 1:
            body += "\n" + t(language, "insight.none")
        blocks.append(bold(title) + "\n" + pre(body))
    return [Message(text) for text in pack(blocks, separator="\n\n")]
