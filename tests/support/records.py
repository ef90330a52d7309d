"""Builders of warehouse rows for tests that need crafted data (not a test module)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from parsers.model import FigureRecord
from warehouse.rows import DocumentRow, FetchRow, LoadBatch, ParseRunRow

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def sha_of(name: str) -> str:
    """A stable fake content hash for a document name."""
    return hashlib.sha256(name.encode()).hexdigest()


def figure(
    doc: str,
    key: str,
    count: int,
    *,
    victim_group: str = "civilians",
    perpetrator: str | None = "syrian_regime",
    place: str | None = None,
    metric: str = "killed",
    period: tuple[date, date] = (date(2024, 1, 1), date(2024, 1, 31)),
    parser: str = "pdf_tables",
    version: str = "1.0.0",
    parent: str | None = None,
    qualifier: str = "exact",
    count_high: int | None = None,
    source: str = "sample",
) -> FigureRecord:
    """One figure of document `doc`; `key` makes its id unique within the document."""
    return FigureRecord(
        figure_id=hashlib.sha256(f"{doc}|{parser}|{key}".encode()).hexdigest()[:24],
        sha256=sha_of(doc), source=source, url=f"https://example.org/{doc}", parser=parser,
        parser_version=version, metric=metric, count=count, count_high=count_high,
        qualifier=qualifier, victim_group=victim_group, victim_raw=victim_group or "?",
        perpetrator=perpetrator, perpetrator_raw=perpetrator, place=place, place_raw=place,
        period_start=period[0], period_end=period[1], period_raw="January 2024",
        period_precision="month", certainty="stated", attribution="table",
        parent_figure_id=(
            hashlib.sha256(f"{doc}|{parser}|{parent}".encode()).hexdigest()[:24] if parent else None
        ),
        locator={"kind": "pdf_table", "page": 1, "table": 0, "row": len(key), "col": 1, "k": key},
        snippet=f"{key}: {count}",
    )  # fmt: skip


def batch(
    run_id: str,
    doc: str,
    figures: list[FigureRecord],
    *,
    url: str | None = None,
    first_seen: datetime = NOW,
    published: date | None = date(2024, 2, 1),
    source: str = "sample",
    parser: str = "pdf_tables",
    version: str = "1.0.0",
) -> LoadBatch:
    """A load batch of one document with one parser run holding `figures`."""
    sha = sha_of(doc)
    fetch = FetchRow(
        fetch_id=f"fetch-{run_id}-{doc}", run_id=run_id, source_id=source,
        url=url or f"https://example.org/{doc}", final_url=None, requested_at=first_seen,
        status_code=200, outcome="fetched", etag=None, last_modified=None,
        content_type="application/pdf", bytes=10, sha256=sha, attempts=1, duration_ms=1,
        error=None,
    )  # fmt: skip
    document = DocumentRow(
        sha256=sha, source_id=source, url=url or f"https://example.org/{doc}", final_url=None,
        media_type="application/pdf", bytes=10, title=doc, published=published,
        first_seen=first_seen, first_fetch_id=fetch.fetch_id,
        archive_path=f"archive/{sha[:2]}/{sha}.pdf",
    )  # fmt: skip
    parse_run = ParseRunRow(
        parse_run_id=f"parse-{run_id}-{doc}-{parser}-{version}", run_id=run_id, sha256=sha,
        parser=parser, parser_version=version, status="ok", figure_count=len(figures),
        error=None, duration_ms=1, parsed_at=first_seen,
    )  # fmt: skip
    return LoadBatch(run_id, [fetch], [document], [parse_run], {parse_run.parse_run_id: figures})
