"""Opening PDFs safely and reading their pages one at a time (closing each, to bound memory)."""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

import pdfplumber
import pypdfium2
import pypdfium2.raw as pdfium_c
from bidi import get_display
from pdfplumber.page import Page
from pdfplumber.pdf import PDF

from parsers.model import ParseError

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
MAX_PAGES = 2000
_PDFIUM = threading.Lock()  # PDFium is not thread-safe; the scan is short, so serialize it


@contextmanager
def open_pdf(content: bytes) -> Iterator[PDF]:
    """Open PDF bytes; any failure to read them becomes a ParseError with the cause."""
    if not content.lstrip().startswith(b"%PDF-"):
        raise ParseError("not a PDF: the body does not start with %PDF-")
    try:
        pdf = pdfplumber.open(io.BytesIO(content))
    except Exception as error:  # pdfminer raises many types; all mean "cannot read"
        raise ParseError(f"unreadable PDF: {_describe(error)}") from error
    try:
        yield pdf
    finally:
        pdf.close()


def pages(pdf: PDF) -> Iterator[tuple[int, Page]]:
    """(1-based number, page) pairs; each page is closed once the caller moves on."""
    try:
        count = len(pdf.pages)
    except Exception as error:
        raise ParseError(f"unreadable PDF page tree: {_describe(error)}") from error
    if count > MAX_PAGES:
        raise ParseError(f"PDF has {count} pages, above the {MAX_PAGES} page cap")
    for number in range(1, count + 1):
        try:
            page = pdf.pages[number - 1]
        except Exception as error:
            raise ParseError(f"unreadable PDF page {number}: {_describe(error)}") from error
        try:
            yield number, page
        finally:
            page.close()


def pages_with_paths(content: bytes) -> frozenset[int] | None:
    """1-based numbers of the pages that draw at least one path (line, rectangle or curve).

    pdfplumber's default table finder builds cells from drawn edges only, so a page without a
    path holds no table it could find, and can skip the costly layout analysis. PDFium counts
    a page's paths in about a millisecond. None when PDFium cannot read the file or disagrees
    with pdfplumber on the page count: then every page is searched.
    """
    with _PDFIUM:
        try:
            pdf = pypdfium2.PdfDocument(content)
        except Exception:  # PDFium's errors only mean "cannot pre-scan"; pdfplumber decides
            return None
        try:
            found = set()
            for index in range(len(pdf)):
                page = pdf[index]
                try:
                    if next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]), None):
                        found.add(index + 1)
                finally:
                    page.close()
            return frozenset(found)
        except Exception:
            return None
        finally:
            pdf.close()


def fix_rtl(text: str) -> str:
    """Put right-to-left (Arabic) text extracted in visual order back into logical order.

    pdfplumber returns Arabic letters reversed; python-bidi's reordering restores them and
    keeps digits left-to-right. Text without Arabic is returned unchanged.
    """
    if not text or not _ARABIC.search(text):
        return text
    text = unicodedata.normalize("NFKC", text)
    return "\n".join(get_display(line) for line in text.split("\n"))


def _describe(error: BaseException) -> str:
    inner = error.args[0] if error.args and isinstance(error.args[0], BaseException) else error
    return f"{type(inner).__name__}: {inner}".strip(": ")
