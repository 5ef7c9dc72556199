"""Command line: `python -m bot <command>`. The composition root: settings are loaded here once and
passed down; Telegram code (handlers/) is imported lazily, only by the commands that need it.

One module per group of commands, each with a `register(commands)` that adds its parsers. A
command imports the heavy parts it needs (the search engine, charts, python-telegram-bot) inside
its own function, so `python -m bot show …` does not pay for the search engine or Telegram."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.cli import corpus, digest, insight, search, serve
from bot.core.config import ConfigError, load_settings
from bot.core.log import setup_logging

log = logging.getLogger(__name__)

GROUPS = (corpus, insight, serve, digest, search)  # in the order `--help` lists them


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    return parser


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
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except Exception as error:  # logged, so that its traceback passes through the redaction
        if _is_manifest_error(error):
            print(error, file=sys.stderr)
            return 2
        log.exception("python -m bot %s failed", args.command)
        return 1


def _is_manifest_error(error: Exception) -> bool:
    """A broken data/sources/manifest.yaml: told in one line, like a configuration error."""
    from bot.ingest.sources import ManifestError  # the ingest package only when it failed

    return isinstance(error, ManifestError)
