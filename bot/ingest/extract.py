"""Plain text out of an uploaded or given document: PDF, Word (.docx) or UTF-8 text.

The type is decided by the bytes, never by the file name: `%PDF-` opens a PDF, a zip archive
holding `word/document.xml` is a .docx, anything else must decode as UTF-8. Nothing in a file
is ever executed: PDFs are read by pdfminer.six (text operators only; scripts, forms and
attachments are ignored), .docx by python-docx (XML only; macros are never run, a .docm's
macro part is simply not read).

Word's automatic list numbering ("1.", "(a)", "一、" produced by a list style) is not part of a
paragraph's text. `_WordNumbering` recomputes it from the numbering definitions for the common
formats (decimal, letters, roman, circled, Chinese counting) and puts it in front of the
paragraph, as it would appear in a PDF of the same file; other formats are left out.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from bot.ingest.tables import table_lines

MAX_MB = 20
MAX_BYTES = MAX_MB * 1024 * 1024  # Telegram bots may download at most 20 MB
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a .docx that inflates past this is refused (zip bomb)
MIN_TEXT_CHARS = 20  # fewer non-space characters than this: no usable text layer

PDF = "pdf"
DOCX = "docx"
TXT = "txt"

_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # legacy .doc / .xls
_ZIP_MAGIC = b"PK\x03\x04"


class ExtractError(ValueError):
    """The file cannot be turned into text; the message says why, in one line. `code` names
    the reason for a translated message (`upload.errors.<code>` in the catalogues)."""

    def __init__(self, message: str, code: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def detect_kind(data: bytes) -> str:
    """`pdf`, `docx` or `txt` from the content; ExtractError for anything else."""
    if not data or not data.strip():
        raise ExtractError("the file is empty", "empty")
    if len(data) > MAX_BYTES:
        raise ExtractError(f"the file is larger than {MAX_MB} MB", "too_large", limit=MAX_MB)
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if data.startswith(_ZIP_MAGIC):
        return _zip_kind(data)
    if data.startswith(_OLE_MAGIC):
        raise ExtractError("old Word/Excel (.doc) format: save it as .docx or PDF first", "doc")
    if b"\x00" in head:
        raise ExtractError(
            "unsupported file type: send a PDF, a Word .docx or a UTF-8 .txt", "type"
        )
    return TXT


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise ExtractError(f"corrupt zip/.docx file ({error})", "corrupt_docx") from error
    if "word/document.xml" not in names:
        raise ExtractError("a zip archive, but not a Word .docx document", "not_docx")
    budget = MAX_UNZIPPED_BYTES
    for member in members:
        budget -= _inflated_size(data, member, budget)
    return DOCX


_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature … file name length, extra field length


def _inflated_size(data: bytes, member: zipfile.ZipInfo, budget: int) -> int:
    """The bytes `member` really inflates to, counted while inflating it piece by piece (its
    headers may lie); ExtractError as soon as that passes `budget`."""
    start = member.header_offset
    try:
        signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, start)
    except struct.error as error:
        raise ExtractError("corrupt zip/.docx file (truncated)", "corrupt_docx") from error
    if signature != _ZIP_MAGIC:
        raise ExtractError("corrupt zip/.docx file (bad local header)", "corrupt_docx")
    start += _LOCAL_HEADER.size + name_length + extra_length
    packed = memoryview(data)[start : start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        size = len(packed)
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        size = _count_inflated(packed, budget)
    else:
        raise ExtractError("corrupt Word document (unusual compression)", "corrupt_docx")
    if size > budget:
        raise _inflates_too_much()
    return size


def _count_inflated(packed: memoryview, budget: int) -> int:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    try:
        for offset in range(0, len(packed), _CHUNK):
            pending = bytes(packed[offset : offset + _CHUNK])
            while pending:
                size += len(inflater.decompress(pending, _CHUNK))
                if size > budget:
                    raise _inflates_too_much()
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as error:
        raise ExtractError(f"corrupt zip/.docx file ({error})", "corrupt_docx") from error
    return size


def _inflates_too_much() -> ExtractError:
    limit = MAX_UNZIPPED_BYTES // (1024 * 1024)
    return ExtractError(
        f"the .docx inflates to more than {limit} MB: refused", "too_large", limit=limit
    )


def extract_text(data: bytes) -> str:
    """The document's text, line by line in reading order; ExtractError when there is none."""
    kind = detect_kind(data)
    text = {PDF: _pdf_text, DOCX: _docx_text, TXT: _plain_text}[kind](data)
    if len(re.sub(r"\s", "", text)) < MIN_TEXT_CHARS:
        if kind == PDF:
            raise ExtractError(
                "the PDF has no text layer (a scan?): send a PDF with real text", "scan"
            )
        raise ExtractError("the file holds no text", "no_text")
    return text


