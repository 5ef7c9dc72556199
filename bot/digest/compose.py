"""Compose a chat's digest: per followed topic, then per subscribed area, first what was added or
changed since its last digest, then a few it has not seen yet, so that over time it sees the whole
area or topic, never twice. A proposal matching a topic and an area appears once, under the topic.
The topics' matches are searched once per run for every chat (bot.search.topics.match_topics)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.text import clip
from bot.store.corpus import list_recommendations
from bot.store.models import Recommendation, SentItem
from bot.store.subscriptions import areas_of
from bot.store.topics import Topic, topics_of
from bot.ui import actions
from bot.ui.i18n import html, t
from bot.ui.render import Message, escape, link, pack, snippet
from bot.ui.views import NAME_SHOWN, TITLE_SHOWN, area_name, source_short_name

PER_AREA = 5
PER_TOPIC = 5
TOPIC_SHOWN = 60  # UTF-16 units of a topic's text in its section heading
SNIPPET_WIDTH = 80  # about two lines on a phone


@dataclass(frozen=True)
class Digest:
    """The messages of one digest and the recommendations it carries."""

    messages: list[Message]
    record_ids: list[str]


def pick(
    records: Sequence[Recommendation],
    areas: Sequence[str],
    sent: dict[str, datetime],
    since: datetime | None,
    per_area: int = PER_AREA,
    taken: set[str] | None = None,
    by_area: Mapping[str, Sequence[Recommendation]] | None = None,
) -> dict[str, list[tuple[Recommendation, bool]]]:
    """Per area, up to `per_area` records: changed since `since` first (marked new), then unsent
    ones in document order. A record already sent unchanged is never picked again, nor one in
    `taken` (already shown under a topic). `by_area`: `records` grouped by area (`group_by_area`,
    built once per run), else each area scans every record."""
    chosen: dict[str, list[tuple[Recommendation, bool]]] = {}
    taken = set(taken or ())
    for area in areas:
        pool = by_area.get(area, ()) if by_area is not None else records
        in_area = [r for r in pool if area in r.areas and r.id not in taken]
        fresh = [
            r
            for r in in_area
            if since is not None and r.last_changed > since and _changed_since_sent(r, sent)
        ]
        unseen = [r for r in in_area if r.id not in sent and r not in fresh]
        picked = [(r, True) for r in fresh][:per_area]
        picked += [(r, False) for r in unseen][: per_area - len(picked)]
        if picked:
            chosen[area] = picked
            taken.update(r.id for r, _ in picked)
    return chosen


def group_by_area(records: Sequence[Recommendation]) -> dict[str, list[Recommendation]]:
    """Records per area they belong to, each in document order."""
    grouped: dict[str, list[Recommendation]] = {}
    for record in records:
        for area in record.areas:
            grouped.setdefault(area, []).append(record)
    return grouped


def pick_topics(
    by_id: Mapping[str, Recommendation],
    topics: Sequence[Topic],
    matches: Mapping[str, Sequence[str]],
    sent: dict[str, datetime],
    since: datetime | None,
    per_topic: int = PER_TOPIC,
) -> list[tuple[Topic, list[tuple[Recommendation, bool]]]]:
    """Per topic (in the order followed), up to `per_topic` of its matches: changed since `since`
    first (marked new), then unsent ones, best match first; never one already picked."""
    chosen: list[tuple[Topic, list[tuple[Recommendation, bool]]]] = []
    taken: set[str] = set()
    for topic in topics:
        matched = [
            by_id[record_id]
            for record_id in matches.get(topic.folded, ())
            if record_id in by_id and record_id not in taken
        ]
        fresh = [
            r
            for r in matched
            if since is not None and r.last_changed > since and _changed_since_sent(r, sent)
        ]
        unseen = [r for r in matched if r.id not in sent and r not in fresh]
        picked = [(r, True) for r in fresh][:per_topic]
        picked += [(r, False) for r in unseen][: per_topic - len(picked)]
        if picked:
            chosen.append((topic, picked))
            taken.update(r.id for r, _ in picked)
    return chosen


def _changed_since_sent(record: Recommendation, sent: dict[str, datetime]) -> bool:
    return record.id not in sent or record.last_changed > sent[record.id]


@dataclass
class RunData:
    """What every digest of one run shares, computed once: the records (by id and by area), each
    followed topic's matches (by folded key), the due chats' topics (None: each chat's read when
    composing) and every entry already rendered (many chats get the same proposals)."""

    records: Sequence[Recommendation]
    matches: Mapping[str, Sequence[str]] = field(default_factory=dict)
    topics: dict[int, list[Topic]] | None = None
    by_id: dict[str, Recommendation] = field(init=False)
    by_area: dict[str, list[Recommendation]] = field(init=False)
    entries: dict[tuple[str, str, bool, str | None], str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {record.id: record for record in self.records}
        self.by_area = group_by_area(self.records)
        self.entries = {}

    def entry(
        self, language: str, record: Recommendation, new: bool, bot_username: str | None
    ) -> str:
        """One proposal's lines, rendered once per run."""
        key = (language, record.id, new, bot_username)
        found = self.entries.get(key)
        if found is None:
            found = self.entries[key] = _entry(language, record, new, bot_username)
        return found


