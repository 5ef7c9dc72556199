"""The cleaner never loses or reorders a non-whitespace character."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.ingest.clean import (
    format_body,
    is_page_furniture,
    join_two,
    non_space,
    normalize_line,
)

# Text shaped like the extractions: ideographs, full-width punctuation, Latin, digits, spaces,
# bullet glyphs.
pdf_text = st.text(
    alphabet=st.sampled_from(
        list("推動新型工業化中小企創科「」《》，。、；：（）ABCesg 0123456789.\u3000\uf06c\uf0d8•-")
    )
    | st.characters(codec="utf-8"),
    max_size=80,
)


@given(pdf_text)
def test_normalize_line_keeps_every_character(line: str) -> None:
    assert non_space(normalize_line(line)) == non_space(line)


@given(st.lists(pdf_text, max_size=8))
def test_format_keeps_every_character(lines: list[str]) -> None:
    expected = non_space("".join(lines))
    assert non_space(format_body(lines)) == expected


def test_letter_spacing_undone_but_words_kept() -> None:
    assert normalize_line("完 善 智 能 製造") == "完善智能 製造"
    assert normalize_line("角色 積極拓展海外聯繫") == "角色 積極拓展海外聯繫"
    assert normalize_line("強化中小企 ESG 管理能力") == "強化中小企 ESG 管理能力"
    assert normalize_line("green bonds and ESG") == "green bonds and ESG"


def test_space_before_full_width_punctuation_removed() -> None:
    assert (
        normalize_line("構建「雙循環」產業互聯網交流平台  ，打造")
        == "構建「雙循環」產業互聯網交流平台，打造"
    )


def test_broken_lines_joined() -> None:
    assert join_two("完善食品檢驗機制，發揮香港國際", "機場的空運中轉角色") == (
        "完善食品檢驗機制，發揮香港國際機場的空運中轉角色"
    )
    assert join_two("歡迎政府向 BUD", "專項基金注資") == "歡迎政府向 BUD 專項基金注資"
    assert join_two("green", "bonds") == "green bonds"
    assert join_two("《香港旅遊業發展藍圖", "2.0》") == "《香港旅遊業發展藍圖 2.0》"


def test_bullets_become_list_items() -> None:
    body = format_body(["\uf06c  第一點，", "續行", "", "\uf0d8 第二點"])
    assert body == "• 第一點，續行\n• 第二點"


def test_page_numbers() -> None:
    assert is_page_furniture(" 7 ")
    assert is_page_furniture("- 12 -")
    assert not is_page_furniture("7. 發展新質生產力")
    assert not is_page_furniture("2024")
