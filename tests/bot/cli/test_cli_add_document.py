"""`python -m bot ingest FILE --org … --title … --date … [--dry-run]` on a copy of data/sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select

from bot.cli import main
from bot.core.resources import sources_dir
from bot.ingest.sources import read_manifest
from bot.store.db import make_sessions
from bot.store.models import Recommendation, Source
from tests.bot.ingest.documents import cjk_font, make_pdf

SYNTHETIC = Path(__file__).resolve().parents[2] / "data" / "synthetic_submission.txt"
NEW_ORG = ["--org", "香港未來產業協會", "--org-short", "未來產業協會", "--org-en",
           "Hong Kong Future Industries Association", "--org-short-en", "HKFIA"]  # fmt: skip
TITLE = ["--title", "對2025年《施政報告》的建議", "--date", "2025-09"]


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A copy of data/sources/ to add documents to."""
    target = tmp_path / "sources"
    shutil.copytree(sources_dir(), target)
    return target


@pytest.fixture
def cli_env(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The CLI pointed at the test store."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


@pytest.fixture(scope="module")
def synthetic_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic submission as a PDF with page numbers and a running header."""
    directory = tmp_path_factory.mktemp("pdf")
    text = SYNTHETIC.read_text(encoding="utf-8")
    path = directory / "未來產業協會.pdf"
    path.write_bytes(make_pdf(text, cjk_font(directory), header="香港未來產業協會"))
    return path


def test_dry_run_prints_the_tree_and_writes_nothing(
    cli_env: Engine, bundle: Path, synthetic_pdf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {path.name: path.read_bytes() for path in bundle.iterdir()}
    code = main(["ingest", str(synthetic_pdf), *NEW_ORG, *TITLE, "--dry-run",
                 "--sources", str(bundle)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "hkfia25 (submission, 2025-09, layout generic)" in out
    assert "(new organisation)" in out
    assert "    hkfia25-1-3-2-a  一.3.(2).(a)  首三年電費減半  [" in out
    assert out.rstrip().endswith("total: 15")
    assert {path.name: path.read_bytes() for path in bundle.iterdir()} == before
    with make_sessions(cli_env)() as session:
        assert session.scalars(select(Source)).first() is None


def test_adding_a_pdf_with_a_new_organisation(
    cli_env: Engine, bundle: Path, synthetic_pdf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ingest", str(synthetic_pdf), *NEW_ORG, *TITLE, "--sources", str(bundle)])
    assert code == 0
    assert "hkfia25: 15 added" in capsys.readouterr().out
    entry = next(doc for doc in read_manifest(bundle) if doc.slug == "hkfia25")
    assert (entry.layout, entry.org_en, entry.date) == (
        "generic", "Hong Kong Future Industries Association", "2025-09",
    )  # fmt: skip
    assert "擴大「科技人才入境計劃」的配額" in entry.read_text()
    orgs = yaml.safe_load((bundle / "organisations.yaml").read_text(encoding="utf-8"))
    assert orgs["organisations"][-1]["short_en"] == "HKFIA"
    with make_sessions(cli_env)() as session:
        ids = session.scalars(
            select(Recommendation.id).where(Recommendation.source_id == "hkfia25")
        ).all()
        assert len(ids) == 15 and "hkfia25-3-2-1-1-2" in ids
        assert session.scalars(select(Source.id)).all() == ["hkfia25"]  # only what was given
    # the same organisation is now known by any of its names; the manifest ingest skips it
    assert main(["ingest", str(synthetic_pdf), "--org", "hkfia", *TITLE, "--dry-run",
                 "--sources", str(bundle)]) == 0  # fmt: skip
    assert "(new organisation)" not in capsys.readouterr().out
    assert main(["ingest", "--sources", str(bundle)]) == 0
    assert "hkfia25: unchanged (skipped)" in capsys.readouterr().out


def test_a_current_source_from_its_pdf_gives_the_same_records(
    cli_env: Engine, bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cma23 = next(doc for doc in read_manifest(bundle) if doc.slug == "cma23")
    pdf = tmp_path / "cma23.pdf"
    pdf.write_bytes(make_pdf(cma23.read_text(), cjk_font(tmp_path)))
    args = ["--org", "廠商會", "--title", cma23.title, "--date", cma23.date, "--dry-run"]
    assert main(["ingest", str(pdf), *args, "--sources", str(bundle)]) == 0
    from_pdf = capsys.readouterr().out
    assert main(["ingest", str(cma23.path), *args, "--sources", str(bundle)]) == 0
    from_text = capsys.readouterr().out
    assert "layout generic, rules cma" in from_pdf and "total: 29" in from_pdf
    assert "furniture (dropped): " in from_pdf  # the PDF's page numbers, listed before the tree
    assert _tree(from_pdf) == _tree(from_text)
    assert from_pdf.splitlines()[1:4] == from_text.splitlines()[1:4]  # all but the file name


def _tree(dry_run: str) -> str:
    """A dry run's tree and figures (what follows the facts and the furniture list)."""
    return dry_run[dry_run.index("\n\n") :].split("furniture (dropped)")[-1].split("\n\n", 1)[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "工總", "--title", "t", "--date", "2025-13"], "bad date '2025-13'"),
        (["--org", "新組織", "--title", "t", "--date", "2025"], "give its English name"),
        (["--title", "t", "--date", "2025"], "needs --org"),
        (["--org", "工總", "--title", "t", "--date", "2025", "--slug", "A!"], "bad slug"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    args: list[str],
    message: str,
    cli_env: Engine,
    bundle: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ingest", str(SYNTHETIC), *args, "--sources", str(bundle)]) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and "\n" not in error


def test_unreadable_or_wrong_files_exit_2(
    cli_env: Engine, bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta = ["--org", "工總", "--title", "t", "--date", "2025", "--sources", str(bundle)]
    assert main(["ingest", str(tmp_path / "missing.pdf"), *meta]) == 2
    assert "cannot read" in capsys.readouterr().err
    image = tmp_path / "scan.pdf"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert main(["ingest", str(image), *meta]) == 2
    assert "scan.pdf: unsupported file type" in capsys.readouterr().err


def test_reingesting_a_current_source_from_its_pdf_changes_no_record(
    cli_env: Engine, bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", "--sources", str(bundle)]) == 0
    assert "legco24: 21 added" in capsys.readouterr().out
    legco = next(doc for doc in read_manifest(bundle) if doc.slug == "legco24")
    pdf = tmp_path / "legco.pdf"
    pdf.write_bytes(make_pdf(legco.read_text(), cjk_font(tmp_path), page_numbers=False))
    args = ["--org", "立法會小組委員會", "--title", legco.title, "--date", legco.date]
    assert main(["ingest", str(pdf), *args, "--sources", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert f"replaced the text of {legco.path.name} (legco24)" in out
    assert "legco24: 0 added, 0 updated, 0 withdrawn, 21 unchanged" in out
    assert len(read_manifest(bundle)) == 5
