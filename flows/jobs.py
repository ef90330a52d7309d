"""The stages of an ingest as plain functions: discover, fetch (and archive), parse, assemble
load batches. The Prefect flows in `flows/nightly.py` wire these together; keeping them plain
means they are unit-tested without an orchestrator.

Nothing here opens the warehouse: what the stages need from it (validators of previous
fetches, known URLs, finished parses) is passed in, and what they produce goes back to the
flow process, the warehouse's only writer.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from flows.acquire.discovery import Discovery, Link, discover, followed_links
from flows.acquire.fetch import Fetcher, FetchResult
from flows.acquire.politeness import shared_politeness
from flows.budget import Budget, BudgetExceeded, run_within_budget
from flows.config import FetchSettings, SourceConfig
from parsers.media import HTML, sniff_media_type
from parsers.model import Document
from parsers.registry import get_parser, parse_document, parsers_for
from warehouse import archive
from warehouse.figure_columns import SCHEMA as FIGURE_SCHEMA
from warehouse.figure_columns import figure_columns
from warehouse.rows import DocumentRow, FetchRow, LoadBatch, ParseRunRow, PreviousFetch


def new_id() -> str:
    """A time-ordered unique id (UUIDv7 when available) as text."""
    maker = getattr(uuid, "uuid7", None)
    return str(maker() if maker else uuid.uuid4())


@dataclass(frozen=True)
class FetchedDocument:
    """A candidate document after its fetch: the log row and, when it has content, where the
    bytes are archived and what they are."""

    source: str
    link: Link
    fetch: FetchRow
    sha256: str | None
    media_type: str | None
    archive_path: str | None
    bytes: int | None
    new_content: bool


@dataclass
class SourceFetch:
    """Everything fetched for one source in one run."""

    source: str
    documents: list[FetchedDocument] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    discovered: int = 0


def fetcher_for(source: SourceConfig, settings: FetchSettings) -> Fetcher:
    """An HTTP fetcher bound to one source's allowed hosts, its politeness limits (shared by
    every fetcher of the source in this process) and robots.txt."""
    politeness = shared_politeness(
        source.name, source.rate_limit_per_second, source.max_concurrency
    )
    return Fetcher(settings, source.allowed_hosts, politeness, obey_robots=source.obey_robots)


def discover_links(
    source: SourceConfig, fetcher: Fetcher, known: set[str], walk_all: bool
) -> Discovery:
    """Run discovery over the source's feeds and listings (fetched without validators)."""

    def fetch_entry_point(url: str) -> tuple[bytes | None, str | None]:
        result = fetcher.get(url)
        return (result.content, None) if result.content is not None else (None, result.error)

    return discover(source, fetch_entry_point, known, walk_all)


def _fetch_row(result: FetchResult, run_id: str, source: str) -> FetchRow:
    return FetchRow(
        fetch_id=new_id(),
        run_id=run_id,
        source_id=source,
        url=result.url,
        final_url=result.final_url,
        requested_at=result.requested_at,
        status_code=result.status_code,
        outcome=result.outcome,
        etag=result.etag,
        last_modified=result.last_modified,
        content_type=result.content_type,
        bytes=len(result.content) if result.content is not None else None,
        sha256=result.sha256,
        attempts=result.attempts,
        duration_ms=result.duration_ms,
        error=result.error,
    )


def fetch_and_archive(
    fetcher: Fetcher,
    source: SourceConfig,
    links: Sequence[Link],
    previous: dict[str, PreviousFetch],
    home: Path,
    run_id: str,
    previous_media_types: dict[str, str] | None = None,
) -> list[FetchedDocument]:
    """Fetch candidate documents (concurrently, within the source's politeness limits) and
    archive every new body before anything parses it."""
    media_types = previous_media_types or {}

    def one(link: Link) -> FetchedDocument:
        result = fetcher.get(link.url, previous.get(link.url))
        row = _fetch_row(result, run_id, source.name)
        if result.outcome in {"failed", "skipped"}:
            return FetchedDocument(source.name, link, row, None, None, None, None, False)
        if result.content is None:  # 304: the document is the one we have
            sha = result.sha256 or ""
            media = media_types.get(sha) or sniff_media_type(b"", result.content_type, link.url)
            return FetchedDocument(
                source.name,
                link,
                row,
                sha,
                media,
                archive.relative_path(sha, media),
                None,
                False,
            )
        media = sniff_media_type(result.content, result.content_type, result.final_url or link.url)
        try:
            path = archive.store(home, result.content, media)
        except archive.ArchiveError as error:
            failed = FetchRow(
                **{**row.__dict__, "outcome": "failed", "sha256": None, "error": str(error)}
            )
            return FetchedDocument(source.name, link, failed, None, None, None, None, False)
        return FetchedDocument(
            source.name,
            link,
            row,
            result.sha256,
            media,
            path,
            len(result.content),
            result.outcome == "fetched",
        )

    with ThreadPoolExecutor(max_workers=source.max_concurrency) as pool:
        return list(pool.map(one, links))


