"""The command line as a user runs it: a fresh SQLite store, ingested on first use."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_URL"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli")
    result = run(path, "ingest")
    assert result.returncode == 0, result.stderr
    assert "bpa24: 148 added" in result.stdout
    return path


def test_ingest_again_skips(store: Path) -> None:
    result = run(store, "ingest")
    assert result.stdout.count("unchanged (skipped)") == 5


def test_search_json(store: Path) -> None:
    result = run(store, "search", "撤銷烈酒稅", "--json")
    answer = json.loads(result.stdout)
    assert {"query", "normalized", "elapsed_ms", "results"} <= set(answer)
    first = answer["results"][0]
    assert first["id"] == "bpa24-6"
    assert {"id", "doc", "org", "title", "text", "areas", "score", "highlights"} <= set(first)


def test_search_echoes_what_was_typed(store: Path) -> None:
    typed = "北部都会区 talent 签证"  # simplified and English: matched as 北部都會區 … 簽證
    first = run(store, "search", *typed.split()).stdout.splitlines()[0]
    assert f"results for {typed!r}" in first
    long = "人才" * 80
    echoed = run(store, "search", long).stdout.splitlines()[0]
    assert "人才" * 40 in echoed and long not in echoed  # clipped, as the bot clips it


def test_search_batch_and_filters(store: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("中試\n足球世界盃賽果\n", encoding="utf-8")
    lines = run(store, "search", "--batch", str(queries)).stdout.splitlines()
    assert len(lines) == 2
    assert json.loads(lines[1])["results"] == []
    only = json.loads(run(store, "search", "中試", "--org", "經民聯", "--json").stdout)
    assert only["results"]
    assert all(result["org"] == "經民聯" for result in only["results"])
    assert run(store, "search", "中試", "--org", "nobody").returncode == 2


def test_show_export_stats(store: Path, tmp_path: Path) -> None:
    shown = json.loads(run(store, "show", "legco24-u").stdout)
    assert shown["label"] == "(u)"
    assert run(store, "show", "nope").returncode == 1
    out = tmp_path / "all.csv"
    assert run(store, "export", "--csv", "-o", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8").count("\n") > 357
    with out.open(encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert not any(row[name].startswith("[") for row in rows for name in ("areas", "refs"))
    assert any("; " in row["areas"] for row in rows)  # a readable list, not JSON
    stats = run(store, "stats").stdout
    assert "total" in stats
    assert "357" in stats


def test_bad_configuration_is_explained(tmp_path: Path) -> None:
    result = run(tmp_path, "stats", env={"ADMIN_IDS": "abc"})
    assert result.returncode == 2
    assert "ADMIN_IDS" in result.stderr
    missing = run(tmp_path, "run")
    assert missing.returncode == 2
    assert "BOT_TOKEN" in missing.stderr


def test_digest_preview(store: Path) -> None:
    assert run(store, "digest", "preview", "--chat", "42").returncode == 1
