"""Generic parser for figures in PDF tables (pdfplumber).

Handles what monthly reports do: merged header cells, header rows over two lines, a table
that continues on the next page without repeating its header, totals rows, and Arabic text
that pdfplumber returns in visual (reversed) order.

Monthly reports are mostly prose, with tables on a few pages. Table finding needs the layout
of the whole page (pdfminer, pure Python, the cost of PDF parsing), so pages that draw no
lines or rectangles, which cannot hold a ruled table, are skipped after a PDFium pre-scan.
"""

from __future__ import annotations

from pdfplumber.page import Page
from pdfplumber.table import Table
from pdfplumber.utils import crop_to_bbox, extract_text

from parsers.media import PDF
from parsers.model import Document, Figure, Locator, shift_parents
from parsers.pdf_document import fix_rtl, open_pdf, pages, pages_with_paths
from parsers.periods import period_of_title
from parsers.registry import Parser
from parsers.table_figures import Grid, TableContext, figures_from_grid, header_row_count

CAPTION_HEIGHT = 60.0  # points above a table searched for its caption
TITLE_LINE_TOLERANCE = 3.0  # points: characters this close to the topmost are the first line


def _caption(page: Page, table: Table, floor: float = 0.0) -> str:
    """Text in the band just above the table (and below the previous table on the page,
    `floor`): its title or caption."""
    _, top, _, _ = table.bbox
    band_top = max(floor, top - CAPTION_HEIGHT)
    if top - band_top < 2:
        return ""
    near = [c for c in page.chars if c["bottom"] >= band_top and c["top"] <= top]  # cheap first
    band = crop_to_bbox(near, (0, band_top, page.width, top))  # chars only, not a crop
    text = fix_rtl(extract_text(band) or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    if len(lines[-1].split()) < 3 and len(lines) > 1:  # a title wrapped onto a short line
        return f"{lines[-2]} {lines[-1]}"
    return lines[-1]


def _grid(table: Table) -> Grid:
    return [[fix_rtl(cell) if cell else cell for cell in row] for row in table.extract()]


def _first_line(page: Page) -> str:
    """The topmost line of text of a page (a report's title), read from its characters."""
    chars = page.chars
    if not chars:
        return ""
    top = min(char["top"] for char in chars)
    line = [char for char in chars if char["top"] - top <= TITLE_LINE_TOLERANCE]
    return (extract_text(line) or "").strip().split("\n")[0]


def _cell_locator(page_number: int, table_index: int, table: Table):
    rows = table.rows  # a property pdfplumber recomputes on every access

    def locate(row: int, col: int) -> Locator:
        bbox = None
        if row < len(rows) and col < len(rows[row].cells):
            bbox = rows[row].cells[col]
        return Locator(
            kind="pdf_table",
            page=page_number,
            table=table_index,
            row=row,
            col=col,
            bbox=tuple(float(v) for v in bbox) if bbox else None,  # type: ignore[arg-type]
        )

    return locate


def parse(document: Document) -> list[Figure]:
    """Figures in every table of the PDF (pages without drawn lines are skipped)."""
    return parse_pages(document, pages_with_paths(document.content))


def parse_every_page(document: Document) -> list[Figure]:
    """The same figures, searching every page for tables (the reference for the pre-scan)."""
    return parse_pages(document, None)


def parse_pages(document: Document, candidates: frozenset[int] | None) -> list[Figure]:
    """Figures in the tables of the `candidates` pages (1-based; None: every page)."""
    figures: list[Figure] = []
    previous_header: Grid | None = None
    previous_caption = ""
    previous_width = 0
    default_period = period_of_title(document.title, document.published)
    title = document.title or ""
    with open_pdf(document.content) as pdf:
        for number, page in pages(pdf):
            if number == 1 and not title:
                title = _first_line(page)[:200]
            if number == 1 and default_period is None:
                default_period = period_of_title(title, document.published)
            if candidates is not None and number not in candidates:
                continue
            floor = 0.0
            for index, table in enumerate(sorted(page.find_tables(), key=lambda t: t.bbox[1])):
                grid = _grid(table)
                if not grid:
                    continue
                width = max(len(row) for row in grid)
                n_header = header_row_count(grid)
                continued = (
                    n_header == 0
                    and index == 0
                    and previous_header is not None
                    and width == previous_width
                )
                caption = previous_caption if continued else _caption(page, table, floor)
                floor = table.bbox[3]
                context = TableContext(
                    caption=caption,
                    published=document.published,
                    default_period=default_period,
                    title=title,
                )
                new = figures_from_grid(
                    grid,
                    _cell_locator(number, index, table),
                    context,
                    inherited_header=previous_header if continued else None,
                )
                figures.extend(shift_parents(new, len(figures)))
                if n_header:
                    previous_header = grid[:n_header]
                    previous_caption = caption
                    previous_width = width
    return figures


PARSER = Parser(
    name="pdf_tables",
    version="1.2.0",
    media_types=frozenset({PDF}),
    parse=parse,
    description=(
        "Figures in PDF tables: perpetrator x (civilians, children, women) and governorate "
        "tables, merged and two-line headers, tables continued on the next page, totals rows, "
        "right-to-left text."
    ),
    module=__name__,
)
