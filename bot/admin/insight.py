"""Insight for admins: who uses the bot (counts only), what they search for, what finds nothing,
and who proposed how much in which policy area. Telegram-free; the CLI and /stats render it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.admin.feedback_insight import FeedbackInsight, collect_feedback
from bot.admin.stats import format_table
from bot.core.text import clip
from bot.search import SearchIndex
from bot.search.normalize import fold_text
from bot.store.areas import load_areas
from bot.store.corpus import list_recommendations, list_sources, org_code
from bot.store.models import Chat, QueryLogEntry, Subscription, utcnow
from bot.ui.dates import zone_name
from bot.ui.i18n import t
from bot.ui.views import area_name

QUERY_DAYS = 30  # queries per day: the last 30 days
TOP_QUERIES = 15
QUERY_WIDTH = 24  # characters of a query shown in a table


@dataclass(frozen=True)
class QueryCount:
    """A query as members typed it most often, and how often it (or a folded twin) was asked."""

    text: str
    count: int


@dataclass(frozen=True)
class Organisation:
    """An organisation of the corpus (several documents may share one)."""

    code: str  # org code of its source slugs, e.g. cma
    name: str  # short name, e.g. 廠商會
    name_en: str


@dataclass
class Insight:
    """Everything /stats and `python -m bot stats` show."""

    members: int  # private chats that have not blocked the bot
    chats: dict[str, tuple[int, int]]  # chat type → (active, all)
    subscriptions: dict[str, int]  # area id → subscribed active chats (taxonomy order)
    queries_per_day: list[tuple[date, int]]  # the last QUERY_DAYS days, oldest first
    top_queries: list[QueryCount]
    empty_queries: list[QueryCount]  # queries that found nothing
    organisations: list[Organisation]
    per_org_area: dict[tuple[str, str], int] = field(default_factory=dict)  # (org, area) → count
    zone: str = "UTC"  # the zone the days are counted in, as an admin reads it (HKT)
    feedback: FeedbackInsight | None = None  # 👍/👎 and alias suggestions (needs the index)

    @property
    def total_queries(self) -> int:
        """Queries in the queries-per-day window."""
        return sum(count for _, count in self.queries_per_day)


def collect(
    session: Session,
    zone: ZoneInfo,
    now: datetime | None = None,
    index: SearchIndex | None = None,
) -> Insight:
    """Read the store once and compute every figure (with `index`, the search's vocabulary, also
    the feedback tables and alias suggestions)."""
    now = now or utcnow()
    organisations, per_org_area = _corpus_matrix(session)
    since = now - timedelta(days=QUERY_DAYS + 1)
    entries = _recent_queries(session, since)
    return Insight(
        members=_members(session),
        chats=_chats(session),
        subscriptions=_subscriptions(session),
        queries_per_day=_per_day(entries, zone, now),
        top_queries=top_queries(entries),
        empty_queries=top_queries([entry for entry in entries if entry[2] == 0]),
        organisations=organisations,
        per_org_area=per_org_area,
        zone=zone_name(now.astimezone(zone)),
        feedback=collect_feedback(session, since, index) if index is not None else None,
    )


def _members(session: Session) -> int:
    query = select(func.count()).where(Chat.type == "private", Chat.active.is_(True))
    return int(session.scalar(query.select_from(Chat)) or 0)


def _chats(session: Session) -> dict[str, tuple[int, int]]:
    rows = session.execute(
        select(Chat.type, Chat.active, func.count()).group_by(Chat.type, Chat.active)
    )
    active: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for chat_type, is_active, count in rows:
        total[chat_type] += count
        if is_active:
            active[chat_type] += count
    return {chat_type: (active[chat_type], total[chat_type]) for chat_type in sorted(total)}


def _subscriptions(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Subscription.area, func.count())
        .join(Chat, Chat.id == Subscription.chat_id)
        .where(Chat.active.is_(True))
        .group_by(Subscription.area)
    )
    counts = {area: count for area, count in rows}
    return {area.id: int(counts.get(area.id, 0)) for area in load_areas()}


def _recent_queries(session: Session, since: datetime) -> list[tuple[datetime, str, int]]:
    rows = session.execute(
        select(QueryLogEntry.at, QueryLogEntry.text, QueryLogEntry.results).where(
            QueryLogEntry.at >= since
        )
    )
    return [(at, text, results) for at, text, results in rows]


def _per_day(
    entries: list[tuple[datetime, str, int]], zone: ZoneInfo, now: datetime
) -> list[tuple[date, int]]:
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=offset) for offset in range(QUERY_DAYS - 1, -1, -1)]
    counts = Counter(at.astimezone(zone).date() for at, _, _ in entries)
    return [(day, counts[day]) for day in days]


def query_key(text: str) -> str:
    """Queries that differ only in script, width, case or spacing count as one
    (北部都會區 = 北部都会区 = 北部都會區 with spaces)."""
    return "".join(fold_text(text).split())


def top_queries(
    entries: list[tuple[datetime, str, int]], limit: int = TOP_QUERIES
) -> list[QueryCount]:
    """The most asked queries, folded; each shown in the form typed most often."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for _, text, _ in entries:
        key = query_key(text)
        if key:
            counts[key] += 1
            spellings[key][text] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [QueryCount(spellings[key].most_common(1)[0][0], count) for key, count in ranked]


