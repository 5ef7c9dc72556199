"""Command line start-up: how long each `python -m bot …` command takes, whole process.

    .venv/bin/python -m bench.cli_startup [--runs 10] [--commands help,show,export,search,stats]
        [--python-args="-X importtime"]

A fresh SQLite store in a temporary directory is ingested once and searched once, which saves the
search index snapshot (neither timed: a replica or an earlier command would have done it); then
each command is run `--runs` times as a subprocess, one after another, with an environment
holding only PATH, DATABASE_URL and LOG_LEVEL. The time is from `subprocess.run` to the
process's exit: interpreter start, imports, settings, opening (and migrating) the store, the
command's own work, exit. The table gives the median, the 99th percentile (with 10 runs: close
to the slowest) and the fastest.

Numbers, not a test: a busy machine only makes them bigger. The target is 1 s or less for
`search`, `show` and `export`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import ROOT, fmt, format_table, percentile

# name → arguments after `python -m bot` ({out}: a file in the temporary directory)
COMMANDS: dict[str, tuple[str, ...]] = {
    "help": ("--help",),
    "show": ("show", "bpa24-6"),
    "export": ("export", "--csv", "-o", "{out}"),
    "search": ("search", "中試"),
    "stats": ("stats",),
}


def environment(directory: Path) -> dict[str, str]:
    """What a command sees: a store of its own, nothing inherited but PATH."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{directory / 'bench.db'}",
        "LOG_LEVEL": "WARNING",
    }


def run_once(args: Sequence[str], env: dict[str, str], python_args: Sequence[str]) -> float:
    """Seconds from start to exit of one `python -m bot ARGS` (a failure stops the benchmark)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *python_args, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace")[-2000:]
        raise SystemExit(f"python -m bot {' '.join(args)} failed ({done.returncode}):\n{message}")
    return elapsed


def main(argv: Sequence[str] | None = None) -> None:
    """Ingest once, time every command, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command (default 10)")
    parser.add_argument("--commands", default=",".join(COMMANDS), help="comma-separated names")
    parser.add_argument("--python-args", default="", help="e.g. '-X importtime'")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.commands.split(",") if name.strip()]
    unknown = [name for name in names if name not in COMMANDS]
    if unknown:
        raise SystemExit(f"unknown commands: {', '.join(unknown)} (known: {', '.join(COMMANDS)})")
    python_args = args.python_args.split()
    rows = []
    with tempfile.TemporaryDirectory(prefix="cli-startup-") as temporary:
        directory = Path(temporary)
        env = environment(directory)
        ingest = run_once(("ingest",), env, ())
        print(f"store ingested once in {ingest:.1f} s (not counted)", file=sys.stderr)
        snapshot = run_once(("search", "人才"), env, ())
        print(f"search index built and saved in {snapshot:.1f} s (not counted)", file=sys.stderr)
        for name in names:
            command = [part.format(out=directory / "export.out") for part in COMMANDS[name]]
            times = [run_once(command, env, python_args) for _ in range(max(1, args.runs))]
            rows.append(
                [
                    name,
                    " ".join(COMMANDS[name]).replace("{out}", "FILE"),
                    fmt(percentile(times, 0.5)),
                    fmt(percentile(times, 0.99)),
                    fmt(min(times)),
                    str(len(times)),
                ]
            )
            print(f"{name}: median {percentile(times, 0.5):.2f} s", file=sys.stderr)
    headers = ["command", "arguments", "median s", "p99 s", "min s", "runs"]
    print(format_table(headers, rows))


if __name__ == "__main__":
    main()
