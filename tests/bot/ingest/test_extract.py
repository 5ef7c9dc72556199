"""Text extraction: type by content, PDF/DOCX/TXT round trips of the real sources, clear errors."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from docx import Document

from bot.core.resources import sources_dir
from bot.ingest.clean import non_space
from bot.ingest.document import ParsedRecommendation
from bot.ingest.extract import (
    MAX_BYTES,
    MAX_UNZIPPED_BYTES,
    ExtractError,
    detect_kind,
    extract_text,
)
from bot.ingest.layouts import parser_for
from bot.ingest.sources import SourceDocument, read_manifest
from tests.bot.ingest.documents import cjk_font, make_docx, make_pdf

# The sources whose PDF round trip gives the very same records. bpa24 reads paragraph ends from
# the whitespace its original extraction left, which a new PDF's page breaks cannot reproduce:
# its records match but for line breaks inside 17 texts. fhki23 reads page and paragraph breaks
# from that whitespace too, and does not parse from a regenerated PDF at all.
ROUND_TRIP = ("cma23", "cma24", "legco24")


@pytest.fixture(scope="session")
def font(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CJK test font as a .ttf."""
    return cjk_font(tmp_path_factory.mktemp("font"))


def _document(slug: str) -> SourceDocument:
    return next(doc for doc in read_manifest(sources_dir()) if doc.slug == slug)


def _records(document: SourceDocument, text: str) -> list[tuple[object, ...]]:
    return [
        (item.key, item.label, item.title, item.text, item.section_path, item.bureaux)
        for item in parser_for(document.layout, document.rules)(text)
    ]


@pytest.mark.parametrize("slug", ROUND_TRIP)
def test_pdf_of_a_source_parses_to_the_same_records(slug: str, font: Path) -> None:
    document = _document(slug)
    raw = document.read_text()
    pdf = make_pdf(raw, font, page_numbers=False)  # the text holds its own page numbers
    assert detect_kind(pdf) == "pdf"
    expected = _records(document, raw)
    assert len(expected) > 10
    assert _records(document, extract_text(pdf)) == expected


def test_pdf_of_bpa24_gives_the_same_records_but_for_line_breaks(font: Path) -> None:
    document = _document("bpa24")
    raw = document.read_text()
    parse = parser_for(document.layout, document.rules)
    from_pdf = parse(extract_text(make_pdf(raw, font, page_numbers=False)))
    expected = parse(raw)
    assert len(from_pdf) == len(expected) == 148

    def folded(records: list[ParsedRecommendation]) -> list[tuple[object, ...]]:
        return [(r.key, r.label, r.title, r.section_path, non_space(r.text)) for r in records]

    assert folded(from_pdf) == folded(expected)
    assert sum(a.text == b.text for a, b in zip(from_pdf, expected, strict=True)) >= 131


@pytest.mark.parametrize("slug", ["cma23", "bpa24"])
def test_docx_of_a_source_parses_to_the_same_records(slug: str) -> None:
    document = _document(slug)
    raw = document.read_text()
    docx = make_docx(raw)
    assert detect_kind(docx) == "docx"
    assert _records(document, extract_text(docx)) == _records(document, raw)


def test_pdf_keeps_line_order_and_cjk(font: Path) -> None:
    lines = ["一、第一章", "1. 建議甲（發展局）", "(a) 細項①", "第二頁的內容"]
    text = extract_text(make_pdf("\n".join(lines * 30), font))
    found = [line.strip() for line in text.splitlines() if line.strip() in lines]
    assert found == lines * 30


def test_docx_tables_and_automatic_numbering_are_text() -> None:
    document = Document()
    document.add_paragraph("一、總論")
    document.add_paragraph("支援中小企", style="List Number")
    document.add_paragraph("推動創科", style="List Number")
    document.add_paragraph("要點", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "措施"
    table.cell(0, 1).text = "設立專項基金"
    buffer = io.BytesIO()
    document.save(buffer)
    assert extract_text(buffer.getvalue()).splitlines() == [
        "一、總論",
        "1. 支援中小企",
        "2. 推動創科",
        "• 要點",
        "措施 設立專項基金",
    ]


def test_text_files_utf8_with_or_without_bom() -> None:
    text = "一、總論\n1. 支援中小企，設立專項基金協助轉型。\n"
    assert extract_text(text.encode("utf-8")) == text
    assert extract_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _blank_pdf(font: Path) -> bytes:
    return make_pdf("", font)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda font: b"", "empty"),
        (lambda font: b"  \n ", "empty"),
        (lambda font: b"%PDF-1.7\n" + b"\x00garbage" * 50, "corrupt or unreadable PDF"),
        (lambda font: b"PK\x03\x04" + b"\x00" * 40, "corrupt zip"),
        (lambda font: _zip({"mimetype": b"application/epub+zip"}), "not a Word .docx"),
        (lambda font: _zip({"word/document.xml": b"<not xml"}), "corrupt Word document"),
        (lambda font: bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 100, ".doc"),
        (lambda font: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unsupported file type"),
        (lambda font: "政策建議書".encode("big5") * 10, "not UTF-8"),
        (lambda font: b"x" * (MAX_BYTES + 1), "larger than 20 MB"),
        (_blank_pdf, "no text layer"),
    ],
)
def test_bad_files_are_rejected_with_a_clear_error(make, message: str, font: Path) -> None:
    with pytest.raises(ExtractError, match=message):
        extract_text(make(font))


def _lying_docx(inflated: int, claimed: int) -> bytes:
    """A real .docx whose word/document.xml inflates to `inflated` bytes while both its local
    and its central directory header claim `claimed`."""
    with zipfile.ZipFile(io.BytesIO(make_docx("一、建議\n"))) as original:
        members = [(info, original.read(info)) for info in original.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members:
            if info.filename != "word/document.xml":
                archive.writestr(info, content)
                continue
            with archive.open("word/document.xml", "w") as member:
                chunk = b"<w:p/>" * (1 << 17)
                for _ in range(inflated // len(chunk) + 1):
                    member.write(chunk)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        target = archive.getinfo("word/document.xml")
    assert target.file_size > inflated
    struct.pack_into("<I", data, target.header_offset + 22, claimed)  # local header
    central = data.index(b"PK\x01\x02")
    while True:  # the central directory entry of word/document.xml
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == b"word/document.xml":
            break
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, claimed)  # central directory
    return bytes(data)


def test_a_docx_whose_headers_lie_is_refused_while_inflating() -> None:
    bomb = _lying_docx(MAX_UNZIPPED_BYTES + (1 << 20), claimed=1000)
    assert len(bomb) < MAX_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(ExtractError, match="inflates to more than") as refused:
            extract_text(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == "too_large"
    assert peak < 32 * 1024 * 1024  # read in bounded pieces, never inflated whole


def test_a_docx_that_inflates_within_the_cap_is_read() -> None:
    text = extract_text(make_docx("一、建議\n(1) 設立中試中心，支援新型工業化發展。\n"))
    assert "設立中試中心" in text
