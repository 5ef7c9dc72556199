"""Build real PDF and Word files from text inside the tests: a CJK font from a PyPI package
(WenQuanYi Micro Hei, shipped by `paperang-p2-fonts-cjk`) for PDFs, python-docx for .docx."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import paperang_p2_fonts_cjk
from docx import Document
from fontTools.ttLib import TTCollection
from fpdf import FPDF

# Wingdings bullets of the original extraction: a real PDF carries the font's own glyph; the
# test font has none for these private-use code points, so the bullet character stands in.
_PRIVATE_BULLETS = str.maketrans({"\uf06c": "•", "\uf0d8": "•"})


@cache
def cjk_font(directory: Path) -> Path:
    """The first face of the package's TrueType collection, saved as a .ttf (fpdf2 needs one)."""
    collection = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    target = directory / "wqy-microhei.ttf"
    if not target.exists():
        TTCollection(str(collection)).fonts[0].save(str(target))
    return target


def make_pdf(
    text: str, font: Path, *, header: str | None = None, page_numbers: bool = True
) -> bytes:
    """One PDF line per line of `text` (blank lines skipped), with page numbers in the footer
    and an optional running header, as real submissions have (no page numbers of its own for
    a text that already holds its original ones)."""
    pdf = FPDF(format="A4")
    pdf.add_font("cjk", fname=str(font))
    pdf.set_auto_page_break(auto=True, margin=20)

    def footer() -> None:
        pdf.set_y(-15)
        pdf.cell(0, 6, str(pdf.page_no()), align="C")

    if page_numbers:
        pdf.footer = footer  # type: ignore[method-assign]
    if header is not None:

        def running_header() -> None:
            pdf.cell(0, 6, header, new_x="LMARGIN", new_y="NEXT")

        pdf.header = running_header  # type: ignore[method-assign]
    pdf.set_font("cjk", size=8)
    pdf.add_page()
    for line in text.translate(_PRIVATE_BULLETS).splitlines():
        if line:
            pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_docx(text: str) -> bytes:
    """One Word paragraph per non-blank line of `text`."""
    document = Document()
    for line in text.translate(_PRIVATE_BULLETS).splitlines():
        if line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_paged_pdf(
    pages: Sequence[str], font: Path, header: Sequence[str], footer: str = "- {page} -"
) -> bytes:
    """Each text on a page of its own (long lines wrap), under a running header of these lines
    (an organisation and a title, say) and above a footer ({page}: the page's number): the
    furniture a parser must tell from the content."""
    pdf = FPDF(format="A4")
    pdf.add_font("cjk", fname=str(font))
    pdf.set_auto_page_break(auto=False)

    def running_header() -> None:
        for line in header:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

    def page_footer() -> None:
        pdf.set_y(-15)
        pdf.cell(0, 6, footer.format(page=pdf.page_no()), align="C")

    pdf.header = running_header  # type: ignore[method-assign]
    pdf.footer = page_footer  # type: ignore[method-assign]
    pdf.set_font("cjk", size=10)
    for text in pages:
        pdf.add_page()
        for line in text.splitlines():
            if line.strip():
                pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_docx_with_table(before: str, rows: Sequence[Sequence[str]], after: str = "") -> bytes:
    """Paragraphs (one per non-blank line of `before`), then a table of `rows` (the first one
    its header row), then the paragraphs of `after`."""
    document = Document()
    for line in before.splitlines():
        if line.strip():
            document.add_paragraph(line)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for cells, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(cells.cells, values, strict=True):
            cell.text = value
    for line in after.splitlines():
        if line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
