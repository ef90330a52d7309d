"""PDF parsing: toll's PDF-table parser against bare pdfplumber on the same pages.

1. Throughput: pages per second of `pdf_tables` (table finding, normalization, records)
   against `pdfplumber` `extract_tables()` on a 200-page corpus with a table on every page.
2. Skipping pages without tables: a 30-page report with tables on 3 pages, toll's parser
   against table-finding on every page; the figures must be identical.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pdfplumber

from benchmarks.corpus import mostly_prose_report, table_corpus
from benchmarks.measure import time_pair
from parsers.formats import pdf_tables
from parsers.model import Document
from parsers.registry import run_parser


def _document(path: Path) -> Document:
    return Document.from_bytes(
        path.read_bytes(),
        url=path.as_uri(),
        source="bench",
        media_type="application/pdf",
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def bare_extract_tables(paths: list[Path]) -> int:
    """The baseline: pdfplumber's extract_tables() on every page, pages closed as we go."""
    tables = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                tables += len(page.extract_tables())
                page.close()
    return tables


def toll_pdf_tables(documents: list[Document]) -> int:
    """toll's PDF-table parser, through the registry (normalized records)."""
    records = 0
    for document in documents:
        outcome = run_parser(pdf_tables.PARSER, document)
        assert outcome.ok, outcome.error
        records += len(outcome.records)
    return records


def throughput(workdir: Path, repeats: int = 3) -> dict[str, Any]:
    """Benchmark 1."""
    paths = table_corpus(workdir / "table-corpus")
    pages = sum(len(pdfplumber.open(p).pages) for p in paths)
    documents = [_document(p) for p in paths]
    bare, toll = time_pair(
        lambda: bare_extract_tables(paths), lambda: toll_pdf_tables(documents), repeats
    )
    return {
        "pages": pages,
        "bare_pages_per_second": round(pages / bare.best, 1),
        "toll_pages_per_second": round(pages / toll.best, 1),
        "toll_overhead": round(toll.best / bare.best - 1, 3),
        "goal": "overhead <= 0.15",
        "records": toll_pdf_tables(documents),
    }


def page_skipping(workdir: Path, repeats: int = 3) -> dict[str, Any]:
    """Benchmark 3: a 30-page report with tables on 3 pages, toll's parser with its PDFium
    pre-scan against the same parser searching every page for tables."""
    path = mostly_prose_report(workdir / "long-report.pdf", 30, {4, 15, 27}, seed=7)
    document = _document(path)
    every_page, skipping = time_pair(
        lambda: pdf_tables.parse_every_page(document), lambda: pdf_tables.parse(document), repeats
    )
    reference = pdf_tables.parse_every_page(document)
    figures = pdf_tables.parse(document)
    return {
        "pages": 30,
        "pages_with_tables": 3,
        "every_page_seconds": round(every_page.best, 3),
        "toll_seconds": round(skipping.best, 3),
        "speedup": round(every_page.best / skipping.best, 2),
        "identical_figures": figures == reference,
        "figures": len(figures),
        "goal": "speedup >= 3.0",
    }
