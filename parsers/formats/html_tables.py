"""Generic parser for figures in HTML tables (BeautifulSoup), with rowspan/colspan expanded."""

from __future__ import annotations

import re

from bs4 import Tag

from parsers.html_document import css_path, read_html
from parsers.media import HTML
from parsers.model import Document, Figure, Locator, shift_parents
from parsers.periods import period_of_title
from parsers.registry import Parser
from parsers.table_figures import TableContext, figures_from_grid

MAX_SPAN = 50
_LINE_BREAKING = ("br", "p", "div", "li")


def table_grid(table: Tag) -> tuple[list[list[str | None]], list[list[Tag | None]]]:
    """The table as a rectangular grid of texts and of the cells they came from.

    A cell with rowspan/colspan fills every position it covers, as a reader sees it.
    """
    grid: dict[tuple[int, int], tuple[str, Tag]] = {}
    for node in table.find_all(_LINE_BREAKING):
        node.insert_before("\n")  # <br>, <p> inside a cell separate words; inline tags do not
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in grid:
                c += 1
            text = re.sub(r"\s+", " ", cell.get_text("")).strip()
            rowspan = _span(cell.get("rowspan"))
            colspan = _span(cell.get("colspan"))
            for dr in range(min(rowspan, len(rows) - r)):  # a span stops at the table's end
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = (text, cell)
            c += colspan
    if not grid:
        return [], []
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    texts = [[grid.get((r, c), ("", None))[0] or None for c in range(width)] for r in range(height)]
    cells = [[grid.get((r, c), ("", None))[1] for c in range(width)] for r in range(height)]
    return texts, cells


def _span(value: object) -> int:
    try:
        return max(1, min(MAX_SPAN, int(str(value))))
    except (TypeError, ValueError):
        return 1


def _caption(table: Tag) -> str:
    """The table's caption, else the nearest heading or paragraph before it."""
    caption = table.find("caption")
    if caption is not None:
        return caption.get_text(" ", strip=True)
    previous = table.find_previous(["h1", "h2", "h3", "h4", "h5", "h6", "p"])
    return previous.get_text(" ", strip=True) if previous is not None else ""


def parse(document: Document) -> list[Figure]:
    """Figures in every table of the page."""
    page = read_html(document.content, document.charset)
    published = document.published or page.published
    default_period = period_of_title(document.title or page.title, published)
    figures: list[Figure] = []
    for index, table in enumerate(page.soup.find_all("table")):
        texts, cells = table_grid(table)
        if not texts:
            continue

        def locate(row: int, col: int, index: int = index, cells: list = cells) -> Locator:
            cell = cells[row][col]
            return Locator(
                kind="html_table",
                table=index,
                row=row,
                col=col,
                css_path=css_path(cell) if cell is not None else None,
            )

        context = TableContext(
            caption=_caption(table),
            published=published,
            default_period=default_period,
            title=document.title or page.title or "",
        )
        figures.extend(shift_parents(figures_from_grid(texts, locate, context), len(figures)))
    return figures


PARSER = Parser(
    name="html_tables",
    version="1.2.0",
    media_types=frozenset({HTML}),
    parse=parse,
    description=(
        "Figures in HTML tables: perpetrators or governorates by victim group, merged "
        "header cells, rowspan/colspan, totals rows as all parties."
    ),
    module=__name__,
)
