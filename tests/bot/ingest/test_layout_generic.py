"""The generic, data-driven structure parser: every numbering style of a synthetic submission,
the same records from its PDF and DOCX, and per-document rules declared in data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest.clean import non_space
from bot.ingest.extract import extract_text
from bot.ingest.layouts import parser_for
from bot.ingest.layouts.generic import (
    RulesError,
    chinese_value,
    load_rules,
    parse,
    roman_value,
    trace,
)
from tests.bot.ingest.documents import cjk_font, make_docx, make_pdf

SYNTHETIC = Path(__file__).resolve().parents[2] / "data" / "synthetic_submission.txt"
CH1 = "一、推動創新科技（創新科技及工業局）"
ITB = "創新科技及工業局"
DC = "3. 發展數據中心"
POWER = "(2) 為數據中心提供電費優惠。"
RMB = "1. 推出更多人民幣計價產品，深化互聯互通。"
CLINIC = "1. 擴展地區康健中心的服務時間。"
HEALTH = ("三、改善民生", "II. 醫療", "（一）基層醫療")

# key, label, title, section path, bureaux
EXPECTED = [
    ("1-1", "一.1", "設立新型工業化基金", (CH1,), (ITB,)),
    ("1-2", "一.2", "擴大「科技人才入境計劃」的配額", (CH1,), (ITB,)),
    ("1-3-1", "一.3.(1)", "在北部都會區預留土地興建數據中心", (CH1, DC), (ITB,)),
    ("1-3-2", "一.3.(2)", "為數據中心提供電費優惠", (CH1, DC), (ITB,)),
    ("1-3-2-a", "一.3.(2).(a)", "首三年電費減半", (CH1, DC, POWER), (ITB,)),
    ("1-3-2-b", "一.3.(2).(b)", "其後按用電效率給予寬減", (CH1, DC, POWER), (ITB,)),
    ("1-4", "一.4", "支援初創企業參與政府採購", (CH1,), ("財經事務及庫務局", ITB)),
    ("2-1-1", "二.甲.1", "推出更多人民幣計價產品", ("二、鞏固金融中心地位", "甲、資本市場"), ()),
    ("2-1-1-1", "二.甲.1.①", "擴大「債券通」南向通的投資者範圍",
     ("二、鞏固金融中心地位", "甲、資本市場", RMB), ()),
    ("2-1-1-2", "二.甲.1.②", "研究推出離岸人民幣國債期貨",
     ("二、鞏固金融中心地位", "甲、資本市場", RMB), ()),
    ("2-2-2", "二.乙.2", "設立綠色債券認證資助", ("二、鞏固金融中心地位", "乙、綠色金融"), ()),
    ("3-1-1-1", "三.I.（一）.1", "增加簡約公屋供應至三萬個單位",
     ("三、改善民生", "I. 房屋", "（一）公營房屋"), ("房屋局",)),
    ("3-2-1-1", "三.II.（一）.1", "擴展地區康健中心的服務時間", HEALTH, ()),
    ("3-2-1-1-1", "三.II.（一）.1.(i)", "晚間開放至十時", (*HEALTH, CLINIC), ()),
    ("3-2-1-1-2", "三.II.（一）.1.(ii)", "週末全日開放", (*HEALTH, CLINIC), ()),
]  # fmt: skip


def _tree(text: str) -> list[tuple[object, ...]]:
    return [(r.key, r.label, r.title, r.section_path, r.bureaux) for r in parse(text)]


def test_every_numbering_style_gives_the_expected_tree() -> None:
    assert _tree(SYNTHETIC.read_text(encoding="utf-8")) == EXPECTED


def test_texts_are_verbatim_with_wraps_joined_and_bullets_kept() -> None:
    records = {r.key: r for r in parse(SYNTHETIC.read_text(encoding="utf-8"))}
    assert records["1-2"].text == (
        "擴大「科技人才入境計劃」的配額，並簡化審批程序，吸引更多海外研發人員來港。"
    )
    assert records["2-2-2"].text.splitlines() == [
        "設立綠色債券認證資助，支援中小企發行綠色債券。",
        "• 資助上限為每宗50萬元；",
        "• 由金融管理局負責審批。",
    ]
    # the summary, chapter introductions, running headers, page numbers and the appendix
    everything = "\n".join(r.text for r in records.values())
    for left_out in ("提要", "引言", "《施政報告》的建議", "頁", "附錄"):
        assert left_out not in everything


@pytest.fixture(scope="module")
def font(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CJK test font as a .ttf."""
    return cjk_font(tmp_path_factory.mktemp("font"))