def compose(
    session: Session,
    chat_id: int,
    language: str,
    heading: str,
    since: datetime | None,
    bot_username: str | None,
    records: Sequence[Recommendation] | None = None,
    run: RunData | None = None,
) -> Digest | None:
    """The chat's next digest, or None when there is nothing to say; `heading` names its period
    as the reader reads it (e.g. "2–8 Dec"). `run`: what the run's digests share, with the
    followed topics' matches (without it, `records` or the store's, and no topic sections)."""
    areas = areas_of(session, chat_id)
    if run is None:
        topics: Sequence[Topic] = []
        run = RunData(records if records is not None else list_recommendations(session))
    elif run.topics is not None:
        topics = run.topics.get(chat_id, [])
    else:
        topics = topics_of(session, chat_id)
    if not areas and not topics:
        return None
    sent = {
        item.recommendation_id: item.sent_at
        for item in session.scalars(select(SentItem).where(SentItem.chat_id == chat_id))
    }
    by_topic = pick_topics(run.by_id, topics, run.matches, sent, since) if topics else []
    shown = {record.id for _, entries in by_topic for record, _ in entries}
    chosen = (
        pick(run.records, areas, sent, since, taken=shown, by_area=run.by_area) if areas else {}
    )
    if not chosen and not by_topic:
        return None
    blocks = [html(language, "digest.title_html", period=heading)]
    for topic, entries in by_topic:
        name = clip(topic.text, TOPIC_SHOWN, one_line=True)
        blocks.append("\n" + html(language, "digest.topic_html", topic=name))
        blocks += [run.entry(language, record, new, bot_username) for record, new in entries]
    for area, entries in chosen.items():
        blocks.append("\n" + html(language, "digest.area_html", area=area_name(language, area)))
        blocks += [run.entry(language, record, new, bot_username) for record, new in entries]
    blocks.append("\n" + html(language, "digest.footer_html"))
    messages = [Message(text) for text in pack(blocks)]
    ids = [record.id for _, entries in by_topic for record, _ in entries]
    ids += [record.id for entries in chosen.values() for record, _ in entries]
    return Digest(messages, ids)


def _entry(language: str, record: Recommendation, new: bool, bot_username: str | None) -> str:
    title = escape(clip(record.title, TITLE_SHOWN, one_line=True))
    if bot_username:
        url = actions.deep_link(bot_username, actions.record_payload(record.id))
        title = link(url, title)
    else:
        title += f" /rec {escape(record.id)}"
    mark = t(language, "digest.new") + " " if new else ""
    org = clip(source_short_name(language, record.source), NAME_SHOWN, one_line=True)
    head = html(language, "digest.entry_html", mark=mark, org=org, title="\x00")
    return head.replace("\x00", title) + "\n" + snippet(record.text, (), width=SNIPPET_WIDTH)
