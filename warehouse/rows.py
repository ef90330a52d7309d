"""The rows toll writes to the warehouse, as typed contracts between the flows and the loader:
one dataclass per table row, a load batch and what it changed, the validators a previous
fetch left, the counts stored on a run, and the id every new row gets."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from parsers.model import FigureRecord


def new_id() -> str:
    """A time-ordered unique id (UUIDv7 when available) as text."""
    maker = getattr(uuid, "uuid7", None)
    return str(maker() if maker else uuid.uuid4())


@dataclass(frozen=True)
class SourceRow:
    """A configured source as stored in `sources`."""

    source_id: str
    publisher: str
    homepage: str | None
    country: str | None
    languages: list[str]
    entry_points: list[str]
    allowed_hosts: list[str]


@dataclass(frozen=True)
class FetchRow:
    """One HTTP fetch attempt (see the `fetches` table comments)."""

    fetch_id: str
    run_id: str
    source_id: str
    url: str
    final_url: str | None
    requested_at: datetime
    status_code: int | None
    outcome: str
    etag: str | None
    last_modified: str | None
    content_type: str | None
    bytes: int | None
    sha256: str | None
    attempts: int
    duration_ms: int | None
    error: str | None


@dataclass(frozen=True)
class DocumentRow:
    """One distinct document content (see the `documents` table comments)."""

    sha256: str
    source_id: str
    url: str
    final_url: str | None
    media_type: str
    bytes: int
    title: str | None
    published: Any
    first_seen: datetime
    first_fetch_id: str
    archive_path: str


@dataclass(frozen=True)
class ParseRunRow:
    """One parser run over one document (see the `parse_runs` table comments)."""

    parse_run_id: str
    run_id: str
    sha256: str
    parser: str
    parser_version: str
    status: str
    figure_count: int
    error: str | None
    duration_ms: int | None
    parsed_at: datetime
    warnings: list[str] | None = None


@dataclass
class LoadBatch:
    """Everything one transaction writes: fetch log rows, documents, parser runs, figures.

    `figures` maps a parse_run_id to what that parser run produced: its records, or the same
    as an Arrow table of the figure columns (warehouse/figure_columns.py), which is what parse
    workers send so the loader does not convert them.
    """

    run_id: str
    fetches: list[FetchRow] = field(default_factory=list)
    documents: list[DocumentRow] = field(default_factory=list)
    parse_runs: list[ParseRunRow] = field(default_factory=list)
    figures: dict[str, Sequence[FigureRecord] | pa.Table] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fetches or self.documents or self.parse_runs)


@dataclass(frozen=True)
class LoadResult:
    """What a batch changed."""

    figures_added: int
    figures_replaced: int


@dataclass(frozen=True)
class PreviousFetch:
    """What the last successful fetch of a URL left for the next conditional request."""

    url: str
    etag: str | None
    last_modified: str | None
    sha256: str


@dataclass(frozen=True)
class RunCounts:
    """The summary counts stored on a run row."""

    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    fetch_failed: int = 0
    parsed: int = 0
    parse_failed: int = 0
    figures_added: int = 0
    figures_replaced: int = 0
    quality_issues: int = 0
