"""Generic parser for figures stated in running text: plain-text pages, the text of HTML
articles (outside their tables) and the text of PDF reports (outside their tables)."""

from __future__ import annotations

from dataclasses import replace

from pdfplumber.page import Page

from parsers.html_document import read_html, readable_text
from parsers.media import HTML, PDF, TEXT, decode_text
from parsers.model import Document, Figure
from parsers.pdf_document import fix_rtl, open_pdf, pages, pages_with_paths
from parsers.pdf_text import body_chars_filter, read_body
from parsers.periods import Period, find_periods, period_of_title
from parsers.prose_grammar import extract_figures
from parsers.registry import Parser


def _default_period(title: str | None, text: str, document: Document) -> Period | None:
    """The document's reporting period: from its title, else its first line, else the first
    period its opening paragraph names (press releases state it in the first sentence)."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    for candidate in (title, first_line[:200]):
        period = period_of_title(candidate, document.published)
        if period is not None:
            return period
    found = find_periods(text[:400], document.published)
    return found[0][2] if found else None


def parse(document: Document) -> list[Figure]:
    """Figures in the document's prose."""
    if document.media_type == PDF:
        return _parse_pdf(document)
    if document.media_type == HTML:
        page = read_html(document.content, document.charset)
        text = readable_text(page.soup)
        title = document.title or page.title
        return extract_figures(
            text,
            published=document.published or page.published,
            default_period=_default_period(title, text, document),
            locator_kind="html_text",
            title=title,
            country=document.country,
        )
    text = decode_text(document.content, document.charset)
    return extract_figures(
        text,
        published=document.published,
        default_period=_default_period(document.title, text, document),
        locator_kind="text",
        title=document.title,
        country=document.country,
    )


def _page_lines(page: Page, tables_possible: bool) -> list[str]:
    """The text lines of a page outside its tables, without superscript footnote marks."""
    outside = page
    if tables_possible:
        for table in page.find_tables():
            outside = outside.outside_bbox(table.bbox)
    smallest = body_chars_filter(outside.chars)
    if smallest:
        outside = outside.filter(
            lambda obj: obj.get("object_type") != "char" or float(obj.get("size", 0)) >= smallest
        )
    return fix_rtl(outside.extract_text() or "").splitlines()


def _parse_pdf(document: Document) -> list[Figure]:
    ruled = pages_with_paths(document.content)  # pages that can hold a table at all
    with open_pdf(document.content) as pdf:
        page_lines = [
            _page_lines(page, ruled is None or number in ruled) for number, page in pages(pdf)
        ]
    body = read_body(page_lines)
    figures = extract_figures(
        body.text,
        published=document.published,
        default_period=_default_period(document.title, body.text, document),
        locator_kind="pdf_text",
        title=document.title,
        country=document.country,
    )
    return [
        replace(f, locator=replace(f.locator, page=body.page_of(f.locator.char_start or 0)))
        for f in figures
    ]


PARSER = Parser(
    name="prose",
    version="2.0.0",
    media_types=frozenset({TEXT, HTML, PDF}),
    parse=parse,
    description=(
        "Figures in sentences: 'P killed N civilians, including A children and B women', "
        "'N civilians ... at the hands of P', headings that name the perpetrator, dash and "
        "colon lists, ranges, numbers in words."
    ),
    module=__name__,
)
