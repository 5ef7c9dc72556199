"""Policy-area taxonomy and classifier (bot/ingest/classify.py, data/*areas.yaml)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.core.resources import load_yaml, sources_dir
from bot.ingest import classify as cl
from bot.store.areas import get_area, load_areas

CH1 = "一、發展新質生產力和跨境電商產業，實現「高質經濟」、「高質惠民」、「高質治理」"
CH2 = "二、推動創科和「新型工業化」，達致科技產業化"
FHKI_INNO = "2. 促進創新科技及新型工業化"
FHKI_NM = "III. 北部都會區發展優勢產業（創科及工業局、北都辦、發展局、環境及生態局）"
FHKI_GREEN = "6. 促進工商界可持續發展"
LEGCO_RECS = "62. 在商議過程中，小組委員會建議政府當局考慮："


def _raw_lines(prefix: str) -> list[str]:
    """Lines of the raw source document whose file name starts with `prefix`."""
    (path,) = sorted(sources_dir().glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()


# --- data validity ---------------------------------------------------------------------------


def test_both_data_files_load_and_validate() -> None:
    assert isinstance(load_yaml(cl.AREAS_FILE), list)
    assert isinstance(load_yaml(cl.HEADING_RULES_FILE), list)
    taxonomy = cl.build_taxonomy(load_yaml(cl.AREAS_FILE), load_yaml(cl.HEADING_RULES_FILE))
    assert taxonomy.areas == tuple(load_areas())


def test_area_ids_are_unique_short_ascii() -> None:
    ids = [area.id for area in load_areas()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{1,15}", area_id) for area_id in ids)
    assert cl.DEFAULT_AREA in ids


def test_every_area_has_names_description_and_keywords() -> None:
    for area in load_areas():
        assert area.zh and area.en and area.description, area.id
        assert re.search(r"[\u4e00-\u9fff]", area.zh), area.id
        assert 10 <= len(area.keywords) <= 40, area.id
        assert len({k.casefold() for k in area.keywords}) == len(area.keywords), area.id


def test_every_rule_names_an_existing_area_and_every_area_has_a_rule() -> None:
    ids = {area.id for area in load_areas()}
    rule_areas = {rule["area"] for rule in load_yaml(cl.HEADING_RULES_FILE)}
    assert rule_areas <= ids
    assert ids <= rule_areas  # every area is reachable from some heading


def test_get_area() -> None:
    assert get_area("innotech").zh == "創新科技與新型工業化"
    with pytest.raises(KeyError):
        get_area("nope")


# --- validation errors -----------------------------------------------------------------------


def _area(area_id: str = "innotech", **fields: Any) -> dict[str, Any]:
    entry = {"id": area_id, "zh": "甲", "en": "A", "description": "說明。", "keywords": ["創科"]}
    entry.update(fields)
    return entry


@pytest.mark.parametrize(
    ("areas", "rules", "message"),
    [
        ([_area(), _area()], [{"match": "創科", "area": "innotech"}], "duplicate area id"),
        ([_area()], [{"match": "創科", "area": "ghost"}], "unknown area 'ghost'"),
        ([_area(zh="")], [{"match": "創科", "area": "innotech"}], "'zh'"),
        ([_area(en=None)], [{"match": "創科", "area": "innotech"}], "'en'"),
        ([_area(keywords=[])], [{"match": "創科", "area": "innotech"}], "'keywords'"),
        ([_area("創科")], [{"match": "創科", "area": "innotech"}], "id must match"),
        ([_area("other")], [{"match": "x", "area": "other"}], "default area"),
        ([_area()], [{"match": "創(科", "area": "innotech"}], "invalid regex"),
        ([_area()], [{"match": "創 科", "area": "innotech"}], "without whitespace"),
        ([_area()], [], "non-empty list of rules"),
        ({}, [{"match": "創科", "area": "innotech"}], "non-empty list of areas"),
    ],
)
def test_invalid_data_is_rejected_with_a_clear_message(
    areas: Any, rules: Any, message: str
) -> None:
    with pytest.raises(cl.TaxonomyError, match=re.escape(message)):
        cl.build_taxonomy(areas, rules)


# --- real headings from the raw documents ----------------------------------------------------

BPA_CHAPTERS = {
    "一": "innotech",
    "二": "innotech",
    "三": "gba",
    "四": "trade",
    "五": "tourism",
    "六": "finance",
    "七": "transport",
    "八": "land",
    "九": "social",
    "十": "green",
    "十一": "health",
    "十二": "talent",
    "十三": "governance",
}


def test_every_bpa_chapter_heading_has_a_heading_rule() -> None:
    chapters = [
        line for line in _raw_lines("003") if re.match(r"^\s*[一二三四五六七八九十]+、", line)
    ]
    assert len(chapters) == 13
    for line in chapters:
        number = line.strip().split("、")[0]
        assert cl.heading_area(line) == BPA_CHAPTERS[number], line


def test_every_bpa_subsection_heading_has_a_heading_rule() -> None:
    subsections = [line for line in _raw_lines("003") if re.match(r"^\s*[甲乙丙丁]、", line)]
    assert len(subsections) >= 20
    for line in subsections:
        assert cl.heading_area(line) is not None, line


FHKI_AREAS = ["industry", "innotech", "trade", "gba", "talent", "green", "digital"]


def test_every_fhki_area_heading_has_a_heading_rule() -> None:
    lines = _raw_lines("000")
    start = next(i for i, line in enumerate(lines) if line.strip() == "七大建議範疇：")
    headings = [line for line in lines[start:] if re.match(r"^\s*[1-7]\.\s", line)]
    assert len(headings) == 7
    assert [cl.heading_area(line) for line in headings] == FHKI_AREAS


@pytest.mark.parametrize(
    ("heading", "area"),
    [
        ("乙、  推動專業服務業健康發展", "services"),
        ("IV. 港股市場流動性（財經事務及庫務局）", "finance"),
        ("VI. 發展研發、創新工業及融資組成的生態圈 (RIF) （創科及工業局）", "innotech"),
        ("C. 融資", "finance"),
        ("II. 促進物流互通（政制及內地事務局、運輸及物流局、創科及工業局）", "transport"),
        ("III. 強化中小企 ESG管理能力（環境及生態局、財經事務及庫務局）", "green"),
        ("優化創科體制", "innotech"),
        ("策劃北都發展", "land"),
        ("支援內地港企", "industry"),
        ("提升大灣區合作", "gba"),
        ("推進河套深港科技創新合作區協同發展", "innotech"),
        ("環境、社會和公司治理及可持續發展", "green"),
        ("「高質惠民」", "social"),
        ("小組委員會的商議工作", None),
        ("六大重點倡議：", None),
    ],
)
def test_heading_rules_on_document_headings(heading: str, area: str | None) -> None:
    assert cl.heading_area(heading) == area


def test_bureaux_asides_are_ignored() -> None:
    # "環境及生態局" inside the parentheses must not make this a green heading
    assert cl.normalize_heading(FHKI_NM) == "III.北部都會區發展優勢產業"
    assert cl.heading_area(FHKI_NM) == "industry"


# --- realistic records -> primary area -------------------------------------------------------

CASES = [
    # 003 (BPA): numbered proposal, title is a heading of its own
    (
        "明確北部都會區產業定位，與深圳規劃相銜接",
        (CH2, "甲、加快發展「北部都會區」創科產業"),
        "• 配合《河套深港科技創新合作區深圳園區發展規劃》，盡快明確香港園區的產業定位",
        "innotech",
    ),
    (
        "推動生命健康和醫療科技發展，完善跨界協柞和訂立客觀指標",
        (CH2, "甲、加快發展「北部都會區」創科產業"),
        "• 在北部都會區設立「大灣區智慧醫療研究基地」，作為智慧醫療產業、醫療診治研究基地。",
        "health",
    ),
    (
        "保留整個中環海濱，延長表演場地開放時間，推動高質量特色旅遊",
        (CH1,),
        "• 延長中環海濱表演場地的開放時間，提升舉辦演唱會等的吸引力。",
        "tourism",
    ),
    (
        "派發「多子女幸福卡」，以更進取方法鼓勵生育",
        (CH1, "「高質惠民」"),
        "• 向擁有兩名子女以上的家庭發出「多子女幸福卡」，提供免費使用公共設施等福利。",
        "social",
    ),
    (
        "鼓勵更多旗艦會議和展覽在港舉行，鞏固商務旅遊城市地位",
        ("四、招商引才，支援企業", "甲、招商引資，拓展香港的對外交流和合作"),
        "• 推動香港與內地在會議展覽業上的協作，共同舉辦大型論壇、展覽會和國際會議等。",
        "trade",
    ),
    (
        "加快加強智慧和綠色港口建設，促進構建「海洋強港」",
        ("七、強化海空國際樞紐，完善交通規劃", "甲、鞏固航運、航空和物流樞紐地位"),
        "• 推廣使用潔淨能源，促進綠色港口發展，打造航運綠色能源加注中心。",
        "transport",
    ),
    (
        "向長者學生提供高鐵半價優惠，支援弱勢社群",
        ("九、推動銀髮經濟，制訂人口政策，支援中產、婦女和弱勢社群",),
        "• 與內地相關部門積極商討下調高鐵香港段票價的可行性，包括向長者及所有學生提供半價優惠。",
        "social",
    ),
    (
        "鼓勵使用電動車",  # the layout's path holds the chapter only
        ("十、發展新興能源，推動環保政策，完善社區環境",),
        "• 研究各區電動車數目，按照比例在十八區加速興建公共電動車充電器。",
        "green",
    ),
    (
        "統一大灣區知識產權制度，打造香港成為知識產權貿易樞紐",
        ("三、全面把握大灣區和「一帶一路」機遇", "甲、把握大灣區和「一帶一路」機遇"),
        "• 推動粵港澳知識產權互認和一站式辦理商標、發明專利等註冊。",
        "services",
    ),
    (
        "推動綠色金融發展",
        ("六、推出多元金融產品，便利企業融資",),
        "• 建立針對本地、內地及國際投資者的自願碳市場，搭建交易所場內平台。",
        "finance",
    ),
    (
        "追上科技發展，加強保障市民私隱",
        ("十三、提升管治效能，保障市民權益",),
        "• 參考歐盟的《通用數據保障條例》立法，確保個人資料在傳輸過程中得到適當的保護。",
        "governance",
    ),
    (
        "推動數據治理和人工智能",
        (CH2, "丁、推動數據治理，落實電子政務"),
        "• 推出《人工智能發展藍圖》，盡快完成對相關政策法規的檢討。",
        "digital",
    ),
    (
        "完善「共創明 teen」計劃",  # no rule for the title: falls back to the subsection
        ("十二、完善愛國教育，支援青年發展", "丁、完善青年政策，解決青年困難"),
        "• 優化「共創明 teen」計劃，協助更多少數族裔學生投入計劃，增強友師相關培訓。",
        "talent",
    ),
    # 000 (FHKI): bullets; the title is only the bullet's lead, so the headings decide
    (
        "預留北部都會區土地興建先進食品加工多層式大樓或食品工業園",
        (FHKI_INNO, FHKI_NM, "B. 優勢產業"),
        "預留北部都會區土地興建先進食品加工多層式大樓或食品工業園，內設兩地互認的食品檢測中心",
        "industry",
    ),
    (
        "內地已有完善的電動車及氫能車規劃",
        (FHKI_INNO, "IV. 推動本地先進工業發展（創科及工業局、環境及生態局）", "D. 新能源汽車產業"),
        "內地已有完善的電動車及氫能車規劃，加強支援新能源汽車的研發和零件生產，構建產業鏈",
        "green",
    ),
    (
        "協助內地機構在香港發行綠色債券",
        (FHKI_GREEN, "V. 香港綠色融資（財經事務及庫務局）"),
        "協助內地機構在香港發行綠色債券，助內地集資於大灣區綠色發展，加快綠色低碳轉型",
        "finance",
    ),
    (
        "擴大「回收基金」的適用行業",  # "IV. 資助計劃" has no rule: the area heading decides
        (FHKI_GREEN, "IV. 資助計劃（環境及生態局、財經事務及庫務局）"),
        "擴大「回收基金」的適用行業，令負責其他回收工序的企業亦能受惠，提升本地回收效率",
        "green",
    ),
    (
        "進一步加強與內地港口的合作",
        (
            "4. 大灣區互聯互通",
            "II. 促進物流互通（政制及內地事務局、運輸及物流局、創科及工業局）",
        ),
        "進一步加強與內地港口的合作，推動多式聯運的發展，鞏固香港作為國際航運中心的地位",
        "transport",
    ),
    (
        "先進電子業",  # bullets titled with their (sub)section heading, as the layout does
        (FHKI_INNO, "IV. 推動本地先進工業發展（創科及工業局、環境及生態局）", "A. 先進電子業"),
        "「十四五規劃」大力發展半導體產業，爭取與內地組成第三代半導體的合作聯盟",
        "innotech",
    ),
    (
        "吸引海外人才",
        ("5. 強化工業人才庫", "IV. 吸引海外人才（勞福局、創新科技署）"),
        "在北都及白石角須預留位置為國際及本地人才提供「人才公寓」等穩定及可負擔居所",
        "talent",
    ),
    # 001 / 002 (CMA): numbered sections under group headings
    (
        "推進兩地商標合作",
        ("支援內地港企",),
        "隨著越來越多港資企業加緊開拓內銷巿場的步伐，知識産權的保護成為業界普遍關注的問題。",
        "services",
    ),
    (
        "參考內地經驗建設智慧城市",
        ("優化創科體制",),
        "智慧城市不但是推動創科發展的重要一環，更是實現「科技利民」的必由之路。",
        "digital",
    ),
    (
        "加大力度提振內需",  # no rule for the title: the group heading decides
        ("穩經濟激發動能",),
        "政府亦應加碼投資於一些有助於在短期「促消費，擴內需」的項目。",
        "industry",
    ),
    (
        "助力發展工業旅遊",
        ("穩經濟激發動能",),
        "工業旅遊作為工業與旅遊業融合發展而成的產業形態，近年在世界各地大行其道。",
        "tourism",
    ),
    # 004 (LegCo): recommendations titled with their topic heading
    (
        "科研工作 and 技術轉化",
        (LEGCO_RECS, "科研工作 and 技術轉化"),
        "率先採購本地的科研產品，並鼓勵公營機構試用本地的科研產品(請參閱上文第 31 段)",
        "innotech",
    ),
    (
        "引入海內外人才",
        (LEGCO_RECS, "引入海內外人才"),
        "為透過高才通計劃來港的創科人才與本地新興科技產業的企業進行工作配對(請參閱上文第 43 段)",
        "talent",
    ),
    (
        "提供創科發展用地和設施",
        (LEGCO_RECS, "提供創科發展用地和設施"),
        "提供短期創科發展用地(請參閱上文第 11 段)",
        "land",
    ),
    (
        "環境、社會和公司治理及可持續發展",
        (LEGCO_RECS, "環境、社會和公司治理及可持續發展"),
        "在推動傳統產業升級轉型時，確保產業在環境、社會和公司治理方面的可持續發展",
        "green",
    ),
]


@pytest.mark.parametrize(("title", "path", "text", "primary"), CASES)
def test_primary_area_of_real_records(
    title: str, path: tuple[str, ...], text: str, primary: str
) -> None:
    areas = cl.classify(title, path, text)
    assert areas[0] == primary
    assert 1 <= len(areas) <= 2
    assert len(set(areas)) == len(areas)


def test_title_heading_outranks_the_section_path() -> None:
    # chapter 一 says innotech, the proposal's own heading says tourism
    title = "推動高質量特色旅遊"
    assert cl.classify(title, (CH1,), "• 延長中環海濱表演場地的開放時間。")[0] == "tourism"
    # the same words opening the text are only a lead: the chapter decides
    lead = title + "，延長中環海濱表演場地的開放時間。"
    assert cl.classify(title, (CH1,), lead)[0] == "innotech"


def test_innermost_matching_heading_wins() -> None:
    rif = "VI. 發展研發、創新工業及融資組成的生態圈 (RIF) （創科及工業局）"
    text = "更積極吸納頂尖科技公司來港上巿"
    assert cl.classify(text, (FHKI_INNO, rif, "C. 融資"), text)[0] == "finance"
    assert cl.classify(text, (FHKI_INNO, rif), text)[0] == "innotech"


# --- secondary area --------------------------------------------------------------------------


def test_secondary_area_from_strong_keywords() -> None:
    text = (
        "• 制訂大灣區跨境醫療發展藍圖，推動兩地醫療資源聯通，包括擴大長者醫療券的適用範圍。\n"
        "• 做好「跨境大灣區跨境直通救護車試行計劃」的相關人手規劃。\n"
        "• 持續推動與內地的中西醫醫療資格互認，實現兩地醫護加快融合發展。"
    )
    path = ("十一、促進醫療升級增值，壯大人才庫", "甲、推動跨境醫療創新")
    assert cl.classify("制訂大灣區跨境醫療發展藍圖，促進藥物器械及人才聯通", path, text) == (
        "health",
        "gba",
    )


def test_secondary_for_a_bullet_titled_with_its_heading() -> None:
    path = ("1. 推動經濟復常，減輕企業經濟壓力", "I. 短期紓困措施（商經局）")
    text = "支持企業出口推廣活動，以更大力度資助中小企業參與出口市場推廣活動，鼓勵拓展香港以外市場"
    assert cl.classify("短期紓困措施", path, text) == ("industry", "trade")


def test_no_secondary_for_a_single_topic_record() -> None:
    text = (
        "• 全面檢討《市區重建策略》，設立舊區重建 KPI，每 5 年啟動 750 幢舊樓重建。\n"
        "• 向市建局注資，成立重建專項基金，解決重建的資金問題。"
    )
    path = ("八、加快發展增加土地供應，完善置業階梯", "丙、提升消防安全，加快舊樓重建")
    assert cl.classify("拆除城市炸彈，加快舊區重建步伐", path, text) == ("land",)


def test_secondary_needs_a_minimum_score() -> None:
    path = ("五、加強資源投放，發展盛事和特色旅遊",)
    assert cl.classify("", path, "舉辦盛事，吸引大灣區旅客。") == ("tourism",)
    many = "舉辦盛事，吸引大灣區旅客；大灣區、大灣區、大灣區。"
    assert cl.classify("", path, many) == ("tourism", "gba")


def test_secondary_is_relative_to_the_primary_evidence() -> None:
    path = ("五、加強資源投放，發展盛事和特色旅遊",)
    gba = "大灣區" * cl.SECONDARY_MIN_SCORE
    busy = "盛事、旅遊、旅客、演唱會、文化、藝術、體育。" * 3
    assert cl.classify("", path, busy + gba) == ("tourism",)
    assert cl.classify("", path, "盛事。" + gba) == ("tourism", "gba")


def test_title_hits_weigh_more_than_text_hits() -> None:
    scores = cl.keyword_scores("綠色金融", "回收")
    assert scores["finance"] == cl.TITLE_WEIGHT
    assert scores["green"] == 1
    # longest match: "綠色金融" is not also counted as "金融" or "綠色"
    assert cl.keyword_scores("", "綠色金融")["finance"] == 1


def test_keyword_scores_count_occurrences() -> None:
    assert cl.keyword_scores("", "電動車、電動車、電動車")["green"] == 3
    assert cl.keyword_scores("", "ESG 及 esg")["green"] == 2  # ASCII is case-insensitive


# --- keyword fallback, default, determinism --------------------------------------------------


def test_keywords_decide_when_no_heading_matches() -> None:
    text = "近年政府在創科領域投入龐大資源，例如創新及科技基金轄下的企業支援計劃，鼓勵研發。"
    assert cl.classify("以結果為目標", ("六大重點倡議",), text)[0] == "innotech"
    text = "政府應向中小企提供出口信用保險，並協助港商開拓東盟市場和出口貿易。"
    assert cl.classify("", (), text)[0] == "trade"


def test_keyword_ties_go_to_the_first_listed_area() -> None:
    ids = [area.id for area in load_areas()]
    areas = cl.classify("", (), "貿易，人才")  # trade 1, talent 1
    assert areas[0] == min(("trade", "talent"), key=ids.index)


def test_default_area_when_nothing_matches() -> None:
    assert cl.classify("", (), "") == (cl.DEFAULT_AREA,)
    assert cl.classify("目的", ("背景",), "本文件旨在匯報小組委員會的商議工作。") == (
        cl.DEFAULT_AREA,
    )


def test_classification_is_deterministic() -> None:
    first = [cl.classify(title, path, text) for title, path, text, _ in CASES]
    cl.load_taxonomy.cache_clear()
    again = [cl.classify(title, path, text) for title, path, text, _ in reversed(CASES)]
    assert first == list(reversed(again))


def test_load_areas_returns_frozen_areas_in_file_order() -> None:
    areas = load_areas()
    assert [area.id for area in areas] == [entry["id"] for entry in load_yaml(cl.AREAS_FILE)]
    with pytest.raises(AttributeError):
        areas[0].zh = "x"  # type: ignore[misc]
