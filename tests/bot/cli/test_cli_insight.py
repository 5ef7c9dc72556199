"""`stats` (tables, charts, purge), `compare` and `export --xlsx` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image

from bot.search.normalize import fold_query
from bot.store.db import make_engine, make_sessions
from bot.store.feedback import change_vote, log_open
from bot.store.models import utcnow
from bot.store.query_log import log_query
from tests.bot.cli.test_cli import run, store

__all__ = ["store"]


def _log(store: Path, *entries: tuple[str, int, int]) -> None:
    engine = make_engine(f"sqlite:///{store / 'cli.db'}")
    with make_sessions(engine).begin() as session:
        for text, results, days_ago in entries:
            at = utcnow() - timedelta(days=days_ago)
            log_query(session, text, "private", results, retention_days=90, at=at)
    engine.dispose()


def test_stats_tables_charts_and_purge(store: Path, tmp_path: Path) -> None:
    _log(
        store,
        ("北部都會區", 30, 0),
        ("北部都会区", 30, 1),
        ("火星殖民地", 0, 0),
        ("舊查詢", 3, 200),
    )
    charts = tmp_path / "charts"
    result = run(store, "stats", "--lang", "en", "--chart", str(charts))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "357" in out  # the corpus table comes first
    assert "Most frequent queries" in out and "Queries that found nothing" in out
    top = out.split("Most frequent queries")[1].split("\n\n")[0]
    assert "2" in top.split("北部都")[1].splitlines()[0]  # both scripts counted together
    assert "火星殖民地" in out.split("Queries that found nothing")[1]
    for name in ("activity", "organisations"):
        with Image.open(charts / f"{name}.png") as image:
            assert image.size[0] > 500
    purged = run(store, "stats", "--purge", env={"QUERY_LOG_RETENTION_DAYS": "30"})
    assert purged.returncode == 0, purged.stderr
    assert "1 entries older than 30 days removed" in purged.stdout
    assert "最常見查詢" in purged.stdout  # Chinese by default


def test_compare_text_and_json(store: Path) -> None:
    text = run(store, "compare", "烈酒稅")
    assert text.returncode == 0, text.stderr
    assert "== 經民聯" in text.stdout and "bpa24-6" in text.stdout
    answer = json.loads(run(store, "compare", "北部都會區", "--json", "--per-org", "1").stdout)
    assert answer["topic"] == "北部都會區" and answer["total"] > 0
    assert all(len(org["items"]) == 1 for org in answer["organisations"])
    assert {"org", "code", "total", "items"} <= set(answer["organisations"][0])
    empty = run(store, "compare")
    assert empty.returncode == 2 and "topic" in empty.stderr


def test_export_xlsx_round_trip(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "corpus.xlsx"
    assert run(store, "export", "--xlsx", str(path)).returncode == 0
    csv_rows = list(csv.reader(io.StringIO(run(store, "export", "--csv").stdout)))
    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["recommendations", "sources"]
    rows = [
        ["" if value is None else value for value in row]
        for row in workbook["recommendations"].iter_rows(values_only=True)
    ]
    assert rows[0] == csv_rows[0]
    assert len(rows) == len(csv_rows) == 358
    as_text = [[str(value) for value in row] for row in rows]
    assert as_text[1:] == csv_rows[1:]
    sources = list(workbook["sources"].iter_rows(values_only=True))
    assert sources[0][:3] == ("id", "file", "org") and len(sources) == 6
    workbook.close()


def test_stats_feedback_sections_and_purge(store: Path) -> None:
    engine = make_engine(f"sqlite:///{store / 'cli.db'}")
    now = utcnow()
    with make_sessions(engine).begin() as session:
        log_query(session, "月球基地", "private", 0, retention_days=90, at=now)
        log_open(session, fold_query("月球基地 中試"), "cma24-6", retention_days=90, now=now)
        for vote, days in (("down", 0), ("down", 1), ("up", 40)):
            change_vote(
                session,
                fold_query("月球基地 中試"),
                "cma24-6",
                old=None,
                old_at=None,
                new=vote,  # type: ignore[arg-type]
                retention_days=90,
                now=now - timedelta(days=days),
            )
        log_open(session, "舊查詢", "bpa24-6", retention_days=90, now=now - timedelta(days=40))
    engine.dispose()
    result = run(store, "stats", "--lang", "en")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    down = out.split("Answers voted down most")[1].split("\n\n")[0]
    assert "cma24-6" in down and "2" in down.split("cma24-6")[1]
    disliked = out.split("Queries with the most 👎 and no 👍")[1].split("\n\n")[0]
    assert "月球基地 中試" in disliked  # shown as the corpus writes it
    aliases = out.split("Alias suggestions")[1].split("\n\n")[0]
    [row] = [line for line in aliases.splitlines() if line.startswith("月球")]
    assert "cma24-6" in row and "3" in row.split()[1]  # one empty search + two 👎
    purged = run(store, "stats", "--purge", env={"QUERY_LOG_RETENTION_DAYS": "30"})
    assert purged.returncode == 0, purged.stderr
    assert "answer feedback: 2 rows older than 30 days removed" in purged.stdout
