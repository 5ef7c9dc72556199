"""Commands on the corpus: `migrate`, `ingest` (the bundle, or a new document), `export`, `show`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.store import close_store, open_store
from bot.core.config import Settings

if TYPE_CHECKING:
    from bot.ingest.pipeline import IngestReport


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's commands to the parser."""
    commands.add_parser("migrate", help=cmd_migrate.__doc__).set_defaults(handler=cmd_migrate)
    ingest = commands.add_parser("ingest", help=cmd_ingest.__doc__)
    ingest.add_argument("paths", nargs="*", metavar="PATH", help="source files to ingest")
    add_new_document_arguments(ingest)
    ingest.set_defaults(handler=cmd_ingest)
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


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Apply database migrations."""
    open_store(settings, ensure_corpus=False)
    print("database schema is up to date")
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest the given source files (default: every document in data/sources); with --org,
    --title and --date, add a new PDF/DOCX/TXT document (see `add_document`)."""
    from bot.ingest.pipeline import ingest, select_documents

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


def add_document(args: argparse.Namespace, settings: Settings, directory: Path | None) -> int:
    """`ingest FILE --org … --title … --date …`: extract, check, then (unless --dry-run) add
    the text, its manifest entry and a new organisation to data/sources/ and ingest it."""
    from bot.ingest.extract import ExtractError
    from bot.ingest.imports import ImportMeta, ImportProblem, add_to_bundle, plan
    from bot.ingest.pipeline import ManifestError, ingest, select_documents

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
    sessions = open_store(settings, ensure_corpus=False)  # a store that fails writes nothing
    try:
        document = add_to_bundle(the_plan, directory)
    except ImportProblem as error:
        print(f"{path.name}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"cannot write to {error.filename}: {error.strerror or error}", file=sys.stderr)
        return 2
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
    from bot.admin.export import write_csv, write_json, write_xlsx
    from bot.store.corpus import list_recommendations, list_sources

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
    from bot.admin.export import record_dict
    from bot.store.corpus import get_recommendation

    sessions = open_store(settings)
    with sessions() as session:
        record = get_recommendation(session, args.id)
        if record is None:
            print(f"no recommendation with ID {args.id!r}", file=sys.stderr)
            return 1
        print(json.dumps(record_dict(record), ensure_ascii=False, indent=2))
    return 0
