"""Parse jobs: which documents still have parsers to run (planned from a run's fetches or
from the archive), and running one job in a parse worker, each parser within its budget.

A job carries no bytes and no database handle: the worker reads the document from the
archive and sends its figures back as Arrow tables, so it crosses process boundaries cheaply
and the flow process stays the warehouse's only writer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from flows.budget import Budget, BudgetExceeded, run_within_budget
from parsers.media import charset_of
from parsers.model import Document
from parsers.registry import Parser, get_parser, parsers_for, run_parser
from warehouse import archive
from warehouse.figure_columns import SCHEMA as FIGURE_SCHEMA
from warehouse.figure_columns import figure_columns

if TYPE_CHECKING:  # a fork server imports this module: it need not import the fetcher (0.5 s)
    from flows.acquire.documents import FetchedDocument


@dataclass(frozen=True)
class WorkerOutcome:
    """An outcome (one parser on one document) as it returns to the flow: its figures already in the
    warehouse's columnar layout (built here, in the parallel worker, so the single loader
    does not), or why it failed."""

    parser: str
    parser_version: str
    figures: pa.Table
    error: str | None
    duration_ms: int
    warnings: tuple[str, ...] = ()  # figures the parser skipped, each with its reason

    @property
    def ok(self) -> bool:
        """True when the parser ran without error."""
        return self.error is None

    @property
    def figure_count(self) -> int:
        """How many figures the parser stated."""
        return self.figures.num_rows


def failed_outcome(
    parser: str, parser_version: str, error: str, duration_ms: int = 0
) -> WorkerOutcome:
    """An outcome that produced nothing, and why."""
    return WorkerOutcome(parser, parser_version, FIGURE_SCHEMA.empty_table(), error, duration_ms)


@dataclass(frozen=True)
class JobResult:
    """A parse worker's answer to one job: one outcome per parser, each with its timing."""

    job: ParseJob
    outcomes: tuple[WorkerOutcome, ...]
    started_at: datetime


@dataclass(frozen=True)
class ArchivedDocument:
    """A document as the warehouse knows it: enough to parse it again from the archive."""

    sha256: str
    archive_path: str
    url: str
    source: str
    media_type: str
    fetched_at: datetime
    title: str | None
    published: date | None
    charset: str | None = None  # of the HTTP Content-Type the document was served with
    country: str | None = None  # the source's country: scopes names such as "security forces"


@dataclass(frozen=True)
class ParseJob(ArchivedDocument):
    """What a parse worker needs: an archived document and the parsers still to run on it.
    Carries no bytes and no database handle, so it crosses process boundaries cheaply."""

    parsers: tuple[str, ...] = field(kw_only=True)


def plan_jobs(
    documents: Iterable[ArchivedDocument],
    done: set[tuple[str, str, str]],
    only: Sequence[str] | None = None,
) -> list[ParseJob]:
    """One job per distinct document that still has parsers to run at their current version
    (`only` restricts the parsers, as `toll reparse --parser` does)."""
    jobs: dict[str, ParseJob] = {}
    for document in documents:
        if document.sha256 in jobs:
            continue
        probe = document_of(document, b"")
        pending = tuple(
            p.name
            for p in parsers_for(probe, only)
            if (document.sha256, p.name, p.version) not in done
        )
        if pending:
            known = {f.name: getattr(document, f.name) for f in fields(ArchivedDocument)}
            jobs[document.sha256] = ParseJob(**known, parsers=pending)
    return list(jobs.values())


def plan_parse_jobs(
    documents: Iterable[FetchedDocument],
    done: set[tuple[str, str, str]],
    countries: dict[str, str | None] | None = None,
) -> list[ParseJob]:
    """Parse jobs for the documents a run fetched (or found unchanged); `countries` maps a
    source to the country it reports on."""
    countries = countries or {}
    return plan_jobs(
        (
            ArchivedDocument(
                sha256=d.sha256,
                archive_path=d.archive_path,
                url=d.fetch.final_url or d.link.url,
                source=d.source,
                media_type=d.media_type or "",
                fetched_at=d.fetch.requested_at,
                title=d.link.title,
                published=d.link.published,
                charset=charset_of(d.fetch.content_type),
                country=countries.get(d.source),
            )
            for d in documents
            if d.sha256 and d.archive_path
        ),
        done,
    )


_Parsed = tuple[str, str, pa.Table | None, str | None, tuple[str, ...]]


def parse_with(document: Document, parser: Parser | str) -> list[_Parsed]:
    """Run one parser and return its figures as columns (smaller to send back than records).

    Given the parser itself (not its name), a budgeted parse runs the parser as the asking
    process's registry has it, not as the fork server imported it."""
    chosen = get_parser(parser) if isinstance(parser, str) else parser
    o = run_parser(chosen, document)
    return [(o.parser, o.parser_version, figure_columns(o.records), o.error, o.warnings)]


def document_of(job: ArchivedDocument, content: bytes) -> Document:
    """The document a job's parsers read: its archived bytes with what the warehouse knows."""
    return Document(
        url=job.url,
        source=job.source,
        media_type=job.media_type,
        content=content,
        sha256=job.sha256,
        fetched_at=job.fetched_at,
        title=job.title,
        published=job.published,
        charset=job.charset,
        country=job.country,
    )


def run_parse_job(
    job: ParseJob,
    home: Path,
    budget: Budget | None = None,
    run: Callable[[Callable[..., Any], tuple], Any] | None = None,
) -> JobResult:
    """Read a document from the archive and run its pending parsers on it, each within the
    time and memory budget (a parser that exceeds it is one failed run). `run` runs a call
    under that budget in a batch's session (flows/budget.py), else each parse has its own."""
    started_at = datetime.now(UTC)
    try:
        content = archive.read(home, job.archive_path, job.sha256)
    except archive.ArchiveError as error:
        failed = tuple(failed_outcome(name, "", f"archive: {error}") for name in job.parsers)
        return JobResult(job, failed, started_at)
    document = document_of(job, content)
    outcomes: list[WorkerOutcome] = []
    for name in job.parsers:
        clock = time.perf_counter()
        parser = get_parser(name)
        try:
            if budget is None:
                parsed = parse_with(document, parser)
            elif run is not None:
                parsed = run(parse_with, (document, parser))
            else:
                parsed = run_within_budget(parse_with, (document, parser), budget)
        except BudgetExceeded as error:
            parsed = [(name, parser.version, None, f"budget: {error}", ())]
        duration_ms = int((time.perf_counter() - clock) * 1000)
        for parsed_by, version, figures, failure, warnings in parsed:
            if figures is None or failure is not None:
                message = failure or "failed"
                outcomes.append(failed_outcome(parsed_by, version, message, duration_ms))
            else:
                outcomes.append(
                    WorkerOutcome(parsed_by, version, figures, None, duration_ms, warnings)
                )
    return JobResult(job, tuple(outcomes), started_at)
