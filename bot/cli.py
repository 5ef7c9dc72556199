"""Command line: `python -m bot <command>`. The composition root: settings are loaded here once and
passed down; Telegram code (handlers/) is imported lazily, only by the commands that need it."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.admin.charts import insight_charts
from bot.admin.export import record_dict, write_csv, write_json, write_xlsx
from bot.admin.insight import collect, format_insight
from bot.admin.stats import corpus_table, format_table
from bot.core.config import ConfigError, Settings, load_settings
from bot.core.log import setup_logging
from bot.core.schedule import period_of
from bot.digest.compose import compose
from bot.digest.deliver import DeliveryOptions, DeliveryReport, send_due
from bot.ingest.pipeline import IngestReport, ManifestError, ingest, select_documents
from bot.search import Filters, SearchIndex, search
from bot.search.compare import PER_ORG, compare, comparison_json, describe_comparison
from bot.search.present import describe_results, results_json
from bot.search.query import resolve_filter
from bot.store.chats import chat_language
from bot.store.corpus import get_recommendation, list_recommendations, list_sources
from bot.store.db import SessionFactory, make_engine, make_sessions, migrate
from bot.store.models import DigestSchedule, Source
from bot.store.query_log import purge_query_log
from bot.ui.i18n import DEFAULT_LANGUAGE, LANGUAGES, pick_language
from bot.ui.render import plain_of

log = logging.getLogger(__name__)


def open_store(settings: Settings, *, ensure_corpus: bool = True) -> SessionFactory:
    """Connect, migrate to the latest schema, and ingest data/ on first use."""
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    migrate(engine)
    sessions = make_sessions(engine)
    if ensure_corpus:
        with sessions() as session:
            empty = session.scalars(select(Source.id).limit(1)).first() is None
        if empty:
            log.info("empty store: ingesting the bundled sources")
            ingest(sessions)
    return sessions


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply database migrations."""
    open_store(settings, ensure_corpus=False)
    print("database schema is up to date")
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest the given source files (default: every document in data/sources); with --org,
    --title and --date, add a new PDF/DOCX/TXT document (see `add_document`)."""
    directory = Path(args.sources) if args.sources else None
    if args.org or args.title or args.date or args.dry_run:
        return add_document(args, settings, directory)
    sessions = open_store(settings, ensure_corpus=False)
    paths = [Path(path) for path in args.paths]
    try:
        report = ingest(sessions, select_documents(paths, directory))
    finally:
        close_store(sessions)
    print(describe_ingest(report))
    return 0


def close_store(sessions: SessionFactory) -> None:
    """Release the connection pool of a one-shot command (in-process callers, e.g. tests)."""
    engine = sessions.kw.get("bind")
    if engine is not None:
        engine.dispose()


def add_document(args: argparse.Namespace, settings: Settings, directory: Path | None) -> int:
    """`ingest FILE --org … --title … --date …`: extract, check, then (unless --dry-run) add
    the text, its manifest entry and a new organisation to data/sources/ and ingest it."""
    from bot.ingest.extract import ExtractError
    from bot.ingest.imports import ImportMeta, ImportProblem, add_to_bundle, plan

    if len(args.paths) != 1:
        print("give exactly one FILE to add (a .pdf, .docx or .txt)", file=sys.stderr)
        return 2
    missing = [f"--{name}" for name in ("org", "title", "date") if not getattr(args, name)]
    if missing:
        print(f"a new document needs {', '.join(missing)}", file=sys.stderr)
        return 2
    path = Path(args.paths[0])
    meta = ImportMeta(
        org=args.org, title=args.title, date=args.date, kind=args.kind, slug=args.slug,
        org_short=args.org_short, org_en=args.org_en, org_short_en=args.org_short_en,
        title_en=args.title_en,
    )  # fmt: skip
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    try:
        the_plan = plan(data, path.name, meta, directory)
    except (ExtractError, ImportProblem, ManifestError) as error:
        print(f"{path.name}: {error}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(the_plan.describe())
        return 0
    listed = any(doc.slug == the_plan.document.slug for doc in select_documents((), directory))
    document = add_to_bundle(the_plan, directory)
    sessions = open_store(settings, ensure_corpus=False)
    done = "replaced the text of" if listed else "added"
    print(f"{done} {document.path.name} ({document.slug}) in data/sources/manifest.yaml")
    try:
        print(describe_ingest(ingest(sessions, [document])))
    finally:
        close_store(sessions)
    return 0


def describe_ingest(report: IngestReport) -> str:
    """One line per source: what changed."""
    lines = []
    for source in report.sources:
        if source.skipped:
            lines.append(f"{source.slug}: unchanged (skipped)")
            continue
        lines.append(
            f"{source.slug}: {len(source.added)} added, {len(source.updated)} updated, "
            f"{len(source.withdrawn)} withdrawn, {source.unchanged} unchanged"
        )
    return "\n".join(lines)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write every recommendation as JSON (default), CSV or an Excel workbook (--xlsx FILE)."""
    sessions = open_store(settings)
    with sessions() as session:
        records = list_recommendations(session, include_withdrawn=args.include_withdrawn)
        if args.xlsx:
            write_xlsx(records, list_sources(session), Path(args.xlsx))
            return 0
        writer = write_csv if args.csv else write_json
        if args.output:
            with Path(args.output).open("w", encoding="utf-8", newline="") as out:
                writer(records, out)
        else:
            writer(records, sys.stdout)
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print one recommendation by ID."""
    sessions = open_store(settings)
    with sessions() as session:
        record = get_recommendation(session, args.id)
        if record is None:
            print(f"no recommendation with ID {args.id!r}", file=sys.stderr)
            return 1
        print(json.dumps(record_dict(record), ensure_ascii=False, indent=2))
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot with long polling (deletes any webhook first)."""
    token_check = settings.require_token()
    del token_check
    sessions = open_store(settings)
    from handlers.app import ALLOWED_UPDATES, build_application  # Telegram only when needed

    application = build_application(settings, sessions)
    application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