def test_the_pdf_and_docx_of_the_synthetic_document_give_the_same_records(font: Path) -> None:
    text = SYNTHETIC.read_text(encoding="utf-8")
    expected = parse(text)
    pdf = make_pdf(text, font, header="香港未來產業協會 施政報告建議書")
    assert parse(extract_text(pdf)) == expected
    assert parse(extract_text(make_docx(text))) == expected


def test_numbers_out_of_sequence_are_text_not_items() -> None:
    text = "一、總論\n1. 推動藍圖\n2.0》的落實，並檢討成效。\n5. 年內完成。\n2. 第二項建議。\n"
    records = parse(text)
    assert [r.key for r in records] == ["1-1", "1-2"]
    assert records[0].text == "推動藍圖 2.0》的落實，並檢討成效。5. 年內完成。"


def test_without_headings_every_numbered_item_counts() -> None:
    assert [r.key for r in parse("1. 甲項建議。\n2. 乙項建議。\n")] == ["1", "2"]


def test_rules_from_data_override_the_defaults() -> None:
    text = "前言\n1. 不是建議。\n正文開始\n1. 第一項建議。\n2. 第二項建議。\n"
    default = parser_for("generic")(text)
    assert [r.title for r in default][:1] == ["不是建議"]
    skipping = parser_for("generic", {"start_after": "^正文開始$"})(text)
    assert [r.title for r in skipping] == ["第一項建議", "第二項建議"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ("no-such-set", "unknown rule set"),
        ({"no_such_key": 1}, "unknown rule keys"),
        ({"bullets": "("}, "bad pattern"),
        ({"markers": [{"name": "x", "role": "item", "level": 1, "numeral": "arabic",
                       "pattern": "^\\d+"}]}, "group"),
        ({"title_fallback": "somewhere"}, "title_fallback must be one of"),
        ({"key_scheme": "random"}, "key_scheme must be one of"),
        ({"group_headings": {"before": "no-such-marker", "level": 1}}, "names no marker"),
        ({"footnotes": {"marker": "\\d$", "reach": 9, "note": "{text}"}}, "group"),
        ({"markers": [{"name": "x", "role": "item", "level": 1, "numeral": "arabic",
                       "pattern": "^(?P<n>\\d+)", "title_wraps": "sometimes"}]}, "title_wraps"),
    ],
)  # fmt: skip
def test_bad_rules_are_reported(overrides: object, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        load_rules(overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("numeral", "value"), [("一", 1), ("十", 10), ("十三", 13), ("二十一", 21), ("九十九", 99)]
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_value(numeral) == value


@pytest.mark.parametrize(("numeral", "value"), [("IV", 4), ("xii", 12), ("Ⅲ", 3), ("ix", 9)])
def test_roman_numerals(numeral: str, value: int) -> None:
    assert roman_value(numeral) == value


def test_the_trace_accounts_for_every_line_in_order() -> None:
    text = SYNTHETIC.read_text(encoding="utf-8")
    pieces = trace(text)
    assert non_space("".join(piece.text for piece in pieces)) == non_space(text)
    records = {record.key: record for record in parse(text)}
    texts: dict[str, str] = {}
    for piece in pieces:
        if piece.key is not None:
            assert piece.kind in ("label", "text"), piece
            texts[piece.key] = texts.get(piece.key, "") + (
                piece.text if piece.kind == "text" else ""
            )
    assert set(texts) == set(records)

    def folded(text: str) -> str:  # bullets ("- " in the source, "• " in records) left out
        return non_space(text).replace("•", "").replace("-", "")

    for key, record in records.items():  # the text pieces are the record's text
        assert folded(record.text) == folded(texts[key]), key
    kinds = {piece.kind for piece in pieces if "附錄" in piece.text}
    assert kinds == {"after-stop"}
