"""Provenance you can see: everything about one figure, and where it sits in its document
(the PDF page with the table cell outlined, or the HTML element and the text around it)."""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.errors import NotFound

MIN_PREFIX = 6


class FigureNotFound(NotFound):
    """No figure (or more than one) matches the id given."""


@dataclass(frozen=True)
class Explanation:
    """A figure with its document, fetch and parser run."""

    figure: dict[str, Any]
    document: dict[str, Any]
    fetch: dict[str, Any]
    parse_run: dict[str, Any]
    parent: dict[str, Any] | None

    @property
    def locator(self) -> dict[str, Any]:
        """The figure's locator as a dict."""
        value = self.figure["locator"]
        return json.loads(value) if isinstance(value, str) else dict(value or {})


def _one(conn: duckdb.DuckDBPyConnection, query: str, params: list[Any]) -> dict[str, Any]:
    cursor = conn.execute(query, params)
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return dict(zip(columns, rows[0], strict=True)) if rows else {}


def explain(conn: duckdb.DuckDBPyConnection, figure_id: str) -> Explanation:
    """Gather a figure's provenance; the id may be a unique prefix of at least 6 characters."""
    if len(figure_id) < MIN_PREFIX:
        raise FigureNotFound(f"give at least {MIN_PREFIX} characters of the figure id")
    matches = conn.execute(
        "SELECT figure_id FROM figures WHERE starts_with(figure_id, ?) LIMIT 2", [figure_id]
    ).fetchall()
    if not matches:
        raise FigureNotFound(f"no figure with id {figure_id!r}")
    if len(matches) > 1:
        raise FigureNotFound(f"{figure_id!r} matches several figures; give more characters")
    full_id = matches[0][0]
    figure = _one(conn, "SELECT * FROM figures WHERE figure_id = ?", [full_id])
    document = _one(conn, "SELECT * FROM documents WHERE sha256 = ?", [figure["sha256"]])
    fetch = _one(conn, "SELECT * FROM fetches WHERE fetch_id = ?", [document["first_fetch_id"]])
    parse_run = _one(
        conn, "SELECT * FROM parse_runs WHERE parse_run_id = ?", [figure["parse_run_id"]]
    )
    parent = None
    if figure.get("parent_figure_id"):
        parent = _one(
            conn, "SELECT * FROM figures WHERE figure_id = ?", [figure["parent_figure_id"]]
        )
    return Explanation(figure, document, fetch, parse_run, parent or None)


_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def number_spans(snippet: str, count: int) -> list[tuple[int, int]]:
    """Where the count is written in the snippet ("1,203", "1203", Arabic-Indic digits)."""
    forms = {
        str(count),
        f"{count:,}",
        f"{count:,}".replace(",", "."),
        str(count).translate(_DIGITS),
    }
    spans: list[tuple[int, int]] = []
    for form in sorted(forms, key=len, reverse=True):
        for match in re.finditer(rf"(?<![\d,.]){re.escape(form)}(?![\d])", snippet):
            if not any(s <= match.start() < e for s, e in spans):
                spans.append(match.span())
    return sorted(spans)


def read_archived(home: Path, explanation: Explanation) -> bytes:
    """The document's bytes from the archive, checked against its hash."""
    path = home / explanation.document["archive_path"]
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != explanation.document["sha256"]:
        raise ValueError(f"archived file {path} does not match its hash")
    return content


MAX_PNG_SIDE = 4000  # pixels: a page of A0 at 110 dpi is 3,640 px high


def render_png(
    home: Path, explanation: Explanation, resolution: int = 110, max_side: int = MAX_PNG_SIDE
) -> bytes:
    """The figure's PDF page as PNG bytes with its table cell (or its number, for a figure
    read from the page's text) outlined in red. The resolution is lowered so that the image's
    longest side is at most `max_side` pixels: a 600-byte PDF can declare a page 200 inches
    square, 22,000 px at 110 dpi (7.6 GB of pixels)."""
    import pdfplumber

    locator = explanation.locator
    if explanation.document["media_type"] != "application/pdf" or not locator.get("page"):
        raise ValueError("only figures read from a PDF page can be rendered")
    with pdfplumber.open(io.BytesIO(read_archived(home, explanation))) as pdf:
        number = int(locator["page"])
        if not 1 <= number <= len(pdf.pages):
            raise ValueError(f"the document has no page {number}")
        page = pdf.pages[number - 1]
        longest = max(float(page.width), float(page.height), 1.0)  # points: 72 per inch
        image = page.to_image(resolution=min(float(resolution), max_side * 72 / longest))
        if locator.get("bbox"):
            image.draw_rect(tuple(locator["bbox"]), stroke="#d62728", stroke_width=3, fill=None)  # type: ignore[arg-type]
        else:
            count = int(explanation.figure["count"])
            for form in (f"{count:,}", str(count)):
                found = page.search(rf"(?<![\d,]){re.escape(form)}(?!\d)", regex=True)
                if found:
                    for hit in found:
                        box = (hit["x0"] - 2, hit["top"] - 2, hit["x1"] + 2, hit["bottom"] + 2)
                        image.draw_rect(box, stroke="#d62728", stroke_width=3, fill=None)  # type: ignore[arg-type]
                    break
        out = io.BytesIO()
        image.save(out, format="PNG")
        page.close()
    return out.getvalue()


def render_pdf_page(home: Path, explanation: Explanation, out: Path, resolution: int = 110) -> Path:
    """Render the figure's PDF page (render_png) into the file `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_png(home, explanation, resolution))
    return out


def html_context(home: Path, explanation: Explanation, width: int = 160) -> dict[str, str]:
    """For a figure from an HTML page: the element path, the element's text and the text of
    the block around it."""
    from bs4 import BeautifulSoup

    locator = explanation.locator
    soup = BeautifulSoup(read_archived(home, explanation), "lxml")
    css = locator.get("css_path")
    if css:
        element = soup.select_one(css)
        if element is not None:
            block = element.find_parent(["tr", "p", "li"]) or element.parent
            return {
                "element_path": css,
                "element_text": element.get_text(" ", strip=True),
                "surrounding_text": block.get_text(" | ", strip=True)[: width * 2] if block else "",
            }
    snippet = explanation.figure["snippet"]
    return {"element_path": css or "(page text)", "element_text": "", "surrounding_text": snippet}
