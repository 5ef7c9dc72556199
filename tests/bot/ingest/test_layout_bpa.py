"""Golden tests of the BPA layout on 003_e3736230597f8792.txt (經民聯, 2024 施政報告建議): the
generic parser with the manifest's rule set (data/layouts.yaml: rule_sets.bpa).

The expected records below were transcribed from the source text file by reading it, one string
fragment per physical source line, joined by the clean-up rules (no space between ideographs or
beside full-width punctuation; one space between an ideograph and a Latin word or a number).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from bot.core.resources import sources_dir
from bot.ingest.clean import join_two, non_space
from bot.ingest.document import ParsedRecommendation
from bot.ingest.layouts import parser_for
from bot.ingest.layouts.generic import Piece, load_rules, trace
from bot.ingest.sources import read_manifest

SOURCE = Path(__file__).parents[3] / "data" / "sources" / "003_e3736230597f8792.txt"
FIRST_CHAPTER_LINE = " 一、  發展新質生產力和跨境電商產業"
DOCUMENT = next(doc for doc in read_manifest(sources_dir()) if doc.slug == "bpa24")
parse = parser_for(DOCUMENT.layout, DOCUMENT.rules)
# What the generic parser's trace says of the pieces that belong to no proposal.
SUMMARY, PAGE, END = "before-start", "furniture", "after-stop"
FOOTNOTE_MARK, FOOTNOTE_LABEL, FOOTNOTE = "footnote-mark", "footnote-label", "footnote"
HEADING, INTRO = "heading", "heading-text"
EXCLUDED = frozenset({SUMMARY, PAGE, END, FOOTNOTE_MARK, HEADING, INTRO})

CHAPTERS = (
    "一、發展新質生產力和跨境電商產業，實現「高質經濟」、「高質惠民」、「高質治理」",
    "二、推動創科和「新型工業化」，達致科技產業化",
    "三、全面把握大灣區和「一帶一路」機遇",
    "四、招商引才，支援企業",
    "五、加強資源投放，發展盛事和特色旅遊",
    "六、推出多元金融產品，便利企業融資",
    "七、強化海空國際樞紐，完善交通規劃",
    "八、加快發展增加土地供應，完善置業階梯",
    "九、推動銀髮經濟，制訂人口政策，支援中產、婦女和弱勢社群",
    "十、發展新興能源，推動環保政策，完善社區環境",
    "十一、促進醫療升級增值，壯大人才庫",
    "十二、完善愛國教育，支援青年發展",
    "十三、提升管治效能，保障市民權益",
)
# Chapter of each proposal: the first proposal number of every chapter.
CHAPTER_STARTS = (1, 12, 29, 41, 54, 75, 82, 92, 104, 112, 119, 129, 145)


def lines(*blocks: str) -> str:
    """A record text: one line per bullet, sub-heading or paragraph."""
    return "\n".join(blocks)


@pytest.fixture(scope="module")
def raw() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def records(raw: str) -> list[ParsedRecommendation]:
    return parse(raw)


@pytest.fixture(scope="module")
def by_label(records: list[ParsedRecommendation]) -> dict[str, ParsedRecommendation]:
    return {record.label: record for record in records}


@pytest.fixture(scope="module")
def all_pieces(raw: str) -> list[Piece]:
    return trace(raw, load_rules(DOCUMENT.rules))


# --- shape -------------------------------------------------------------------------------------


def test_the_manifest_layout_resolves_to_this_parser() -> None:
    assert (DOCUMENT.path.name, DOCUMENT.layout, DOCUMENT.rules) == (SOURCE.name, "generic", "bpa")


def test_exactly_148_proposals(records: list[ParsedRecommendation]) -> None:
    assert len(records) == 148


def test_labels_run_from_1_to_148(records: list[ParsedRecommendation]) -> None:
    assert [record.label for record in records] == [str(n) for n in range(1, 149)]


def test_keys_are_the_printed_numbers_and_unique(records: list[ParsedRecommendation]) -> None:
    keys = [record.key for record in records]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[1-9]\d{0,2}", key) for key in keys)
    assert all(record.key == record.label for record in records)


def test_no_bureaux_no_refs_and_clean_fields(records: list[ParsedRecommendation]) -> None:
    for record in records:
        assert record.bureaux == ()
        assert record.refs == ()
        assert record.title
        assert record.title == record.title.strip()
        assert all(line == line.strip() and line for line in record.text.split("\n"))


def test_first_and_last_chapter(by_label: dict[str, ParsedRecommendation]) -> None:
    assert by_label["1"].section_path == (CHAPTERS[0],)
    assert by_label["148"].section_path == (CHAPTERS[-1],)


def test_all_13_chapters_in_order(records: list[ParsedRecommendation]) -> None:
    seen: list[str] = []
    for record in records:
        assert len(record.section_path) == 1
        if not seen or seen[-1] != record.section_path[0]:
            seen.append(record.section_path[0])
    assert tuple(seen) == CHAPTERS


def test_chapter_boundaries(by_label: dict[str, ParsedRecommendation]) -> None:
    for index, first in enumerate(CHAPTER_STARTS):
        assert by_label[str(first)].section_path == (CHAPTERS[index],)
        if first > 1:
            assert by_label[str(first - 1)].section_path == (CHAPTERS[index - 1],)


def test_the_summary_yields_no_records(
    raw: str, records: list[ParsedRecommendation], all_pieces: list[Piece]
) -> None:
    summary = raw[: raw.index(FIRST_CHAPTER_LINE)]
    assert "提要" in summary
    summary_pieces = [piece for piece in all_pieces if piece.kind == SUMMARY]
    assert non_space("".join(piece.text for piece in summary_pieces)) == non_space(summary)
    assert all(piece.key is None for piece in summary_pieces)
    # Its first area, a sentence of the summary only, appears in no record.
    assert not any("第一，發展新質生產力" in r.title + r.text for r in records)


def test_only_known_lines_are_not_bullets(records: list[ParsedRecommendation]) -> None:
    """Sub-headings and paragraphs: any other non-bullet line would be a broken join."""
    expected = {
        "3": ["中國已發展成為", "進一步強化香港", "爭取國家政策支", "本地財政支援"],
        "7": ["聚焦以高附加值", "以「新服務」發", "以「新製造」發", "以「新業態」發"],
        "23": ["中學和學徒制度", "專上教育", "求職和在職人士"],
        "42": ["註1：以立法會"],
        "57": ["政策支援", "財政支援"],
        "61": ["完善墟市政策，", "刺激夜經濟"],
        "97": ["（更多協助青年"],
        "104": ["鼓勵和協助銀髮", "推進科技賦能，"],
        "129": ["來自「一帶一路"],
    }
    found: dict[str, list[str]] = defaultdict(list)
    for record in records:
        for line in record.text.split("\n"):
            if not line.startswith("• "):
                found[record.label].append(line[:7])
    assert dict(found) == expected


# --- nothing dropped or reordered ----------------------------------------------------------------


def test_pieces_cover_the_region_from_the_first_chapter(raw: str, all_pieces: list[Piece]) -> None:
    """Chapter headings, numbers, titles, bodies, footnotes and excluded pieces, in source order."""
    region = raw[raw.index(FIRST_CHAPTER_LINE) :]
    covered = "".join(piece.text for piece in all_pieces if piece.kind != SUMMARY)
    assert non_space(covered) == non_space(region)


def test_records_hold_exactly_their_pieces(
    records: list[ParsedRecommendation], all_pieces: list[Piece]
) -> None:
    titles: dict[str, str] = defaultdict(str)
    texts: dict[str, str] = defaultdict(str)
    notes: dict[str, str] = defaultdict(str)
    chapters: dict[str, str] = {}
    chapter = footnote = ""
    previous = None
    for piece in all_pieces:
        if piece.kind == HEADING and piece.marker == "chapter":  # a heading may wrap
            chapter = join_two(chapter, piece.text) if previous == piece.marker else piece.text
        elif piece.kind == "label":
            assert non_space(piece.text) == f"{piece.key}."
            chapters[str(piece.key)] = chapter
        elif piece.kind == "title":
            titles[str(piece.key)] += non_space(piece.text)
        elif piece.kind == "text":
            texts[str(piece.key)] += non_space(piece.text)
        elif piece.kind == FOOTNOTE_LABEL:
            footnote = piece.text
            notes[str(piece.key)] += f"註{footnote}："
        elif piece.kind == FOOTNOTE:
            notes[str(piece.key)] += non_space(piece.text)
        else:
            assert piece.kind in EXCLUDED
        previous = piece.marker if piece.kind == HEADING else None
    for record in records:
        assert non_space(record.title) == titles[record.label]
        assert non_space(record.text) == texts[record.label] + notes[record.label]
        assert record.section_path == (chapters[record.label],)


def test_the_excluded_pieces(all_pieces: list[Piece]) -> None:
    """Only page numbers, the footnote marker, the end mark, sub-section headings, intros."""
    excluded: dict[str, list[str]] = defaultdict(list)
    previous = None
    for piece in all_pieces:
        if piece.kind == INTRO and previous == INTRO:  # an intro paragraph's next line
            excluded[INTRO][-1] += piece.text
        elif piece.kind in EXCLUDED - {SUMMARY} and (piece.kind, piece.marker) != (
            HEADING,
            "chapter",
        ):
            excluded[piece.kind].append(piece.text)
        previous = piece.kind
    assert excluded[PAGE] == ["7", "39"]
    assert excluded[FOOTNOTE_MARK] == ["1"]
    assert excluded[END] == ["－完－"]
    headings = excluded[HEADING]
    intros = [text[:8] for text in excluded[INTRO]]
    assert headings[:3] == ["「高質經濟」", "「高質惠民」", "「高質治理」"]
    assert all(re.match("[甲乙丙丁]、", heading) for heading in headings[3:])
    assert len(headings) == 25
    assert intros == [
        "為實現高質量發展",
        "特區政府要抓緊全",
        "特區政府在全力發",
        "在愛國者治港的新",
    ]


def test_footnote_goes_to_the_proposal_of_its_marker(all_pieces: list[Piece]) -> None:
    marks = [piece.key for piece in all_pieces if piece.kind == FOOTNOTE_MARK]
    footnotes = [piece.key for piece in all_pieces if piece.kind == FOOTNOTE_LABEL]
    assert marks == footnotes == ["42"]
    assert {piece.key for piece in all_pieces if piece.kind == FOOTNOTE} == {"42"}


# --- golden records (verified against the source text) -----------------------------------------

GOLDEN: dict[str, tuple[str, str, str]] = {
    # The first proposal, after the chapter intro and the 「高質經濟」 sub-section.
    "1": (
        CHAPTERS[0],
        "放寬投資移民計劃，加強來港人才配套",
        lines(
            "• 住宅物業計入 3,000 萬元投資移民資產要求：進一步放寬「資本投資者入境"
            "計劃」的門檻，容許住宅物業投資包括在 3,000 萬元的「獲許投資資產」，"
            "讓更多投資者和人才符合計劃要求，同時增加他們的投資彈性，從而吸引他"
            "們來港，為本地經濟作出貢獻。",
            "• 協助專才資金到港置業：與內地金融監管部門溝通，若優才可以提供在港購"
            "置物業的買賣合同，即可調配國內資金到港置業，加強計劃來港專才的信心，"
            "鼓勵他們來港安居樂業。",
            "• 進一步發展家族辦公室業務，鼓勵成員來港發展：加強對家族辦公室成員和"
            "外來專才的後勤生活配套，並就來港投資成立家族辦公室的人士和親屬，以"
            "及創科企業始創人及關鍵人員等給予香港居民身分，提供快捷通道，鼓勵他"
            "們留港發展。",
        ),
    ),
    # A title wrapped onto a second line.
    "2": (
        CHAPTERS[0],
        "完善食品檢驗機制，發揮香港國際機場的空運中轉角色，增強冷鏈國際聯運能力和競爭優勢",
        lines(
            "• 完善香港轉口食品的檢驗機制，發揮物流優勢，滿足內地需求，包括爭取內"
            "地把更多低風險生鮮產品納入《跨境電子商務零售進口商品清單》；進一步"
            "善用港珠澳大橋和其他口岸設施進行生鮮食品雙向運輸；設立香港預檢進口"
            "內地食品的「綠色通道」；善用「灣區標準」，減省中轉食品的檢驗要求等。",
            "• 目前在東莞設有臨時物流園。建議向中央政府爭取設立冷庫設施，以密封式"
            "經香港國際機場轉口往灣區內地城市的抵港新鮮貨品，直接循海路運往東莞"
            "清關，而貨品在進入內地時可獲減免關稅，以進一步善用機場三跑道的容量"
            "和優勢。",
            "• 同時，爭取在珠江西岸（如珠海）設立另一個物流園和冷庫設施，進一步便"
            "利新鮮食品經香港轉口，充份發揮香港國際機場的空運中轉角色，鞏固香港"
            "作為國際航空和物流樞紐的優勢地位。",
            "• 新增連接香港國際機場和珠海等更多灣區城市的海天中轉大樓客運服務，便"
            "利旅客經香港來往大灣區西部地區。",
        ),
    ),
    # Lead paragraph, sub-headings, sub-bullets, letter-spaced lines, page number "7" inside.
    "3": (
        CHAPTERS[0],
        "善用香港獨特優勢，加強發展跨境電商產業",
        lines(
            "中國已發展成為全球最大的零售電商市場，2022 年跨境電商市場規模達到 16 "
            "萬億元人民幣。香港應把握國家賦予「八大中心」（當中包括國際貿易中心、國"
            "際航運中心和國際航空樞紐）的定位，強化作為內地與國際的「超級聯繫人」角"
            "色，把握跨境電商市場的龐大機遇。",
            "進一步強化香港貿易發展局在跨境電商的工作",
            "• 加強對香港貿易發展局的資源投放，包括：",
            "• 推動展覽及會議創新，在香港舉行的國際級展覽進一步推廣「展覽 +」"
            "(EXHIBITION+)線上線下融合模式，將實體展中的面對面互動和洽商，"
            "延伸至網上智能配對平台。",
            "• 完善智能商貿配對平台「商對易」（Click2Match）和提供「掃碼易」"
            "（Scan2Match）服務，帶動線下至線上的商貿連接，讓買家可以在實體"
            "展期間，使用 HKTDC Marketplace App 的「掃碼易」功能，掃描展商的"
            "專屬二維碼，收藏有興趣的展商、瀏覽產品資訊及展會互動平面圖，並透"
            "過系統內的短訊功能在實體展期間或之後與展商延續線上商談，繼續採購"
            "之旅，走向更資訊性及數碼化的方向，提昇展覽體驗。",
            "• 配合人工智能的大勢所趨，進一步推動貿發局通過 EXHIBITION+ 和 "
            "HKTDC Marketplace App 收集的數據，以人工智能提高商貿配對效率。",
            "• 加強對本地和海外宣傳香港在電商領域的基建優勢和政策配套，進一步協助"
            "本地和內地企業把握電商潮流的龐大機遇。",
            "• 延長香港貿易發展局「內地發展支援計劃」，協助企業開拓「企業對顧客」的"
            "跨境電商市場，包括擴大海關綠色通道的涵蓋貨品範圍，並設立用於直播帶"
            "貨或拍攝短視頻的直播間供企業租用，協助企業開拓新營銷通路。",
            "• 委託香港貿易發展局或商會接洽主要的內地和國際電商經營者，並參考「店"
            "中店」的概念，在電商平台上建立常設性的「香港市集」專區，以幫助港商"
            "特別是中小企業鋪設經常性的網購和推廣渠道。",
            "爭取國家政策支持",
            "• 爭取中央支持，協助港企把握國家「絲路電商」合作先行區的機遇；同時加"
            "強與海外經濟體的溝通，確保港商在利用跨境電商平台在海外市場銷售產品"
            "時，不會受到阻礙和無形的貿易壁壘限制。",
            "• 推動兩地電商合作，打造「香港電商購物節」，同時爭取國家擴大《跨境電"
            "子商務零售進口商品清單》的覆蓋門類。",
            "本地財政支援",
            "• 擴展「BUD 專項基金－電商易」的適用範圍，由內地延伸至東盟等其他海外市場。",
            "• 重推「遙距營商計劃」或設立「電子商貿支援計劃」，為有意設立電子商貿平"
            "台或運用數碼科技的企業提供資助，協助港商拓展大灣區跨境電商業務。",
        ),
    ),
    # Sub-headings; followed by the 「高質惠民」 sub-section and its intro, which stay out.
    "7": (
        CHAPTERS[0],
        "發展新質生產力",
        lines(
            "聚焦以高附加值生產性服務業為代表的「新服務」，以戰略性新興產業和未"
            "來產業為代表的「新製造」，和以全球化和數字化為代表的「新業態」，加快香"
            "港發展新質生產力。",
            "以「新服務」發展新質生產力",
            "• 大力發展混合融資、綠色和可持續金融：持續豐富綠色金融產品，貢獻更多"
            "新質生產力，成為國際混合融資的重要平台，擔當橋樑角色，協助更多內地"
            "企業「走出去」之餘，協助「一帶一路」基建和能源轉型。",
            "• 加快構建跨國供應鏈管理中心：憑藉香港在專業服務（如檢測及認證）的優"
            "勢，加上中央和特區政府的政策支持，香港絕對有能力進一步提升在傳統行"
            "業跨國供應鏈中的位置。",
            "• 發揮生產性服務業優勢，擴大兩地專業資格互認：推動本地生產性服務業行"
            "業機構與內地省市相關協會簽訂合作備忘錄和資格互認意向書，用好香港生"
            "產性服務業優勢助推國家發展「新服務」，亦擴闊業界人士的發展空間。",
            "• 發揮聯通中外和品牌建設優勢，助力中國品牌「走出去」：憑藉香港在公關、"
            "廣告、形象顧問、市場策劃行業發展成熟，經驗豐富，緊貼國際市場最新潮"
            "流的優勢，助力中國品牌做好品牌建設工作。",
            "• 用好高等教育和專才優勢，加強創科教育，培育新質生產力人才：加強大專、"
            "中學和在職的創科教育和培訓，培育本地人才，並優化「高端人才通行證」"
            "計劃，讓院校整體未打入全球百強、學科本身名列前茅的 STEM 或新興產業"
            "相關學科畢業生來港，精準吸引發展新質生產力非本地人才。",
            "• 制訂願景規劃，發展低空經濟產業：加快制訂適切的願景規劃，確立香港的"
            "定位和優勢，積極與大灣區內地城市商討加強低空經濟各領域的合作，協調"
            "空域管理、低空飛行及相關的人流物流管理機制等，強化協同效應，同時提"
            "出相應的支援政策和法例修訂。",
            "以「新製造」發展新質生產力",
            "• 重點支持發展醫療健康與生物科技產業：用好港深創新及科技園設立的"
            "「InnoLife Healthtech Hub 生命健康創新科研中心」，以及香港科學園內"
            "聚焦醫療科技的「Health@InnoHK」等基建，利用本港雄厚的基礎科研實力，"
            "發展醫療科技產業，促進三地頂尖科研人員與本港產業進行更多協作。",
            "• 支持發展先進電子部件製造業：用好元朗創新園的微電子中心、微電子研發"
            "院等基建，並憑藉香港在上游研發領域的優勢，加上在智能晶片設計、電子"
            "設計自動化、先進封裝和矽光子學等微電子領域的人才供應，以及國家的政"
            "策支持，為本地發展新質生產力。",
            "• 以北部都會區為新興產業基地，加強宏觀規劃，加快創科集群建設，直接批"
            "地予新興產業龍頭企業：參考內地創科園區的發展模式，直接批地予有關企"
            "業，讓企業自行設計並興建貼合業務需求的設施，包括生產廠房、具規模的"
            "研發和設計中心、員工宿舍等，用好私人力量提升建設速度、提高成本效益。",
            "• 制訂結合新興和傳統產業的新型工業化策略，加快研發成果轉化落地：工業"
            "專員亦須強化工作效能，推動傳統產業結合創科，建構完善的產業鏈，為傳"
            "統產業開拓更廣闊的發展空間；同時，加快研發成果轉化和先進製造技術落"
            "地，促進產學研協作，以及強化與創科相關的財政支援。",
            "以「新業態」發展新質生產力",
            "• 發展電商和網絡服務產業：通過香港貿易發展局等本地工商支援機構，協助"
            "灣區內地城市的企業利用創科發展電商業務，並為依託電子商貿和數字經濟，"
            "並對數據和網絡容量有龐大需求的先進產業（如騰訊、阿里巴巴等）提供支"
            "持，作為其產業發展和業務拓展的跳板。",
            "• 專業界別推動國家規則標準對標國際先進水平，會議展覽促進內外貿一體化："
            "更積極參與「灣區標準」和「灣區認證」的制訂工作，推動灣區檢測認證標"
            "準對標國際最高、最新標準；與內地會議展覽業界加強協作，舉辦更多聚焦"
            "新興產業的旗艦會議展覽，並爭取在港舉辦繼進博會和消博會後，第三個以"
            "高端消費產品和進口內地市場為主題的國家級商品交易會。",
            "• 完善數字基建，滿足數字經濟發展需要：及早謀劃數據中心和超算中心的中"
            "長期發展，為運算設備升級訂下時間表，確保提供足夠的容量和算力，滿足"
            "數字經濟發展需要。",
            "• 對接大灣區發展，擴大數據跨境流動：推動香港與內地優勢互補，形成更龐"
            "大、更具競爭力的創科集群；盡快檢視《粵港澳大灣區（內地、香港）個人"
            "信息跨境流動標準合同》首階段安排，優化當中細節，將便利措施擴展至其"
            "他產業，涵蓋所有新興產業。",
            "• 構建「雙循環」產業互聯網交流平台，打造國際信息中心：積極向中央爭取，"
            "將香港定位為「雙循環」產業互聯網交流平台，推動更多內地企業使用香港"
            "平台，助力「雙循環」發展；增加對香港貿易發展局的投入，支持貿發局打"
            "造「雙循環」產業互聯網交流平台並舉辦高峰論壇。",
        ),
    ),
    # The last proposal before the 「高質治理」 sub-section.
    "9": (
        CHAPTERS[0],
        "派發「多子女幸福卡」，以更進取方法鼓勵生育",
        lines(
            "• 向擁有兩名子女以上的家庭發出「多子女幸福卡」，提供免費使用公共設施、"
            "獲得交通折扣優惠等福利。",
            "• 恆常化「新生嬰兒獎勵金」計劃，並參考海外經驗，向養育 0-6 歲兒童的家"
            "庭每月派發津貼，並按每個家庭的子女數目實行分級累進安排。",
            "• 大幅提高子女免稅額，並為多名子女的免稅額分級實行累進安排，同時為幼"
            "兒服務開支及外傭工資提供扣稅。",
            "• 參考海外例子，為生第二胎或以上的家庭共同支付輔助生育服務的費用，鼓"
            "勵下一代建立多子女家庭。",
        ),
    ),
    # Right after a chapter change (二、) and a sub-section (甲、).
    "12": (
        CHAPTERS[1],
        "明確北部都會區產業定位，與深圳規劃相銜接",
        lines(
            "• 配合《河套深港科技創新合作區深圳園區發展規劃》，盡快明確香港園區的"
            "產業定位；通過「對接北部都會區發展策略專班」機制，加強香港與深圳兩"
            "地政府的政策溝通和協調，與深圳規劃相銜接。",
            "• 着力細化北部都會區的實體規劃和布局，清晰界定新田科技城、港深創新及"
            "科技園及沙嶺三者在創科產業方面的分工，進行詳細規劃，避免與科學園及"
            "數碼港功能重疊。",
            "• 繼續向內地爭取在「一區兩園」內試行更多專屬跨境政策，發揮好「一國兩"
            "制」的獨特優勢，包括落實「河套深港科技創新合作區聯合政策包」下的各"
            "項措施，進一步擴大適用的行業、企業、項目和人才。",
            "• 盡快就北部都會區的具體融資方式（如推展公私營合作、發債集資、善用未"
            "來基金儲備等）定案，並主動接洽私人發展商和土地擁有人，加快推展相關"
            "發展計劃。",
        ),
    ),
    # A footnote marker ("…生活補助。 1"); the footnote text, printed inside #43, comes here.
    "42": (
        CHAPTERS[3],
        "提供財政資助、稅務誘因和行業「套餐」，吸引境外企業和人才",
        lines(
            "• 成立專項的「搶企業」和「搶人才」基金，由基金公司甄選業內龍頭企業或"
            "潛質優厚的初創企業，為這些企業提供補貼或「握手費」，以及針對特定行"
            "業的「套餐」，同時向合資格人才提供足夠的生活補助。",
            "• 進一步優化稅制，降低企業標準利得稅率至 15%；加快落實稅務改革，審視"
            "並提升針對特定產業（例如傳統工商業）的稅務政策積極性，同時做到「搶"
            "企業」和「保企業」。",
            "註1：以立法會考察團今年 7 月訪問的廈門市為例，當地人才政策分為 5 大類，"
            "其中領軍人才可得到 100 至 600 "
            "萬元人民幣不等的工作生活補助或創業扶持資金，亦可以優先享受人才住房政策。"
            "至於針對在廈門海滄生"
            "物醫藥港的企業，亦提供過百萬的研發補助和產業化獎勵。廈門海滄生物醫藥港"
            "至今吸引了 460 人次的高"
            "層次人才進行產業化，並已有 400 多間企業落戶，包括多家行內龍頭企業。",
        ),
    ),
    # The footnote lines printed between its bullets stay out of it.
    "43": (
        CHAPTERS[3],
        "鼓勵更多旗艦會議和展覽在港舉行，鞏固商務旅遊城市地位",
        lines(
            "• 推動香港與內地在會議展覽業上的協作，共同舉辦大型論壇、展覽會和國際"
            "會議等，用好香港「雙接軌」優勢。",
            "• 爭取中央支持兩地聚焦合辦創科、新興產業、商貿類展覽會及論壇，配合「十"
            "四五」規劃對香港的定位。",
            "• 加強投資推廣署、香港貿易發展局和香港旅遊發展局會展獎勵旅遊（MICE）"
            "部門的跨局協作，鼓勵和資助更多國際商會組織統籌來港舉行大型年會。",
        ),
    ),
    # Sub-headings, and a wrapped line "2.0》，…" that is not proposal 2.
    "57": (
        CHAPTERS[4],
        "與業界合作，鼓勵旅遊業界開展工業旅遊",
        lines(
            "政策支援",
            "• 為工業旅遊等特色旅遊景點設立評級和認證機制，並加強投放資源，資助業"
            "界和團體為景點作維護、宣傳和活動統籌。",
            "• 將發展工業旅遊的策略和執行措施納入準備推出的《香港旅遊業發展藍圖 "
            "2.0》，與各持分者商議，打造具香港特色的工業旅遊景點及展覽。",
            "• 於北部都會區規劃中的「宜遊」項目引入高科技工業旅遊的元素，配合北部"
            "都會區打造創科和新型工業化重鎮的定位。",
            "• 設立工業博物館，並於相關景點中加入 AI 等創新科技，讓旅客可透過 VR（虛"
            "擬實境）等科技，「置身」故事場景，體驗「香港製造」的發展歷程。",
            "• 由政府帶動，聯同業界，每年舉辦「香港工業節」，讓旅客能在購買工業產"
            "品時，同時細說香港昔日的工業故事。",
            "財政支援",
            "• 透過設立專項扶持計劃或者擴闊現有基金（例如「新型工業化資助計劃」或"
            "「發展品牌、升級轉型及拓展內銷市場的專項基金」）的使用範圍，為有意"
            "發展觀光工業的企業提供資助和津貼。",
            "• 設立專項基金，鼓勵及資助業界參與，由民間協力推動發展。申請基金條件"
            "可列明須聘請導賞員等，創造就業機會。",
            "• 將工業旅遊包含於「本地特色旅遊鼓勵計劃」之內，向旅行代理商提供鼓勵"
            "金，以加大業界開發和經營工業旅遊路線的誘因。",
        ),
    ),
    # A bullet broken by the page number "39".
    "90": (
        CHAPTERS[6],
        "積極推動智慧出行",
        lines(
            "• 盡快制訂關於自動駕駛的藍圖和策略，就如何在本港推動自動車的研發應用"
            "和測試訂立清晰目標。",
            "• 聯同業界，加強與內地的交流和合作，包括 5G 技術、大數據分析及車聯網"
            "等技術的研發，以及與自動車的有關法例、規則及標準的銜接，促進本港與"
            "內地在自動駕駛技術和車聯網等方面互聯互通。",
            "• 善用現有資源，包括「創新及科技基金」和「智慧交通基金」，為自動駕駛"
            "相關科研提供更多資助。",
            "• 積極推動使用電動可移動工具，尤其是在新發展區（如「北部都會區」、交"
            "椅洲人工島），作為主流短途接駁工具，以連接乘搭大型交通工具。",
        ),
    ),
    # A closing note paragraph after the bullets.
    "97": (
        CHAPTERS[7],
        "放寬按揭成數，減輕「上樓」成本，完善置業階梯",
        lines(
            "• 堅守自由經濟，相信市場自然調節的功能，不再以人為手段干預住宅物業市"
            "場，以促進市場開放和健康發展。",
            "• 放寬購置第二套自住住宅物業的按揭成數，調整至與首套自住住宅物業一致，"
            "減低首期資金投入，激活換樓鏈，並容許原自住住宅物業亦可作出租用途，"
            "增加租樓市場的供應。",
            "• 探討進一步提高按揭成數和放寬按揭保險條件，協助市民「上車」；同時促"
            "請銀行加快處理買家的按揭審批，審視住宅物業市場的貸款額度，以及繼續"
            "為工商物業單位就估值繼續再融資及貸款續期。",
            "• 檢討以往曾經推出而具有成效的協助市民置業安居的方案，例如可重新推出"
            "優化版的「首次置業貸款計劃」和「夾心階層住屋計劃」等。",
            "• 積極考慮重推租置計劃，讓公屋租戶以低廉價格購買單位，提高市民歸屬感；"
            "盡早為租置屋邨重建進行規劃和統籌，提供更優質和更大面積的單位，增加"
            "市民的購買意欲。",
            "（更多協助青年置業安居的建議，可見青年部分）",
        ),
    ),
    # Under a chapter heading wrapped onto two lines; with sub-headings.
    "104": (
        CHAPTERS[8],
        "推動銀髮經濟，讓長者展所長",
        lines(
            "鼓勵和協助銀髮族貢獻社會、積累財富",
            "• 增設「銀髮創業基金」，為有志創業的長者提供導師培訓、資金援助、營商指導等支援。",
            "• 完善「中高齡就業計劃」，增加津貼金額，釋放本地已退休但有能力長者的"
            "勞動力，為他們提供適切培訓，提供更多如陪月班、專業班、兼職班等的課"
            "程。",
            "• 公開招募退休人士加入「共創明 teen 計劃」及關愛隊，讓「銀髮勞動力」可"
            "以參與協助社會解決問題。",
            "• 延長政府及公營機構的退休年齡，鼓勵非政府組織和私營機構跟隨，讓年滿 "
            "65 歲的僱員可繼續為社會貢獻。",
            "• 參考內地和外國做法，推出「時間銀行」計劃，鼓勵 60 歲至 70 歲但仍然有"
            "心有力的退休人士參與，透過從事義工的方式累積時數以換取免費服務，讓"
            "無親無故的空巢長者，能在有需要時得到其他義工協助，從而推動長者自我"
            "賦能，延續長者貢獻社會和助人自助的精神。",
            "推進科技賦能，發展銀髮消費",
            "• 參考長者醫療券，以類似形式向長者發放特定津貼，以誘發市場正視、並使"
            "用樂齡產品，直接及間接地為銀髮市場創造商機。",
            "• 推動傳統養老產業與智慧養老跨界合作創新。選擇養老機構作為示範點，將"
            "智慧養老技術應用於實際場景，以案例推動行業發展，讓老年人直觀了解和"
            "體驗新技術。",
            "• 擴大「社會創新及創業發展基金」下樂齡科技平台的功能，資助香港資訊科"
            "技界開發針對長者及照顧者需要的應用程式，透過科技協助連繫照顧者與被"
            "照顧者。",
            "• 鼓勵醫療、養老、房地產、旅遊等行業與科技公司合作，共同開發新的養老服務模式和產品。",
            "• 在大灣區劃撥銀髮生活智慧城市及區域，包括醫療日用產品，廉價銀髮生活"
            "區，提供環境優美及適合長者的消遣娛樂節目及消費項目等。",
        ),
    ),
    # A lead paragraph; the first proposal after a chapter change (十二、) and 甲、.
    "129": (
        CHAPTERS[11],
        "積極吸引更多「一帶一路」學生來港就學",
        lines(
            "來自「一帶一路」沿線國家學生就讀八大資助本科或研究生課程的數目，由 "
            "2012/13 學年約 1,900 名增至 2022/23 學年約 4,600 人，十年間增幅達 1.4 倍。然"
            "而，目前每年「一帶一路獎學金」名額只有 100 個（2024/25 年度起增至 150 個），"
            "為吸引更多「一帶一路」學生來港就學，鞏固香港國際教育樞紐的地位，建議：",
            "• 進一步增加「一帶一路獎學金」的名額，讓更多來自「一帶一路」的傑出學"
            "生來香港升讀資助全日制大學課程，並考慮為更多東盟地區設立專屬的獎學"
            "金計劃，以及為有需要的東盟學生提供生活津貼。",
            "• 鼓勵本港的職業專才教育機構，開設切合東盟國家人力資源需求的課程，以"
            "吸引東盟學生來港學習；促進香港院校與在港的國際企業合作，為東盟學生"
            "提供更多實習機會，擴闊他們的國際視野。",
            "• 支援院校推展宿舍項目，增加宿位供應，更好照顧非本地學生的住宿需要，"
            "同時放寬全日制非本地本科生參與兼職工作的限制。",
            "• 通過駐「一帶一路」國家的香港經濟貿易辦事處，協助組織推廣活動（例如"
            "教育博覽、講座及論壇等），邀請香港院校參與，並設立面向東盟學生的資"
            "訊平台，整合有關本港專上教育和職業專才教育的資訊。",
        ),
    ),
    # The last proposal, before the end mark "－完－".
    "148": (
        CHAPTERS[12],
        "擴大消費者委員會的權力，進一步保護消費者權益",
        lines(
            "• 考慮立法加大消費者委員會的權力，規管預繳式消費、成立消費者保障基金；"
            "協助受影響人士使用，同時給予基金更大的酌情權，令消委會有能力代表消"
            "費者共同展開訴訟，捍衛市民權益。",
        ),
    ),
}


@pytest.mark.parametrize("label", list(GOLDEN))
def test_golden_record(by_label: dict[str, ParsedRecommendation], label: str) -> None:
    chapter, title, text = GOLDEN[label]
    record = by_label[label]
    assert record.key == label
    assert record.section_path == (chapter,)
    assert record.title == title
    assert record.text == text


# --- the layout rules on a small made-up document ----------------------------------------------

MINI = "\n".join(
    [
        "提要：",
        "第一，發展。",
        "1.  不是建議  ",
        " 一、  第一章的標題很長，",
        "",
        "續到第二行  ",
        " ",
        "1.",
        "",
        "只有編號的一行之後的標題  ",
        " ",
        "\uf06c  第一點，見藍圖",
        "2.0》的內容。  ",
        "\uf06c  第二點提供補助。 1 ",
        " ",
        "5 ",
        "                 ",
        "1",
        " 註腳的文字，",
        "跨兩行。 ",
        "二、  第二章  ",
        "甲、  分節  ",
        "2.  第二項  ",
        "\uf0d8  子項目  ",
        "－完－",
    ]
)


def test_mini_document() -> None:
    records = parse(MINI)
    assert [(r.label, r.title, r.section_path) for r in records] == [
        ("1", "只有編號的一行之後的標題", ("一、第一章的標題很長，續到第二行",)),
        ("2", "第二項", ("二、第二章",)),
    ]
    assert records[0].text == lines(
        "• 第一點，見藍圖 2.0》的內容。",
        "• 第二點提供補助。",
        "註1：註腳的文字，跨兩行。",
    )
    assert records[1].text == "• 子項目"
    kinds = [(piece.kind, piece.text) for piece in trace(MINI, load_rules(DOCUMENT.rules))]
    assert (PAGE, "5") in kinds
    assert (FOOTNOTE_MARK, "1") in kinds
    assert (HEADING, "甲、分節") in kinds
    assert (END, "－完－") in kinds
    assert non_space("".join(text for _, text in kinds)) == non_space(MINI)
