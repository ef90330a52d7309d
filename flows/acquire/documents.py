"""A source's documents, fetched: a fetcher bound to the source, discovery through it, the
fetch and archiving of every candidate document, and the links inside fetched reports (their
PDFs). Plain functions the Prefect tasks call, so they are tested without an orchestrator.

Nothing here opens the warehouse: what fetching needs from it (validators of previous
fetches, media types of known documents) is passed in, and the fetch rows go back to the
flow process, the warehouse's only writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from flows.acquire.discovery import Discovery, Link, discover, followed_links
from flows.acquire.fetch import Fetcher, FetchResult
from flows.acquire.politeness import shared_politeness
from flows.config import FetchSettings, SourceConfig
from parsers.media import HTML, sniff_media_type
from warehouse import archive
from warehouse.rows import FetchRow, PreviousFetch, new_id


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
    """An HTTP fetcher bound to one source's allowed hosts and addresses, its politeness
    limits (shared by every fetcher of the source in this process) and robots.txt."""
    politeness = shared_politeness(
        source.name, source.rate_limit_per_second, source.max_concurrency
    )
    return Fetcher(
        settings,
        source.allowed_hosts,
        politeness,
        obey_robots=source.obey_robots,
        allow_private_addresses=source.allow_private_addresses,
    )


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