def links_inside(
    source: SourceConfig, documents: Iterable[FetchedDocument], home: Path
) -> list[Link]:
    """Documents linked from fetched HTML reports (their PDFs), read from the archive so an
    unchanged (304) page still yields its links."""
    found: dict[str, Link] = {}
    for document in documents:
        if document.media_type != HTML or not document.archive_path:
            continue
        try:
            content = archive.read(home, document.archive_path, document.sha256)
        except archive.ArchiveError:
            continue
        base = document.fetch.final_url or document.link.url
        for link in followed_links(source, content, base):
            if link.url not in found:
                found[link.url] = Link(
                    link.url,
                    document.link.title or link.title,
                    document.link.published,
                    document.link.url,
                )
    return list(found.values())


@dataclass(frozen=True)
class ParseJob:
    """What a parse worker needs: where the bytes are and the document's context. Carries no
    bytes and no database handle, so it crosses process boundaries cheaply."""

    sha256: str
    archive_path: str
    url: str
    source: str
    media_type: str
    fetched_at: datetime
    title: str | None
    published: date | None
    parsers: tuple[str, ...]


@dataclass(frozen=True)
class ParsedRun:
    """One parser's run on a document, as it returns to the flow: its figures already in the
    warehouse's columnar layout (built here, in the parallel worker, so the single loader
    does not), or why it failed."""

    parser: str
    parser_version: str
    figures: pa.Table
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        """True when the parser ran without error."""
        return self.error is None

    @property
    def figure_count(self) -> int:
        """How many figures the parser stated."""
        return self.figures.num_rows


def failed_run(parser: str, parser_version: str, error: str, duration_ms: int = 0) -> ParsedRun:
    """A parser run that produced nothing, and why."""
    return ParsedRun(parser, parser_version, FIGURE_SCHEMA.empty_table(), error, duration_ms)


@dataclass(frozen=True)
class ParseResult:
    """A parse worker's answer: one run per parser, each with its timing."""

    job: ParseJob
    runs: tuple[ParsedRun, ...]
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
        probe = Document(
            url=document.url,
            source=document.source,
            media_type=document.media_type,
            content=b"",
            sha256=document.sha256,
            fetched_at=document.fetched_at,
            title=document.title,
            published=document.published,
        )
        pending = tuple(
            p.name
            for p in parsers_for(probe, only)
            if (document.sha256, p.name, p.version) not in done
        )
        if pending:
            jobs[document.sha256] = ParseJob(
                sha256=document.sha256,
                archive_path=document.archive_path,
                url=document.url,
                source=document.source,
                media_type=document.media_type,
                fetched_at=document.fetched_at,
                title=document.title,
                published=document.published,
                parsers=pending,
            )
    return list(jobs.values())


def plan_parse_jobs(
    documents: Iterable[FetchedDocument],
    done: set[tuple[str, str, str]],
) -> list[ParseJob]:
    """Parse jobs for the documents a run fetched (or found unchanged)."""
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
            )
            for d in documents
            if d.sha256 and d.archive_path
        ),
        done,
    )


def _parse_with(document: Document, name: str) -> list[tuple[str, str, pa.Table, str | None]]:
    """Run one parser and return its figures as columns (smaller to send back than records)."""
    return [
        (o.parser, o.parser_version, figure_columns(o.records), o.error)
        for o in parse_document(document, only=[name])
    ]


def run_parse_job(job: ParseJob, home: Path, budget: Budget | None = None) -> ParseResult:
    """Read a document from the archive and run its pending parsers on it, each within the
    time and memory budget (a parser that exceeds it is one failed run)."""
    started_at = datetime.now(UTC)
    try:
        content = archive.read(home, job.archive_path, job.sha256)
    except archive.ArchiveError as error:
        failed = tuple(failed_run(name, "", f"archive: {error}") for name in job.parsers)
        return ParseResult(job, failed, started_at)
    document = Document(
        url=job.url,
        source=job.source,
        media_type=job.media_type,
        content=content,
        sha256=job.sha256,
        fetched_at=job.fetched_at,
        title=job.title,
        published=job.published,
    )
    runs: list[ParsedRun] = []
    for name in job.parsers:
        clock = time.perf_counter()
        try:
            if budget is None:
                parsed = _parse_with(document, name)
            else:
                parsed = run_within_budget(_parse_with, (document, name), budget)
        except BudgetExceeded as error:
            parsed = [(name, get_parser(name).version, None, f"budget: {error}")]
        duration_ms = int((time.perf_counter() - clock) * 1000)
        for parser, version, figures, error in parsed:
            if figures is None or error is not None:
                runs.append(failed_run(parser, version, error or "failed", duration_ms))
            else:
                runs.append(ParsedRun(parser, version, figures, None, duration_ms))
    return ParseResult(job, tuple(runs), started_at)


