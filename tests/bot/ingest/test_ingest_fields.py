"""Every field describing a new document is checked before anything is written: a control
character or non-character in a name (which YAML cannot store, so the manifest would no longer
read back and every later start would fail), an over-long title, a bad kind, slug or date. The
command line (with and without --dry-run) runs as a subprocess on a copy of data/sources/ and
must exit 2 with one line and leave every file as it was; writing is all or nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.resources import sources_dir
from bot.ingest.imports import ImportMeta, add_to_bundle, plan
from bot.ingest.sources import read_manifest

ROOT = Path(__file__).resolve().parents[3]
SYNTHETIC = ROOT / "tests" / "data" / "synthetic_submission.txt"
NEW_ORG = ["--org", "香港未來產業協會", "--org-en", "Hong Kong Future Industries Association"]
GOOD = {"--title": "對2025年《施政報告》的建議", "--date": "2025-09"}


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A copy of data/sources/ to add documents to."""
    target = tmp_path / "sources"
    shutil.copytree(sources_dir(), target)
    return target


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _ingest(tmp_path: Path, bundle: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_URL"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(SYNTHETIC), *args, "--sources", str(bundle)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _args(**changes: str) -> list[str]:
    options = {"--org": NEW_ORG[1], "--org-en": NEW_ORG[3], **GOOD, **changes}
    return [part for pair in options.items() for part in pair]


CASES = {
    "title-U+0080": ({"--title": "標題\u0080"}, "--title / title: contains the control"),
    "title-U+0099": ({"--title": "標題\u0099"}, "U+0099"),
    "title-U+FFFE": ({"--title": "標題\ufffe"}, "U+FFFE"),
    "org-U+0080": ({"--org": "新機構\u0080"}, "--org / org: contains the control"),
    "org-en-newline": ({"--org-en": "New\nOrg"}, "U+000A"),
    "org-short-en-U+2028": ({"--org-short-en": "HK\u2028FIA"}, "U+2028"),
    "title-en-U+FDD0": ({"--title-en": "Title\ufdd0"}, "U+FDD0"),
    "title-too-long": ({"--title": "長" * 301}, "at most 300"),
    "org-short-too-long": ({"--org-short": "短" * 41}, "at most 40"),
    "bad-kind": ({"--kind": "Policy Address!"}, "bad kind"),
    "bad-slug": ({"--slug": "a\u0080b"}, "bad slug"),
    "bad-date": ({"--date": "2025-09\u0080"}, "bad date"),
}


@pytest.mark.parametrize("dry_run", [False, True], ids=["write", "dry-run"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_field_writes_nothing_and_is_one_line(
    tmp_path: Path, bundle: Path, case: str, dry_run: bool
) -> None:
    changes, expected = CASES[case]
    before = _snapshot(bundle)
    result = _ingest(tmp_path, bundle, *_args(**changes), *(["--dry-run"] if dry_run else []))
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert _snapshot(bundle) == before
    read_manifest(bundle)  # still reads back


def test_a_good_document_still_goes_in_and_reads_back(tmp_path: Path, bundle: Path) -> None:
    result = _ingest(tmp_path, bundle, *_args(**{"--title": "標題 ✨ 🇭🇰"}))
    assert result.returncode == 0, result.stderr[-2000:]
    assert any(doc.title == "標題 ✨ 🇭🇰" for doc in read_manifest(bundle))


def test_writing_is_all_or_nothing(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    meta = ImportMeta(org=NEW_ORG[1], org_en=NEW_ORG[3], title="對2025年的建議", date="2025-09")
    the_plan = plan(SYNTHETIC.read_bytes(), "new.txt", meta, bundle)
    before = _snapshot(bundle)
    real_replace = os.replace

    def failing_replace(source: str, target: str | Path) -> None:
        if Path(target).name == "organisations.yaml":  # the last of the three writes
            raise OSError(28, "No space left on device", str(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        add_to_bundle(the_plan, bundle)
    monkeypatch.setattr(os, "replace", real_replace)
    assert _snapshot(bundle) == before  # text file removed, manifest put back, no temp files
