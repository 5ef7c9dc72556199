"""`search QUERY` (or `--batch FILE`), as the bot searches, printed or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.store import close_store, open_store
from bot.core.config import Settings
from bot.core.filters import Filters

if TYPE_CHECKING:
    from bot.search import SearchIndex


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    """Search the corpus (one query, or --batch FILE with one query per line → JSON lines)."""
    from bot.search import search
    from bot.search.persist import load_index
    from bot.search.present import describe_results, results_json

    sessions = open_store(settings)
    try:
        index = load_index(sessions)  # the stored snapshot when the corpus is unchanged
    finally:
        close_store(sessions)
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
    from bot.search.query import resolve_filter

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