def _plain_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExtractError(
            f"the text file is not UTF-8 (byte {error.start}): save it as UTF-8", "not_utf8"
        ) from error


def _pdf_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text as pdfminer_text  # loaded only when needed
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psexceptions import PSException

    try:
        text = pdfminer_text(io.BytesIO(data), laparams=LAParams())
    except (PDFPasswordIncorrect, PDFEncryptionError) as error:
        raise ExtractError(
            "the PDF is password-protected: send an unprotected copy", "encrypted"
        ) from error
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as error:
        raise ExtractError(
            f"corrupt or unreadable PDF ({type(error).__name__})", "corrupt_pdf"
        ) from error
    # pdfminer ends every page with a form feed; kept, so that the parser can tell running
    # headers and footers by their place (a line break to everything reading lines).
    return text


def _docx_text(data: bytes) -> str:
    from docx import Document  # loaded only when needed
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ExtractError(
            f"corrupt Word document ({type(error).__name__})", "corrupt_docx"
        ) from error
    except Exception as error:  # lxml syntax errors and the like: still a corrupt file
        raise ExtractError(
            f"corrupt Word document ({type(error).__name__})", "corrupt_docx"
        ) from error
    numbering = _WordNumbering(document)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(numbering.label(block) + block.text)
    return "\n".join(lines) + "\n"


def _table_lines(table: Any) -> Iterator[str]:
    """Each row as one line, its distinct cells joined by a space (merged cells repeat); a
    recommendation table's rows marked as records of their own (bot.ingest.tables)."""
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        rows.append(cells)
    yield from table_lines([cells for cells in rows if cells])


_CN_DIGITS = "零一二三四五六七八九"


def _chinese(number: int) -> str:
    if number < 10:
        return _CN_DIGITS[number]
    tens, units = divmod(number, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[units] if units else "")


def _roman(number: int) -> str:
    values: tuple[tuple[int, str], ...]
    values = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"))
    values += ((50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = ""
    for value, symbol in values:
        while number >= value:
            out, number = out + symbol, number - value
    return out


def _letters(number: int) -> str:
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
    "decimalEnclosedCircle": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
    "taiwaneseCounting": _chinese,
    "taiwaneseCountingThousand": _chinese,
}


class _WordNumbering:
    """Recomputes the labels of automatically numbered paragraphs ("%1." → "3.")."""

    def __init__(self, document: Any) -> None:
        self._levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self._counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {node.get(_w("abstractNumId")): node for node in root.iter(_w("abstractNum"))}
        for num in root.iter(_w("num")):
            ref = num.find(_w("abstractNumId"))
            definition = abstract.get(ref.get(_w("val"))) if ref is not None else None
            if definition is None:
                continue
            for level in definition.iter(_w("lvl")):
                self._levels[(num.get(_w("numId")), int(level.get(_w("ilvl"))))] = (
                    _val(level, "numFmt") or "decimal",
                    _val(level, "lvlText") or "",
                    int(_val(level, "start") or 1),
                )

    def label(self, paragraph: Any) -> str:
        """The number Word would print before this paragraph, or ""."""
        numbering = _own_numbering(paragraph._p)
        style = paragraph.style
        while (numbering is None or numbering.numId is None) and style is not None:
            numbering = _own_numbering(style.element)  # a list style numbers its paragraphs
            style = style.base_style
        if numbering is None or numbering.numId is None:
            return ""
        num_id = str(numbering.numId.val)
        level = int(numbering.ilvl.val) if numbering.ilvl is not None else 0
        if (num_id, level) not in self._levels:
            return ""
        counters = self._counters.setdefault(num_id, [0] * 9)
        counters[level] += 1
        for deeper in range(level + 1, 9):
            counters[deeper] = 0
        text = self._levels[(num_id, level)][1]
        for index in range(level + 1):
            fmt, _, start = self._levels.get((num_id, index), ("decimal", "", 1))
            value = counters[index] + start - 1
            shown = _FORMATS.get(fmt, lambda n: "")(value) if fmt != "bullet" else ""
            text = text.replace(f"%{index + 1}", shown)
        fmt = self._levels[(num_id, level)][0]
        if fmt == "bullet":
            return "• "
        if fmt not in _FORMATS:
            return ""
        return text + " " if text and not text.endswith(("、", " ")) else text


def _own_numbering(element: Any) -> Any:
    props = element.pPr
    return props.numPr if props is not None else None


def _w(name: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + name


def _val(node: Any, child: str) -> str | None:
    found = node.find(_w(child))
    return None if found is None else found.get(_w("val"))
