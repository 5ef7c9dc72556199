"""`stats` (corpus, members, queries; charts) and `compare TOPIC` (who proposed what)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.cli.store import close_store, open_store
from bot.core.config import Settings
from bot.core.languages import DEFAULT_LANGUAGE, LANGUAGES


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's commands to the parser."""
    stats = commands.add_parser("stats", help=cmd_stats.__doc__)
    stats.add_argument("--chart", metavar="DIR", help="write activity.png and organisations.png")
    stats.add_argument(
        "--purge", action="store_true", help="first delete log entries past retention"
    )
    stats.add_argument("--lang", choices=LANGUAGES, default=DEFAULT_LANGUAGE, help="table language")
    stats.set_defaults(handler=cmd_stats)
    parser = commands.add_parser("compare", help=cmd_compare.__doc__)
    parser.add_argument("topic", nargs="*", help="the topic, e.g. 北部都會區")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--per-org", type=int, help="items per organisation (default: as in Telegram)"
    )
    parser.set_defaults(handler=cmd_compare)


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Corpus per source × area, then members, chats, subscriptions and queries (tables);
    --chart DIR also writes the charts as PNG files, --purge applies the query-log retention."""
    from bot.admin.insight import collect, format_insight
    from bot.admin.stats import corpus_table, format_table
    from bot.search import IndexedRecord, SearchIndex
    from bot.search.facts import SourceFacts
    from bot.store.corpus import list_recommendations, list_sources
    from bot.store.feedback import purge_feedback
    from bot.store.query_log import purge_query_log

    sessions = open_store(settings)
    if args.purge:
        days = settings.query_log_retention_days
        with sessions.begin() as session:
            removed = purge_query_log(session, days)
            feedback = purge_feedback(session, days)
        print(f"query log: {removed} entries older than {days} days removed")
        print(f"answer feedback: {feedback} rows older than {days} days removed\n")
    with sessions() as session:
        print(format_table(corpus_table(session)))
        # The vocabulary only (alias suggestions): no sentence vectors, so no model is loaded.
        records = [IndexedRecord.from_row(row) for row in list_recommendations(session)]
        index = SearchIndex.build(records, sources=SourceFacts.of(list_sources(session)))
        insight = collect(session, settings.timezone, index=index)
    print("\n" + format_insight(args.lang, insight))
    if args.chart:
        from bot.admin.charts import insight_charts  # matplotlib only when charts are asked for

        folder = Path(args.chart)
        folder.mkdir(parents=True, exist_ok=True)
        print()
        for chart in insight_charts(args.lang, insight):
            path = folder / f"{chart.name}.png"
            path.write_bytes(chart.png)
            print(f"chart: {path}")
    return 0


def cmd_compare(args: argparse.Namespace, settings: Settings) -> int:
    """One topic, side by side: which organisation proposed what (grouped by organisation)."""
    from bot.search.compare import PER_ORG, compare, comparison_json, describe_comparison

    topic = " ".join(args.topic).strip()
    if not topic:
        print("give a topic, e.g. python -m bot compare 北部都會區", file=sys.stderr)
        return 2
    from bot.search.persist import load_index

    sessions = open_store(settings)
    try:
        index = load_index(sessions)  # the stored snapshot when the corpus is unchanged
    finally:
        close_store(sessions)
    comparison = compare(index, topic, per_org=args.per_org or PER_ORG)
    if args.json:
        print(json.dumps(comparison_json(comparison), ensure_ascii=False, indent=1))
    else:
        print(describe_comparison(comparison))
    return 0