def _corpus_matrix(session: Session) -> tuple[list[Organisation], dict[tuple[str, str], int]]:
    organisations: dict[str, Organisation] = {}
    for source in list_sources(session):
        code = org_code(source.id)
        organisations.setdefault(code, Organisation(code, source.org_short, source.org_short_en))
    matrix = Counter(
        (org_code(record.source_id), record.primary_area)
        for record in list_recommendations(session)
    )
    return list(organisations.values()), dict(matrix)


def org_label(language: str, organisation: Organisation) -> str:
    """An organisation's short name in the reader's language."""
    return organisation.name_en if language == "en" else organisation.name


def insight_tables(language: str, insight: Insight) -> list[tuple[str, list[list[str]]]]:
    """The figures as titled tables (header row first), in the reader's language."""
    tables: list[tuple[str, list[list[str]]]] = []
    head = [
        t(language, "insight.col_type"),
        t(language, "insight.col_active"),
        t(language, "insight.col_all"),
    ]
    chat_rows = [
        [chat_type, str(active), str(total)] for chat_type, (active, total) in insight.chats.items()
    ]
    tables.append((t(language, "insight.chats_title", members=insight.members), [head, *chat_rows]))
    sub_rows = [
        [area_name(language, area), str(count)] for area, count in insight.subscriptions.items()
    ]
    tables.append(
        (
            t(language, "insight.subscriptions_title"),
            [[t(language, "insight.col_area"), t(language, "insight.col_chats")], *sub_rows],
        )
    )
    day_rows = [[day.isoformat(), str(count)] for day, count in insight.queries_per_day if count]
    tables.append(
        (
            t(language, "insight.per_day_title", count=QUERY_DAYS, total=insight.total_queries),
            [[_day_column(language, insight.zone), t(language, "insight.col_queries")], *day_rows],
        )
    )
    for key, counts in (
        ("insight.top_title", insight.top_queries),
        ("insight.empty_title", insight.empty_queries),
    ):
        rows = [[clip(item.text, QUERY_WIDTH, one_line=True), str(item.count)] for item in counts]
        header = [t(language, "insight.col_query"), t(language, "insight.col_count")]
        tables.append((t(language, key, count=QUERY_DAYS), [header, *rows]))
    if insight.feedback is not None:
        tables += feedback_tables(language, insight.feedback)
    tables.append((t(language, "insight.matrix_title"), matrix_rows(language, insight)))
    return tables


def feedback_tables(language: str, feedback: FeedbackInsight) -> list[tuple[str, list[list[str]]]]:
    """Answers voted down most, queries with 👎 and no 👍, alias suggestions."""
    down, up = t(language, "insight.col_down"), t(language, "insight.col_up")
    answers = [
        [
            f"{item.record_id} {clip(item.title, QUERY_WIDTH, one_line=True)}",
            str(item.down),
            str(item.up),
        ]
        for item in feedback.voted_down
    ]
    queries = [
        [clip(item.query, QUERY_WIDTH, one_line=True), str(item.down)]
        for item in feedback.disliked_queries
    ]
    aliases = [
        [
            clip(item.word, QUERY_WIDTH, one_line=True),
            str(item.queries),
            " ".join(item.opened) or "-",
            clip("、".join(item.candidates), QUERY_WIDTH, one_line=True) or "-",
        ]
        for item in feedback.aliases
    ]
    return [
        (
            t(language, "insight.down_title", count=QUERY_DAYS),
            [[t(language, "insight.col_record"), down, up], *answers],
        ),
        (
            t(language, "insight.disliked_title", count=QUERY_DAYS),
            [[t(language, "insight.col_query"), down], *queries],
        ),
        (
            t(language, "insight.aliases_title"),
            [
                [
                    t(language, "insight.col_word"),
                    t(language, "insight.col_count"),
                    t(language, "insight.col_opened"),
                    t(language, "insight.col_candidates"),
                ],
                *aliases,
            ],
        ),
    ]


def matrix_rows(language: str, insight: Insight) -> list[list[str]]:
    """Recommendations per area (rows) × organisation (columns), primary areas."""
    orgs = insight.organisations
    header = [t(language, "insight.col_area"), *(org_label(language, org) for org in orgs)]
    rows = [header]
    for area in load_areas():
        counts = [insight.per_org_area.get((org.code, area.id), 0) for org in orgs]
        rows.append([area_name(language, area.id), *(str(count) for count in counts)])
    return rows


def format_insight(language: str, insight: Insight) -> str:
    """Every table as aligned plain text (for a terminal)."""
    blocks = []
    for title, rows in insight_tables(language, insight):
        body = (
            format_table(rows)
            if len(rows) > 1
            else format_table(rows) + "\n" + t(language, "insight.none")
        )
        blocks.append(f"{title}\n{body}")
    return "\n\n".join(blocks)


def _day_column(language: str, zone: str) -> str:
    """The day column's header with the zone the days are counted in: "day (HKT)"."""
    return t(language, "dates.column", name=t(language, "insight.col_day"), zone=zone)