def cmd_webhook(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot behind a webhook on $PORT (with /healthz), registered at WEBHOOK_URL."""
    settings.require_token()
    if not settings.webhook_url:
        raise ConfigError("WEBHOOK_URL is not set: set it to the public https:// URL of this app")
    sessions = open_store(settings)
    from handlers.app import build_application  # Telegram only when needed
    from handlers.webhook import serve

    asyncio.run(serve(build_application(settings, sessions, polling=False), settings))
    return 0


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    """Digests: `preview --chat ID` renders the next one; `send-due [--force]` sends and exits."""
    sessions = open_store(settings)
    if args.digest_command == "preview":
        return _preview_digest(sessions, settings, args.chat)
    settings.require_token()
    report = asyncio.run(_send_due(sessions, settings, args.force))
    print(
        " ".join(f"{name}={count}" for name, count in sorted(report.counts.items()))
        or "nothing due"
    )
    return 0


def _preview_digest(sessions: SessionFactory, settings: Settings, chat_id: int) -> int:
    with sessions() as session:
        schedule = session.get(DigestSchedule, chat_id)
        if schedule is None:
            print(f"chat {chat_id} has no digest schedule (no subscriptions)", file=sys.stderr)
            return 1
        language = pick_language(chat_language(session, chat_id), None)
        period = period_of(schedule.frequency, schedule.next_due, settings.timezone)
        since = schedule.last_sent_at or schedule.created_at
        digest = compose(session, chat_id, language, period, since, None)
    if digest is None:
        print("nothing to send: no new or unsent recommendations in the subscribed areas")
        return 0
    for message in digest.messages:
        print(plain_of(message.html))
    return 0


async def _send_due(sessions: SessionFactory, settings: Settings, force: bool) -> DeliveryReport:
    from handlers.app import build_application  # Telegram only when needed
    from handlers.telegram_sender import TelegramSender

    application = build_application(settings, sessions)
    stop = asyncio.Event()  # SIGTERM / SIGINT: finish the chat in flight, record it, exit
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with application:
        me = await application.bot.get_me()
        options = DeliveryOptions(
            zone=settings.timezone,
            bot_username=me.username,
            force=force,
            grace=timedelta(hours=settings.digest_grace_hours),
        )
        sender = TelegramSender(application.bot)
        return await send_due(sessions, sender, options, should_stop=stop.is_set)


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Corpus per source × area, then members, chats, subscriptions and queries (tables);
    --chart DIR also writes the charts as PNG files, --purge applies the query-log retention."""
    sessions = open_store(settings)
    if args.purge:
        days = settings.query_log_retention_days
        with sessions.begin() as session:
            removed = purge_query_log(session, days)
        print(f"query log: {removed} entries older than {days} days removed\n")
    with sessions() as session:
        print(format_table(corpus_table(session)))
        insight = collect(session, settings.timezone)
    print("\n" + format_insight(args.lang, insight))
    if args.chart:
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
    topic = " ".join(args.topic).strip()
    if not topic:
        print("give a topic, e.g. python -m bot compare 北部都會區", file=sys.stderr)
        return 2
    sessions = open_store(settings)
    with sessions() as session:
        index = SearchIndex.load(session)
    comparison = compare(index, topic, per_org=args.per_org)
    if args.json:
        print(json.dumps(comparison_json(comparison), ensure_ascii=False, indent=1))
    else:
        print(describe_comparison(comparison))
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    """Search the corpus (one query, or --batch FILE with one query per line → JSON lines)."""
    sessions = open_store(settings)
    with sessions() as session:
        index = SearchIndex.load(session)
    filters = cli_filters(args, index)
    if filters is None:
        return 2
    if args.batch:
        lines = Path(args.batch).read_text(encoding="utf-8").splitlines()
        for line in lines:
            answer = search(index, line, limit=args.limit, filters=filters)
            print(json.dumps(results_json(answer), ensure_ascii=False))
        return 0
    answer = search(index, " ".join(args.query), limit=args.limit, filters=filters)
    if args.json:
        print(json.dumps(results_json(answer), ensure_ascii=False, indent=1))
    else:
        print(describe_results(answer))
    return 0


def cli_filters(args: argparse.Namespace, index: SearchIndex) -> Filters | None:
    """--org / --area / --source / --year as Filters (None, after a message, if one is unknown)."""
    filters = Filters()
    for kind in ("org", "area", "source", "year"):
        value = getattr(args, kind)
        if value is None:
            continue
        resolved = resolve_filter(kind, str(value), index.lexicon)
        if resolved is None:
            print(f"unknown {kind}: {value}", file=sys.stderr)
            return None
        filters = filters.merge(resolved)
    return filters


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("migrate", help=cmd_migrate.__doc__).set_defaults(handler=cmd_migrate)
    ingest_parser = commands.add_parser("ingest", help=cmd_ingest.__doc__)
    ingest_parser.add_argument("paths", nargs="*", metavar="PATH", help="source files to ingest")
    add_new_document_arguments(ingest_parser)
    ingest_parser.set_defaults(handler=cmd_ingest)
    export = commands.add_parser("export", help=cmd_export.__doc__)
    form = export.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="JSON array (default)")
    form.add_argument("--csv", action="store_true", help="CSV with a header row")
    form.add_argument("--xlsx", metavar="FILE", help="Excel workbook: recommendations + sources")
    export.add_argument("-o", "--output", help="write to this file instead of standard output")
    export.add_argument("--include-withdrawn", action="store_true")
    export.set_defaults(handler=cmd_export)
    show = commands.add_parser("show", help=cmd_show.__doc__)
    show.add_argument("id", help="recommendation ID, e.g. bpa24-148")
    show.set_defaults(handler=cmd_show)
    add_insight_parsers(commands)
    commands.add_parser("run", help=cmd_run.__doc__).set_defaults(handler=cmd_run)
    commands.add_parser("webhook", help=cmd_webhook.__doc__).set_defaults(handler=cmd_webhook)
    digest = commands.add_parser("digest", help=cmd_digest.__doc__)
    digest_commands = digest.add_subparsers(dest="digest_command", required=True)
    preview = digest_commands.add_parser("preview", help="print a chat's next digest")
    preview.add_argument("--chat", type=int, required=True, help="Telegram chat id")
    send = digest_commands.add_parser("send-due", help="send every due digest, then exit")
    send.add_argument(
        "--force",
        action="store_true",
        help="every active subscription is due now for its current period (never resends one "
        "recorded as sent for that period)",
    )
    digest.set_defaults(handler=cmd_digest)
    add_search_parser(commands)
    return parser


