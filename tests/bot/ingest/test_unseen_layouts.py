"""Documents the parser has never seen, made here: PDFs (Chinese and English) with a running
header on every page, the same text without page breaks, and Word files whose last
recommendations are the rows of a table. Ingested end to end: the CLI's dry run as a subprocess,
and the records parsed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.resources import sources_dir
from bot.ingest.document import ParsedRecommendation
from bot.ingest.extract import extract_text
from bot.ingest.layouts import parser_for
from tests.bot.ingest.documents import cjk_font, make_docx_with_table, make_paged_pdf

ROOT = Path(__file__).resolve().parents[3]

ZH_HEADER = ("香港智慧城市聯盟", "對2026年《施政報告》的建議")
ZH_PAGES = (
    "一、推動創新科技\n"
    "1. 設立新型工業化基金，資助企業在港設立智能生產線。\n"
    "2. 擴大科技人才入境計劃的配額，並簡化審批程序。\n"
    "3. 在北部都會區預留土地興建數據中心，\n",
    "並為數據中心提供電費優惠。\n"
    "二、改善民生\n"
    "1. 增加簡約公屋供應至三萬個單位（房屋局）\n"
    "2. 擴展地區康健中心的服務時間，晚間開放至十時。\n"
    "3. 增加安老院舍宿位。\n",
)  # two pages: the header shows twice, too few times to stand out by count alone
EN_HEADER = ("Hong Kong Smart City Alliance: Submission on the 2026 Policy Address",)
EN_PAGES = (
    "1. Set up a new industrialisation fund to subsidise smart production lines.\n"
    "2. Expand the quota of the Technology Talent Admission Scheme and simplify\n",
    "the vetting procedures for overseas researchers.\n"
    "3. Reserve land in the Northern Metropolis for data centres.\n"
    "4. Offer electricity tariff concessions to data centres\n",
    "during their first three years of operation.\n"
    "5. Extend the opening hours of District Health Centres.\n",
)
TABLE_BEFORE = """香港綠色建築協會
對2026年《施政報告》的建議
一、推動綠色建築
1. 設立綠色建築基金，資助舊樓節能改造。
2. 檢討建築物能源效益條例，提高能效標準。以下建議由相關部門負責：
"""
TABLE_ROWS = (
    ("建議", "負責部門"),
    ("推廣建築信息模擬技術於公營工程", "發展局"),
    ("為綠色建材設立本地認證制度", "環境及生態局"),
    ("培訓綠色建築專業人才", "教育局、勞工及福利局"),
)
TABLE_AFTER = "二、改善民生\n1. 增加簡約公屋供應（房屋局）\n"


def _parse(text: str) -> list[ParsedRecommendation]:
    return parser_for("generic")(text)


def _dry_run(tmp_path: Path, document: Path) -> str:
    """`python -m bot ingest FILE … --dry-run` on a copy of data/sources; its stdout."""
    bundle = tmp_path / "sources"
    if not bundle.exists():
        shutil.copytree(sources_dir(), bundle)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_URL"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(document), "--org", "香港智慧城市聯盟",
         "--org-en", "Hong Kong Smart City Alliance", "--title", "對2026年《施政報告》的建議",
         "--date", "2026-01", "--dry-run", "--sources", str(bundle)],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cjk_font(tmp_path_factory.mktemp("font"))


def test_a_chinese_running_header_is_dropped_as_furniture(fonts: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "zh.pdf"
    pdf.write_bytes(make_paged_pdf(ZH_PAGES, fonts, ZH_HEADER))
    records = {record.key: record for record in _parse(extract_text(pdf.read_bytes()))}
    assert list(records) == ["1-1", "1-2", "1-3", "2-1", "2-2", "2-3"]
    assert records["1-3"].text == "在北部都會區預留土地興建數據中心，並為數據中心提供電費優惠。"
    assert records["2-2"].text == "擴展地區康健中心的服務時間，晚間開放至十時。"
    assert records["2-1"].bureaux == ("房屋局",)
    for record in records.values():
        assert not any(line in record.text for line in ZH_HEADER), record
    out = _dry_run(tmp_path, pdf)
    furniture, tree = out.split("furniture (dropped): ", 1)[1].split("\n\n", 1)
    assert all(f"  {line}  ×2" in furniture.splitlines() for line in ZH_HEADER)
    assert "  - 1 -  ×2" in furniture.splitlines()  # the page numbers (one line per kind)
    assert "2-2  二.2  擴展地區康健中心的服務時間" in tree
    assert not any(line in tree for line in ZH_HEADER[1:])


def test_an_english_running_header_is_dropped_as_furniture(fonts: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "en.pdf"
    pdf.write_bytes(make_paged_pdf(EN_PAGES, fonts, EN_HEADER, footer="Page {page} of 3"))
    text = extract_text(pdf.read_bytes())
    records = {record.key: record for record in _parse(text)}
    assert list(records) == ["1", "2", "3", "4", "5"]
    assert records["2"].text == (
        "Expand the quota of the Technology Talent Admission Scheme and simplify the vetting "
        "procedures for overseas researchers."
    )
    assert records["4"].text.endswith("data centres during their first three years of operation.")
    assert all("Smart City" not in record.text for record in records.values())
    furniture = _dry_run(tmp_path, pdf).split("furniture (dropped): ", 1)[1]
    assert EN_HEADER[0] in furniture

    # The same text without its page breaks (a .txt export): the header still repeats at a
    # regular spacing, and is still furniture.
    flat = text.replace("\f", "\n")
    assert "\f" not in flat
    assert [(r.key, r.text) for r in _parse(flat)] == [(r.key, r.text) for r in records.values()]


def test_a_sentence_repeated_in_a_text_is_not_furniture() -> None:
    line = "This recommendation applies to every district of Hong Kong without exception."
    text = "\n".join(f"{n}. Item {n}.\n{line}" for n in range(1, 6))
    assert all(record.text.endswith(line) for record in _parse(text))


def test_recommendation_table_rows_are_records_of_their_own(fonts: Path, tmp_path: Path) -> None:
    docx = tmp_path / "table.docx"
    docx.write_bytes(make_docx_with_table(TABLE_BEFORE, TABLE_ROWS, TABLE_AFTER))
    records = _parse(extract_text(docx.read_bytes()))
    by_text = {record.text.split("｜")[0].strip(): record for record in records}
    assert by_text["檢討建築物能源效益條例，提高能效標準。以下建議由相關部門負責："].key == "1-2"
    for recommendation, department in TABLE_ROWS[1:]:
        record = by_text[recommendation]
        assert record.bureaux == tuple(department.split("、"))
        assert record.section_path == ("一、推動綠色建築",)
    assert [record.key for record in records] == ["1-1", "1-2", "1-t1", "1-t2", "1-t3", "2-1"]
    tree = _dry_run(tmp_path, docx)
    assert "1-t2  一.T2  為綠色建材設立本地認證制度" in tree
    assert "(環境及生態局)" in tree


def test_an_english_recommendation_table(tmp_path: Path) -> None:
    rows = (
        ("Recommendations", "Responsible Bureau / Department"),
        ("Promote building information modelling in public works", "Development Bureau"),
        ("Train green building professionals", "Education Bureau"),
    )
    data = make_docx_with_table("1. Set up a green building fund.\n", rows)
    records = _parse(extract_text(data))
    assert [(r.key, r.bureaux) for r in records] == [
        ("1", ()),
        ("t1", ("Development Bureau",)),
        ("t2", ("Education Bureau",)),
    ]
    assert records[1].text.startswith("Promote building information modelling in public works")


def test_a_table_without_a_department_column_stays_text() -> None:
    rows = (("項目", "內容"), ("措施", "設立專項基金"), ("建議", "研究稅務優惠"))
    text = extract_text(make_docx_with_table("1. 支援中小企。\n", rows))
    assert "▸" not in text and "▤" not in text
    [record] = _parse(text)
    assert record.text.endswith("建議 研究稅務優惠")
