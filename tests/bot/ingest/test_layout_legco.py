"""Golden tests for the LegCo subcommittee report (data/sources/004_960b6cc202b4fd9b.txt), read by
the generic parser with the manifest's rule set (data/layouts.yaml: rule_sets.legco).

Expected values were written from the source file, not copied from the parser's output.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.core.resources import sources_dir
from bot.ingest.clean import non_space
from bot.ingest.document import KEY_PATTERN, ParsedRecommendation, Reference
from bot.ingest.layouts import parser_for
from bot.ingest.layouts.generic import load_rules
from bot.ingest.layouts.generic_lines import whole_text_lines
from bot.ingest.layouts.generic_refs import cited_numbers
from bot.ingest.sources import read_manifest

SOURCE = Path(__file__).parents[3] / "data" / "sources" / "004_960b6cc202b4fd9b.txt"
INTRO = "62. 在商議過程中，小組委員會建議政府當局考慮："
LETTERS = list(string.ascii_lowercase[:21])  # (a) … (u)
DOCUMENT = next(doc for doc in read_manifest(sources_dir()) if doc.slug == "legco24")
RULES = load_rules(DOCUMENT.rules)
parse = parser_for(DOCUMENT.layout, DOCUMENT.rules)


@pytest.fixture(scope="module")
def raw() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def records(raw: str) -> list[ParsedRecommendation]:
    return parse(raw)


@pytest.fixture(scope="module")
def by_key(records: list[ParsedRecommendation]) -> dict[str, ParsedRecommendation]:
    return {record.key: record for record in records}


def _ref(number: int, text: str) -> Reference:
    return Reference(label=f"第 {number} 段", text=text)


PARA_7 = (
    "政府當局於 2022 年 12 月公布的《創科藍圖》提出發展願景參考指標，包括把製造業佔以基本價格計"
    "算的本地生產總值百分比由 2016 年的 1.2%提升至 2032 年的 5%。委員認為，當局在計算製造業佔本"
    "地生產總值比率的目標時，應探討涵蓋港商在境外的生產活動，以更全面反映工業對香港經濟的貢獻。"
)
# Split by a page break with a footnote in between: the footnote must not be glued in.
PARA_9 = (
    "委員認為，“工業”不只限於將物料變成產品，還應包括其他如維修和物流等的支援服務，但後者對經濟"
    "的貢獻往往未能在政府的統計數據中反映。委員建議，政府當局應制訂相應政策推動高端工業服務產業"
    "發展。政府當局認同工業生產活動可帶動一系列包括物流、檢測認證、知識產權轉化等專業服務行業。"
    "隨着越來越多重點企業在本港建立大型生產線，設備的維護及其他支援服務顯得尤其重要。促進相關服"
    "務行業發展有助帶動本地生產配件，增加就業，有助整個生態系統蓬勃發展。當局會檢視可否更好反映"
    "工業服務行業對經濟的貢獻。"
)
PARA_11 = (
    "委員關注到，新田科技城(包括港深創科園)的發展需時較長，因而促請政府當局提供短期創科發展用地"
    "，包括考慮把將軍澳第 137 區部分土地撥作創科用途。政府當局表示，港深創科園的第一批次首 3 座"
    "大樓將於 2024 年年底起陸續落成。相關政策局會繼續爭取盡早將落馬洲河套地區用作應急醫院和社區"
    "隔離設施的用地還原作創科發展。至於將軍澳第 137 區，當局的規劃是將該區發展為一個以房屋用途為"
    "主的新社區，而不擬撥作創科工業用途。"
)
PARA_12 = (
    "委員認為發展新型工業化的前提是土地供應，並促請政府當局制訂有關工業用地供應的政策和規劃。政"
    "府當局表示，當局的其中一個方向是將新田科技城(包括港深創科園)發展為具國際競爭力的產業中試轉"
    "化基地。為此，當局擬在港深創科園劃分部分地區專門作“產學研”發展，並推出配套措施以便利業界進"
    "行中試工作。當局正就新田科技城河套以外的創科用地進行創科產業發展規劃，以推進中試的孵化、轉"
    "化等的相關配套服務，並考慮不同的批地方式，包括加入不同技術等因素。"
)
PARA_13 = (
    "委員詢問政府當局會否自行興建工廠大廈，以較優惠的租金供本港工業發展，從而幫助這些產業升級轉"
    "型。政府當局回應表示，發展新型工業化其中一個方向是建造專用設施，以幫助企業，不論新型工業或"
    "是傳統產業的企業利用這些設施和技術，提升產能和生產線的效益。"
)
PARA_14 = (
    "委員表示，政府當局可參考深圳市推行的“工業上樓計劃”，利用尚未活化成為寫字樓的工廈作推動新型"
    "工業化的用途。政府當局回應指，本港的先進製造業中心及其他數據技術中心等設施也是按這種“工業上"
    "樓”模式推行。不過，政府當局解釋，不同工業對周邊環境配套、危險品處理、防震避震設備、樓宇的高"
    "度等要求各有不同，“工業上樓”模式未必可以完全解決工業用地需求的問題。"
)
PARA_16 = (
    "委員認為當局應加強促進本地大學把原創科研成果轉化成為產品或服務。委員詢問，創新科技署(“創科"
    "署”)轄下的 5 所研究及發展中心(“研發中心”)如何推動新型工業化發展。"
)
# Split by a page break ("…解決行業痛點及" / "把研發成果商品化。…").
PARA_18 = (
    "委員指出，創科署轄下的 5 所研發中心在將研發成果商品化方面未見顯著成效，因而建議當局將研發中"
    "心重新定位，與其要求研發中心透過將研發成果商品化而取得商業利潤，不如考慮由研發中心轉為業界"
    "免費或以低價提供所需技術。政府當局回應指，研發中心透過與業界合作發展技術，幫助業界升級轉型"
    "。政府當局指出，研發中心有著向業界轉移應用研發成果以支援企業升級轉型的公眾使命，進行應用研"
    "發及技術轉移的目的亦非為牟利。政府一直鼓勵各研發中心與業界合作，以促進各研發中心將技術轉移"
    "至業界，解決行業痛點及把研發成果商品化。事實上，現時約六成由 5 所研發中心進行的項目都有業界"
    "參與，當局會繼續鼓勵各研發中心協助業界應用科研以提升競爭力。"
)
PARA_23 = (
    "委員察悉，產學研 1+計劃所收到的申請中，只有約三成的項目獲得資助。委員詢問其餘的項目不獲資助"
    "的原因。委員建議當局為不獲資助的項目提供意見，以便有關大學在改善計劃後可在其後的申請期再提"
    "交申請，讓更多大學項目受惠。"
)
PARA_25 = (
    "委員建議政府當局鼓勵有意參與產學研 1+計劃的科研團隊，在申請書上表明研發成功的產品會在香港投"
    "產，以貢獻香港的創科及工業發展。委員亦建議，可透過擬推行的新型工業加速計劃(“加速計劃”)鼓勵"
    "產學研 1+計劃下的成功項目在香港設立生產基地，以展示本港科研成果商品化的成就。"
)
PARA_46 = (
    "委員察悉，政府當局推出新型工業化及科技培訓計劃，以 2(政府)：1(企業)的配對形式資助本地企業人"
    "員接受科技培訓。此外，生產力局亦推出多項與智能化工業相關的專業課程。委員促請政府當局加強提"
    "升本地中低技術勞工的技能以配合新型工業化的發展。政府當局表示會繼續透過新型工業化及科技培訓"
    "計劃資助合資格企業培訓其本地員工。此外，在招攬企業來港時，政府會鼓勵企業參與本地的人才培訓"
    "，或引進人才以協助相關培訓工作。"
)
PARA_47 = (
    "委員促請政府當局鼓勵中學生修讀數理科學相關的科目，並積極推動職業專才教育的發展，讓更多青年"
    "人將來可循科學、科技或工程相關的方面發展。政府當局回應指，教育局會着力發展職業專才教育，與"
    "傳統學術教育的路徑雙軌並行，為不同志向和能力的青年人提供優質、多元化及多階進出的學習路徑。"
)
PARA_56 = (
    "委員表示，儘管當局推出新型工業化資助計劃，但有業界指計劃申請程序較複雜，審批時間偏長而條款"
    "繁多。委員要求當局簡化申請流程並加強向業界解釋資助計劃詳情，推動更多傳統行業在香港設立生產"
    "基地。政府當局表示會適時審視有關計劃及作出改善。此外，當局會積極聯繫業界、相關行業協會、界"
    "別代表等推廣各項資助計劃。"
)
PARA_59 = (
    "委員促請政府當局在推動傳統產業升級轉型時確保產業在環境、社會和公司治理(“ESG”)方面的可持續發"
    "展，並詢問當局有何相關措施。政府當局回應指，ESG 的是世界未來的大趨勢，也是國家提倡的新質生"
    "產力中的重要元素。現時生產力局在向企業提供技術支援時，也會向他們介紹有關 ESG 方面的規範。"
)

TOPIC_1 = "推動新型工業化及產業發展的目標"
TOPIC_3 = "提供創科發展用地和設施"
TOPIC_4 = "科研工作 and 技術轉化"  # printed so in paragraph 62 (the body heading reads "…和…")
TOPIC_7 = "培育本地創科人才"

EXPECTED: dict[str, tuple[str, str, tuple[Reference, ...]]] = {
    "a": (
        TOPIC_1,
        "在計算製造業佔本地生產總值比率的目標時，涵蓋港商在境外的生產活動，以更全面反映工業對香"
        "港經濟的貢獻(請參閱上文第 7 段)；",
        (_ref(7, PARA_7),),
    ),
    "b": (
        "工業服務行業",
        "制訂政策推動高端工業服務產業的發展(請參閱上文第 9 段)；",
        (_ref(9, PARA_9),),
    ),
    "c": (TOPIC_3, "提供短期創科發展用地(請參閱上文第 11 段)；", (_ref(11, PARA_11),)),
    "d": (
        TOPIC_3,
        "制訂有關工業用地供應的政策和規劃(請參閱上文第 12 段)；",
        (_ref(12, PARA_12),),
    ),
    "e": (
        TOPIC_3,
        "興建工廠大廈，以較優惠的租金供本港工業發展，並鼓勵利用尚未活化成為寫字樓的工廈作推動新"
        "型工業化的用途(請參閱上文第 13 至 14 段)；",
        (_ref(13, PARA_13), _ref(14, PARA_14)),
    ),
    "f": (
        TOPIC_4,
        "加強促進本地大學把原創科研成果轉化成為產品或服務(請參閱上文第 16 段)；",
        (_ref(16, PARA_16),),
    ),
    "g": (
        TOPIC_4,
        "將研發中心重新定位，為業界免費或以低價提供所需技術(請參閱上文第 18 段)；",
        (_ref(18, PARA_18),),
    ),
    "h": (
        TOPIC_4,
        "為產學研 1+計劃不獲批的申請項目提供意見，以便有關大學在改善計劃後可在其後的申請期再提交"
        "申請(請參閱上文第 23 段)；",
        (_ref(23, PARA_23),),
    ),
    "i": (
        TOPIC_4,
        "鼓勵產學研 1+計劃的項目將研發成功的產品在香港投產(請參閱上文第 25 段)；",
        (_ref(25, PARA_25),),
    ),
    "p": (
        TOPIC_7,
        "加強提升本地中低技術勞工的技能以配合新型工業化的發展(請參閱上文第 46 段)；",
        (_ref(46, PARA_46),),
    ),
    "q": (
        TOPIC_7,
        "鼓勵中學生修讀數理科學相關的科目，並積極推動職業專才教育的發展(請參閱上文第 47 段)；",
        (_ref(47, PARA_47),),
    ),
    "t": (
        "協助本港傳統製造業升級轉型",
        "簡化新型工業化資助計劃的申請流程並加強向業界解釋資助計劃詳情，推動更多傳統行業在香港設"
        "立生產基地(請參閱上文第 56 段)；及",
        (_ref(56, PARA_56),),
    ),
    "u": (
        "環境、社會和公司治理及可持續發展",
        "在推動傳統產業升級轉型時，確保產業在環境、社會和公司治理方面的可持續發展(請參閱上文第 5"
        "9 段)。",
        (_ref(59, PARA_59),),
    ),
}


def test_exactly_21_recommendations(records: list[ParsedRecommendation]) -> None:
    assert len(records) == 21


def test_label_and_key_sequences(records: list[ParsedRecommendation]) -> None:
    assert [record.key for record in records] == LETTERS
    assert [record.label for record in records] == [f"({letter})" for letter in LETTERS]
    assert records[0].label == "(a)"
    assert records[-1].label == "(u)"
    assert all(KEY_PATTERN.match(record.key) for record in records)


def test_registered_layout_is_this_parser(raw: str, records: list[ParsedRecommendation]) -> None:
    assert (DOCUMENT.path.name, DOCUMENT.layout, DOCUMENT.rules) == (
        SOURCE.name,
        "generic",
        "legco",
    )
    assert parser_for(DOCUMENT.layout, DOCUMENT.rules)(raw) == records


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_golden_record(by_key: dict[str, ParsedRecommendation], key: str) -> None:
    title, text, refs = EXPECTED[key]
    assert by_key[key] == ParsedRecommendation(
        key=key,
        label=f"({key})",
        title=title,
        text=text,
        section_path=(INTRO, title),
        bureaux=(),
        refs=refs,
    )


def test_every_item_cites_what_it_prints(records: list[ParsedRecommendation]) -> None:
    for record in records:
        printed = re.findall(r"請參閱上文第 ([\d 至及]+) 段", record.text)
        assert len(printed) == 1, record.key
        assert record.refs, record.key
        assert record.refs[0].label == f"第 {printed[0].split()[0]} 段"
    assert sum(len(record.refs) for record in records) == 22  # (e) cites 13 to 14


def test_refs_are_whole_verbatim_paragraphs(raw: str, records: list[ParsedRecommendation]) -> None:
    without_footnotes = non_space(
        "\n".join(line for line in raw.splitlines() if not line.startswith("¹"))
    )
    for record in records:
        for ref in record.refs:
            number = ref.label.removeprefix("第 ").removesuffix(" 段")
            assert non_space(f"{number}.{ref.text}") in without_footnotes, ref.label
            assert ref.text.endswith("。"), ref.label
            assert "首次會議" not in ref.text and "¹" not in ref.text


def test_footnote_is_furniture(raw: str) -> None:
    dropped = [
        line.strip() for line in raw.splitlines() if any(p.match(line) for p in RULES.drop_lines)
    ]
    assert dropped == [
        "¹ 首次會議在 2023 年 5 月 30 日舉行，以選舉副主席和討論小組委員會的會議日期及討論事項。"
    ]
    assert not any(line.startswith("¹") for line in whole_text_lines(raw, RULES))


def test_no_furniture_or_appendix_text(records: list[ParsedRecommendation]) -> None:
    for record in records:
        blob = record.text + record.title + "".join(ref.text for ref in record.refs)
        for furniture in ("立法會", "CB(1)", "附錄", "委員名單", "職權範圍", "議員"):
            assert furniture not in blob, (record.key, furniture)


def test_recommendations_region_fully_covered(
    raw: str, records: list[ParsedRecommendation]
) -> None:
    """Every non-space character of paragraph 62 lands in a heading, label or text, in order."""
    lines = raw.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("62."))
    end = next(i for i, line in enumerate(lines) if line.startswith("63."))
    rebuilt = [records[0].section_path[0]]
    heading = None
    for record in records:
        if record.section_path[1] != heading:
            heading = record.section_path[1]
            rebuilt.append(heading)
        rebuilt += ["-", record.label, record.text]
    excluded = ["徵詢意見"]  # the heading of the next section, before paragraph 63
    assert non_space("".join(rebuilt + excluded)) == non_space("\n".join(lines[start:end]))


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("(請參閱上文第 9 段)；", [9]),
        ("(請參閱上文第9段)", [9]),
        ("(請參閱上文第 9 及 10 段)", [9, 10]),
        ("(請參閱上文第 9 至 11 段)", [9, 10, 11]),
        ("(請參閱上文第9至11段)", [9, 10, 11]),
        ("（請參閱上文第 9、12 段）", [9, 12]),
        ("(請參閱上文第 9 段及第 12 至 13 段)", [9, 12, 13]),
        ("沒有引用第 9 段", []),
    ],
)
def test_citation_forms(text: str, numbers: list[int]) -> None:
    assert RULES.references is not None
    assert cited_numbers(text, RULES.references) == numbers


def test_wrapped_item_and_heading_rules() -> None:
    """A page break inside an item joins; a line before the next section ends the list."""
    text = "\n\n".join(
        [
            "建議",
            "5. 小組委員會建議政府當局考慮：",
            "甲標題",
            "- (a) 第一項建議的前半",
            "後半(請參閱上文第 2 至 3 段)；及",
            "乙標題",
            "- (b) 第二項(請參閱上文第 4 段)。",
            "徵詢意見",
            "6. 謹請察悉。",
            "2. 不會被當作段落。",
        ]
    )
    body = "\n\n".join(["2. 甲段。", "3. 乙段", "續。", "4. 丙段。", text])
    records = parse(body)
    assert [(r.key, r.title, r.text) for r in records] == [
        ("a", "甲標題", "第一項建議的前半後半(請參閱上文第 2 至 3 段)；及"),
        ("b", "乙標題", "第二項(請參閱上文第 4 段)。"),
    ]
    assert [ref.text for ref in records[0].refs] == ["甲段。", "乙段續。"]
