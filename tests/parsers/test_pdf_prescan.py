"""The PDF parser's pre-scan: pages that draw no path are skipped, and skipping never
changes the figures."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from parsers.formats import pdf_tables
from parsers.model import Document
from parsers.pdf_document import pages_with_paths

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "pdf_tables"


def _report(table_pages: set[int], pages: int = 6) -> bytes:
    """Pages of text, with a ruled perpetrator table on `table_pages` (1-based)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for number in range(1, pages + 1):
        pdf.drawString(72, 800, f"Monthly report on civilian deaths in March 2024, page {number}")
        for line in range(20):
            pdf.drawString(72, 760 - 14 * line, "Witnesses and local sources were interviewed.")
        if number in table_pages:
            rows = [("Perpetrator", "Civilians"), ("Russian forces", "12"), ("Total", "12")]
            for index, (label, value) in enumerate(rows):
                top = 400 - 20 * index
                pdf.rect(72, top - 20, 200, 20)
                pdf.rect(272, top - 20, 100, 20)
                pdf.drawString(76, top - 14, label)
                pdf.drawString(276, top - 14, value)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _document(content: bytes) -> Document:
    return Document.from_bytes(
        content,
        url="https://example.org/report.pdf",
        source="test",
        media_type="application/pdf",
        fetched_at=datetime(2024, 4, 2, tzinfo=UTC),
    )


def test_only_pages_that_draw_paths_are_candidates() -> None:
    assert pages_with_paths(_report({2, 5})) == frozenset({2, 5})
    assert pages_with_paths(_report(set())) == frozenset()


def test_unreadable_bytes_mean_every_page_is_searched() -> None:
    assert pages_with_paths(b"%PDF-1.7 not really") is None
    assert pages_with_paths(b"") is None


def test_skipping_pages_finds_the_same_figures() -> None:
    document = _document(_report({2, 5}))
    figures = pdf_tables.parse(document)
    assert figures == pdf_tables.parse_every_page(document)
    assert {f.locator.page for f in figures} == {2, 5}
    assert {f.count for f in figures} == {12}


@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.iterdir()))
def test_golden_reports_give_the_same_figures_either_way(case: str) -> None:
    document = _document((GOLDEN / case / "input.pdf").read_bytes())
    assert pdf_tables.parse(document) == pdf_tables.parse_every_page(document)
