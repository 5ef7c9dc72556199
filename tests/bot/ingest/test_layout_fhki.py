"""Golden tests for the FHKI submission parser (data/sources/000_c6cbd0b05b50272d.txt).

Expected values were written from the source file, not copied from the parser's output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.resources import sources_dir
from bot.ingest.clean import non_space
from bot.ingest.document import KEY_PATTERN, ParsedRecommendation
from bot.ingest.layouts import parser_for
from bot.ingest.sources import read_manifest

SOURCE = Path(__file__).parents[3] / "data" / "sources" / "000_c6cbd0b05b50272d.txt"
# Read by the generic parser with the manifest's rule set (data/layouts.yaml: rule_sets.fhki).
DOCUMENT = next(doc for doc in read_manifest(sources_dir()) if doc.slug == "fhki23")
parse = parser_for(DOCUMENT.layout, DOCUMENT.rules)
INITIATIVES_MARKER = "六大重點倡議："
AREAS_MARKER = "七大建議範疇："
SIGNATURE = "香港工業總會秘書處 2023 年 9 月"  # closes the document; not a bullet's text
ROMANS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7}

# Bullets per group as printed, counted by reading the source: (area.roman[.letter], bullets).
GROUPS = [
    ("1.I", 2), ("1.II", 2), ("1.III", 4), ("1.IV", 1),
    ("2.I", 1), ("2.II", 1), ("2.III.A", 4), ("2.III.B", 5), ("2.IV.A", 2), ("2.IV.B", 1),
    ("2.IV.C", 2), ("2.IV.D", 2), ("2.IV.E", 2), ("2.V", 4), ("2.VI.A", 3), ("2.VI.B", 4),
    ("2.VI.C", 3),
    ("3.I", 4), ("3.II", 3), ("3.III", 4), ("3.IV", 3), ("3.V", 3), ("3.VI", 1), ("3.VII", 4),
    ("4.I", 5), ("4.II", 4), ("4.III", 2), ("4.IV", 7),
    ("5.I", 1), ("5.II.A", 1), ("5.II.B", 2), ("5.II.C", 6), ("5.II.D", 2), ("5.III", 6),
    ("5.IV", 9), ("5.V", 2),
    ("6.I", 6), ("6.II", 1), ("6.III", 2), ("6.IV", 4), ("6.V", 2), ("6.VI", 1), ("6.VII", 5),
    ("7.I", 1), ("7.II", 1), ("7.III", 2), ("7.IV", 3),
]  # fmt: skip

AREA_1 = "1. 推動經濟復常，減輕企業經濟壓力"
AREA_2 = "2. 促進創新科技及新型工業化"
AREA_3 = "3. 鞏固香港經濟獨特優勢"
AREA_4 = "4. 大灣區互聯互通"
AREA_5 = "5. 強化工業人才庫"
AREA_6 = "6. 促進工商界可持續發展"
AREA_7 = "7. 發展數字經濟"
RIF = "VI. 發展研發、創新工業及融資組成的生態圈 (RIF)（創科及工業局）"
VII_3 = "VII. 工業相關政策及支持（勞福局、創科及工業局、商經局、財經事務及庫務局）"

K1_TEXT = (
    "地緣政治局勢持續緊張，對香港的經濟和貿易活動產生極大影響，海外企業駐港地區總部或地區辦事處"
    "數目自 2019年起連續下跌 3年，轉口港地位被鄰近城市取代。雖然傳統歐美市場表現疲弱，但至今仍佔"
    "本港出口第二大份額，同時歐美企業亦視香港為進入粵港澳大灣區市場的重要橋樑，香港仍具擔當內地"
    "與西方社會重要橋樑的角色。工總認為各駐歐及駐美經貿辦應該採取主動，增撥資源誠懇地向各國「說"
    "好香港故事」，而商會亦可肩負重任，先由相對不敏感的問題着手，以務實的經貿活動慢慢擴大溝通範"
    "疇。\n"
    "同時，為帶領港商開拓東盟、非洲及東歐國家市場，貿發局應以高頻率復辦經貿團，介紹本港商界認識"
    "當地營商環境。「一帶一路」沿線國家及地區的文化不一，業界亦難以完全掌握各地市場需求、投資條"
    "件、營商環境、政策等資訊。政府應在上述國家，尤其是最多港商投資的東盟地區，增設經貿辦，協助"
    "業界盡快調整業務，以適應市場的急促變化。"
)

# key → (label, title, text, section_path, bureaux)
EXPECTED: dict[str, tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = {
    "k1": ("1", "鞏固「超級聯繫人」角色 積極拓展海外聯繫", K1_TEXT, ("六大重點倡議",), ()),
    # A bullet wrapped onto a second line.
    "1-1-1": (
        "1.I•1",
        "短期紓困措施",
        "支持企業出口推廣活動，以更大力度資助中小企業參與出口市場推廣活動，鼓勵拓展香港以外市場",
        (AREA_1, "I. 短期紓困措施（商經局）"),
        ("商經局",),
    ),
    # Three bureaux in the subsection heading.
    "2-1-1": (
        "2.I•1",
        "創科協作平台",
        "長遠而言，香港將多出近四倍創科土地，協調現有創科平台協作，避免出現工作範疇重疊，尤其重"
        "要。建議政府從頂層設計規劃，助力本地創科協作平台分工，為機構釐清策略性發展方向，確保各"
        "司其職，緊密合作",
        (AREA_2, "I. 創科協作平台（創科及工業局、北都辦、發展局）"),
        ("創科及工業局", "北都辦", "發展局"),
    ),
    # Letter group; the bullet continues on a new page (leading space).
    "2-3-a-1": (
        "2.III.A•1",
        "規劃用地",
        "政府在 2024 年第一季將公布新田科技城建議發展大綱圖，對業界、企業發展布局極為重要，期望"
        "邀請業界代表參與討論，並盡早公布細節",
        (
            AREA_2,
            "III. 北部都會區發展優勢產業（創科及工業局、北都辦、發展局、環境及生態局）",
            "A. 規劃用地",
        ),
        ("創科及工業局", "北都辦", "發展局", "環境及生態局"),
    ),
    # A bullet starting a new page (" • 建造…"), last of its letter group.
    "2-4-e-2": (
        "2.IV.E•2",
        "港深創科園",
        "建造符合環保產業需求的先進工業大廈，助中小型的環保科技企業開展業務",
        (AREA_2, "IV. 推動本地先進工業發展（創科及工業局、環境及生態局）", "E. 港深創科園"),
        ("創科及工業局", "環境及生態局"),
    ),
    # "(RIF)" inside the heading before the bureaux bracket; last bullet of area 2.
    "2-6-c-3": (
        "2.VI.C•3",
        "融資",
        "盡快落實活化 GEM 板，為中小型及初創企業提供更有效融資平台，特別是助在本港有研發實務的企"
        "業獲得資金",
        (AREA_2, RIF, "C. 融資"),
        ("創科及工業局",),
    ),
    "3-6-1": (
        "3.VI•1",
        "商品市場「互聯互通」",
        "在過去幾年金屬大宗商品價格的波動，令業界開始意識到需要透過不同渠道減低風險。建議香港建"
        "立兼有內地及國際商品市場基準的交易平台「商品通」，供工業界有效管理面對不同市場的價格風"
        "險。同時亦可發揮香港國際金融中心多年的寶貴經驗，令香港的金融市場做深做闊。",
        (AREA_3, "VI. 商品市場「互聯互通」（財經事務及庫務局）"),
        ("財經事務及庫務局",),
    ),
    # Subsection heading at the top of a page, four bureaux; last bullet of area 3.
    "3-7-4": (
        "3.VII•4",
        "工業相關政策及支持",
        "檢視現行《稅務條例》第 39E 條，就香港企業因在內地從事進料加工業務而使用的機器設備，給予"
        "折舊免稅額",
        (AREA_3, VII_3),
        ("勞福局", "創科及工業局", "商經局", "財經事務及庫務局"),
    ),
    # A bullet with "o" sub-items, one of them wrapped onto a new page.
    "4-3-1": (
        "4.III•1",
        "促進資金流互通",
        "與內地當局協商\n"
        "o 早日建立相對完善的全國性、跨領域信用資料共享機制，提供透明的資訊以供評估貿易風險，保"
        "險及金融機構可提供更合適的服務\n"
        "o 鼓勵相關監管機構在大灣區推出針對中小型企業的跨境資金池\n"
        "o 鼓勵相關監管機構簡化申請程序，提供更加便利化、操作簡易的流程，降低內地子公司對轉匯批"
        "准時間\n"
        "o 加強內地銀行在線服務，容許銀行透過視頻會議系統及電子簽名方式的協助，完成與遠程客戶的"
        "開戶、小額貸款等基礎服務\n"
        "o 為港澳居民開設內地或大灣區戶口提供更大便利，建議內地銀行進一步簡化開戶手續，毋須申請"
        "港人持有內地住址證明文件及電話號碼",
        (AREA_4, "III. 促進資金流互通（政制及內地事務局、財經事務及庫務局）"),
        ("政制及內地事務局", "財經事務及庫務局"),
    ),
    "5-2-c-3": (
        "5.II.C•3",
        "副學位",
        "優化「職學計劃」，加入環境科學及食品科技等製造業相關課程，並增加名額、提高學員的津貼及"
        "僱主的回饋、由政府支付學徒完成培訓後的職學金",
        (AREA_5, "II. 應用學習、雙軌教育及在職培訓（教育局）", "C. 副學位"),
        ("教育局",),
    ),
    # A bullet starting a new page, last of its subsection.
    "5-4-9": (
        "5.IV•9",
        "吸引海外人才",
        "在北都及白石角須預留位置為國際及本地人才提供「人才公寓」等穩定及可負擔居所",
        (AREA_5, "IV. 吸引海外人才（勞福局、創新科技署）"),
        ("勞福局", "創新科技署"),
    ),
    # "計劃 ，加快": the stray space before full-width punctuation goes.
    "5-5-2": (
        "5.V•2",
        "輸入外地勞工",
        "評估各行各業的人手狀況，選取符合「補充勞工優化計劃」且具人手需求的行業，納入輸入僱員計"
        "劃，加快補足市場的人力資源",
        (AREA_5, "V. 輸入外地勞工（勞福局）"),
        ("勞福局",),
    ),
    # A line break between two Latin words ("Core Climate" / "購買") keeps one space.
    "6-5-1": (
        "6.V•1",
        "香港綠色融資",
        "歡迎港交所推出 Core Climate 國際自願碳信用產品交易市場，為鞏固香港作為亞洲綠色金融中心"
        "地位踏出關鍵一步。建議政府加強與內地碳市場合作，引導國際資金進入內地碳市場，並允許內地"
        "強制性碳市場參與者使用 Core Climate 購買碳信用額",
        (AREA_6, "V. 香港綠色融資（財經事務及庫務局）"),
        ("財經事務及庫務局",),
    ),
    "7-1-1": (
        "7.I•1",
        "成立中央數碼及數據統籌委員會",
        "人工智能及大數據等高端科技發展一日千里，帶來巨大機遇也存在著各種風險。現時網絡環境越來"
        "越複雜，數據安全外洩威脅急劇上升，政府運作及企業營運在過程中會收集及處理大量數據，保護"
        "數據庫變得日漸重要。建議政府平衡各界風險及需要，成立由司長級統籌的「中央數碼及數據統籌"
        "委員會」，設立跨部門及跨業界的香港全面數據庫，並作管理、公開及持續更新全港數據，為數據"
        "開放拆牆鬆綁",
        (AREA_7, "I. 成立中央數碼及數據統籌委員會（特首或司長級）"),
        ("特首或司長級",),
    ),
    # The very last bullet: the signature block after it must not be glued on.
    "7-4-3": (
        "7.IV•3",
        "軟數碼基建",
        "釐訂明確的數位資產產權管理制度，勾劃出 Web3.0 活動於本港及內地的許可範圍，並定義數位資"
        "產，尤其是由人工智能生成的資產的擁有權，將香港打造成虛擬資產企業的最佳立足點",
        (AREA_7, "IV. 軟數碼基建（創科及工業局）"),
        ("創科及工業局",),
    ),
}

INITIATIVE_TITLES = [
    "鞏固「超級聯繫人」角色 積極拓展海外聯繫",
    "籌建北都創新科技館 展示新工業願景",  # the overview list adds "積極拓展海外聯繫" here
    "強化「灣區標準」推銷香港品牌 建立區域檢測及認證中心",
    "善用「一小時生活圈」吸引全球人才 培養未來工業棟樑",
    "制定工業人才藍圖 培育新生代投資未來",
    "以結果為目標 革新審批資助思維",
]


@pytest.fixture(scope="module")
def raw() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def records(raw: str) -> list[ParsedRecommendation]:
    return parse(raw)


@pytest.fixture(scope="module")
def by_key(records: list[ParsedRecommendation]) -> dict[str, ParsedRecommendation]:
    return {record.key: record for record in records}


def _lines_after(raw: str, marker: str) -> list[str]:
    lines = raw.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == marker)
    return lines[start:]


def _expected_bullet_labels() -> list[str]:
    return [f"{group}•{n}" for group, count in GROUPS for n in range(1, count + 1)]


def test_counts_match_an_independent_bullet_count(
    raw: str, records: list[ParsedRecommendation]
) -> None:
    bullets = sum(1 for line in _lines_after(raw, AREAS_MARKER) if line.strip().startswith("•"))
    assert bullets == 140
    assert sum(count for _, count in GROUPS) == bullets
    assert len(records) == 6 + bullets


def test_label_sequence(records: list[ParsedRecommendation]) -> None:
    labels = [record.label for record in records]
    assert labels[:6] == ["1", "2", "3", "4", "5", "6"]
    assert labels[6:] == _expected_bullet_labels()
    assert labels[6] == "1.I•1"
    assert labels[-1] == "7.IV•3"


def test_keys_unique_and_derived_from_labels(records: list[ParsedRecommendation]) -> None:
    keys = [record.key for record in records]
    assert len(set(keys)) == len(keys)
    assert keys[:6] == [f"k{n}" for n in range(1, 7)]
    for record in records[6:]:
        assert KEY_PATTERN.match(record.key)
        area, roman, *letter, n = re.split(r"[.•]", record.label)
        expected = [area, str(ROMANS[roman]), *(x.lower() for x in letter), n]
        assert record.key == "-".join(expected)


def test_registered_layout_is_this_parser(raw: str, records: list[ParsedRecommendation]) -> None:
    assert (DOCUMENT.path.name, DOCUMENT.layout, DOCUMENT.rules) == (SOURCE.name, "generic", "fhki")
    assert parser_for(DOCUMENT.layout, DOCUMENT.rules)(raw) == records


@pytest.mark.parametrize("key", list(EXPECTED))
def test_golden_record(by_key: dict[str, ParsedRecommendation], key: str) -> None:
    label, title, text, path, bureaux = EXPECTED[key]
    assert by_key[key] == ParsedRecommendation(
        key=key, label=label, title=title, text=text, section_path=path, bureaux=bureaux
    )


def test_initiatives(records: list[ParsedRecommendation]) -> None:
    initiatives = records[:6]
    assert [record.title for record in initiatives] == INITIATIVE_TITLES
    assert all(record.section_path == ("六大重點倡議",) for record in initiatives)
    # Every initiative has two prose paragraphs in the source.
    assert [record.text.count("\n") for record in initiatives] == [1] * 6
    assert all(not record.bureaux and not record.refs for record in initiatives)


def test_bullet_invariants(records: list[ParsedRecommendation]) -> None:
    for record in records[6:]:
        assert record.bureaux, record.key
        assert record.title and "（" not in record.title, record.key
        assert not record.text.startswith(("•", " ")), record.key
        assert "•" not in record.text, record.key
        assert "秘書處" not in record.text, record.key


def test_overview_lists_produce_no_records(raw: str, records: list[ParsedRecommendation]) -> None:
    overview = raw[: raw.index("\n" + INITIATIVES_MARKER)]
    assert "支持企業出口推廣活動、促進信保局優化職能、提高中小企競爭力" in overview
    texts = {record.text for record in records}
    assert "支持企業出口推廣活動、促進信保局優化職能、提高中小企競爭力" not in texts
    assert "籌建北都創新科技館 展示新工業願景 積極拓展海外聯繫" not in {r.title for r in records}


def test_record_region_fully_covered(raw: str, records: list[ParsedRecommendation]) -> None:
    """Every non-space character after "六大重點倡議：" lands in a heading or text, in order."""
    rebuilt = [INITIATIVES_MARKER]
    for record in records[:6]:
        rebuilt += [f"{record.label}.", record.title, record.text]
    rebuilt.append(AREAS_MARKER)
    path: tuple[str, ...] = ()
    for record in records[6:]:
        for depth, heading in enumerate(record.section_path):
            if path[: depth + 1] != record.section_path[: depth + 1]:
                rebuilt.append(heading)
        rebuilt += ["•", record.text]
        path = record.section_path
    rebuilt.append(SIGNATURE)  # explicitly excluded: the closing signature block
    region = "\n".join(_lines_after(raw, INITIATIVES_MARKER))
    assert non_space("".join(rebuilt)) == non_space(region)


def test_synthetic_layout_variants() -> None:
    """Wrapped headings, a bullet glued to its heading, and a closing after the last bullet."""
    text = "\n\n".join(
        [
            "六大重點倡議：",
            " ",
            "1. 甲倡議",
            " ",
            "第一段",
            "續行。",
            " ",
            "第二段。",
            "七大建議範疇：",
            " ",
            "1. 甲範疇",
            "I. 乙措施（商經局、",
            "發展局）",
            "A. 丙組 • 第一點",
            "續行",
            "• 第二點",
            " ",
            "秘書處",
        ]
    )
    records = parse(text)
    assert [(r.key, r.label, r.title, r.text) for r in records] == [
        ("k1", "1", "甲倡議", "第一段續行。\n第二段。"),
        ("1-1-a-1", "1.I.A•1", "丙組", "第一點續行"),
        ("1-1-a-2", "1.I.A•2", "丙組", "第二點"),
    ]
    assert records[1].bureaux == ("商經局", "發展局")
    assert records[1].section_path == ("1. 甲範疇", "I. 乙措施（商經局、發展局）", "A. 丙組")


def test_bullets_after_a_closing_paragraph_are_an_error() -> None:
    head = ["六大重點倡議：", " ", "1. 甲", " ", "段。", "七大建議範疇：", " ", "1. 乙"]
    text = "\n\n".join([*head, "I. 丙（商經局）", "• 第一點", " ", "說明段落", "• 第二點"])
    with pytest.raises(ValueError, match="closing"):
        parse(text)