def add_insight_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`stats [--chart DIR] [--purge] [--lang L]` and `compare TOPIC [--json] [--per-org N]`."""
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
    parser.add_argument("--per-org", type=int, default=PER_ORG, help="items per organisation")
    parser.set_defaults(handler=cmd_compare)


def add_new_document_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `ingest FILE --org … --title … --date …` (a new PDF/DOCX/TXT document)."""
    new = parser.add_argument_group("adding a new document (FILE: .pdf, .docx or .txt)")
    new.add_argument("--org", help="organisation: any of its names, or a new one's full name")
    new.add_argument("--title", help="the document's title, as printed")
    new.add_argument("--date", help="YYYY, YYYY-MM or YYYY-MM-DD")
    new.add_argument("--kind", default="submission", help="e.g. policy-address-submission")
    new.add_argument("--slug", help="ID prefix of its records (default: from the org and year)")
    new.add_argument("--org-short", help="a new organisation's short name, e.g. 工總")
    new.add_argument("--org-en", help="a new organisation's English name (required for one)")
    new.add_argument("--org-short-en", help="a new organisation's English short name")
    new.add_argument("--title-en", help="the title in English")
    new.add_argument(
        "--dry-run", action="store_true", help="print the tree it would create; write nothing"
    )
    new.add_argument("--sources", help=argparse.SUPPRESS)  # tests: another data/sources/


def add_search_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`search QUERY [--limit N] [--org X] [--area Y] [--source S] [--year Y] [--json]`."""
    parser = commands.add_parser("search", help=cmd_search.__doc__)
    parser.add_argument("query", nargs="*", help="words to search for")
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--org", help="organisation, e.g. 經民聯 or BPA")
    parser.add_argument("--area", help="policy area id or name, e.g. innotech or 創科")
    parser.add_argument("--source", help="document slug, e.g. bpa24")
    parser.add_argument("--year", type=int)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--batch", metavar="FILE", help="one query per line; JSON lines out")
    parser.set_defaults(handler=cmd_search)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse arguments, load settings once, run the command."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    setup_logging(settings.log_level, secrets=[token])
    try:
        return int(args.handler(args, settings))
    except (ConfigError, ManifestError) as error:
        print(error, file=sys.stderr)
        return 2