def document_rows(documents: Iterable[FetchedDocument], known: set[str]) -> dict[str, DocumentRow]:
    """Document rows for content not in the warehouse yet, by hash (first fetch wins)."""
    rows: dict[str, DocumentRow] = {}
    for document in documents:
        sha = document.sha256
        if not sha or sha in known or sha in rows or document.bytes is None:
            continue
        rows[sha] = DocumentRow(
            sha256=sha,
            source_id=document.source,
            url=document.link.url,
            final_url=document.fetch.final_url,
            media_type=document.media_type or "text/plain",
            bytes=document.bytes,
            title=document.link.title,
            published=document.link.published,
            first_seen=document.fetch.requested_at,
            first_fetch_id=document.fetch.fetch_id,
            archive_path=document.archive_path or "",
        )
    return rows


def parse_run_rows(result: ParseResult, run_id: str) -> list[tuple[ParseRunRow, ParsedRun]]:
    """A parse_runs row for each parser run of a parse result."""
    return [
        (
            ParseRunRow(
                parse_run_id=new_id(),
                run_id=run_id,
                sha256=result.job.sha256,
                parser=parsed.parser,
                parser_version=parsed.parser_version,
                status="ok" if parsed.ok else "failed",
                figure_count=parsed.figure_count,
                error=parsed.error,
                duration_ms=parsed.duration_ms,
                parsed_at=result.started_at,
            ),
            parsed,
        )
        for parsed in result.runs
    ]


class LoadBatches:
    """Groups a run's output into load batches of whole documents as parse results arrive, so
    the flow loads while workers parse and holds at most one batch of figures: a document's
    row, the fetches that brought it, its parser runs and their figures always share one
    batch. Documents with nothing to parse (unchanged, or parsed before) and failed fetches
    follow in `rest()`. Documents re-parsed from the archive come from their results alone."""

    def __init__(
        self,
        run_id: str,
        fetched: Sequence[FetchedDocument],
        new_documents: dict[str, DocumentRow],
        batch_size: int = 25,
    ) -> None:
        self.run_id = run_id
        self.batch_size = batch_size
        self._new_documents = new_documents
        self._fetches: dict[str, list[FetchRow]] = {}
        self._failed_fetches: list[FetchRow] = []
        for document in fetched:
            if document.sha256:
                self._fetches.setdefault(document.sha256, []).append(document.fetch)
            else:
                self._failed_fetches.append(document.fetch)
        self._loaded: set[str] = set()
        self._current = LoadBatch(run_id)
        self._documents_in_current = 0

    def add(self, result: ParseResult) -> LoadBatch | None:
        """Add a document's parse result; returns a batch when one is full."""
        sha = result.job.sha256
        self._add_document(sha)
        for row, parsed in parse_run_rows(result, self.run_id):
            self._current.parse_runs.append(row)
            if parsed.ok:
                self._current.figures[row.parse_run_id] = parsed.figures
        return self._take() if self._documents_in_current >= self.batch_size else None

    def rest(self) -> list[LoadBatch]:
        """The batches of everything not added yet: documents without parse results, then
        the failed fetches."""
        batches = []
        for sha in self._fetches:
            if sha not in self._loaded:
                self._add_document(sha)
                if self._documents_in_current >= self.batch_size:
                    batches.append(self._take())
        self._current.fetches.extend(self._failed_fetches)
        self._failed_fetches = []
        if self._current:
            batches.append(self._take())
        return batches

    def _add_document(self, sha: str) -> None:
        if sha in self._loaded:
            return
        self._loaded.add(sha)
        self._current.fetches.extend(self._fetches.get(sha, []))
        if sha in self._new_documents:
            self._current.documents.append(self._new_documents[sha])
        self._documents_in_current += 1

    def _take(self) -> LoadBatch:
        batch, self._current = self._current, LoadBatch(self.run_id)
        self._documents_in_current = 0
        return batch
