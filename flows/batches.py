"""Load batches: a run's fetched documents and parse results grouped into the batches the
writer loads, one transaction each, a document always whole within one batch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flows.acquire.documents import FetchedDocument
from flows.jobs import JobResult, WorkerOutcome
from warehouse.rows import DocumentRow, FetchRow, LoadBatch, ParseRunRow, new_id


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


def parse_run_rows(result: JobResult, run_id: str) -> list[tuple[ParseRunRow, WorkerOutcome]]:
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
                warnings=list(parsed.warnings) or None,
                duration_ms=parsed.duration_ms,
                parsed_at=result.started_at,
            ),
            parsed,
        )
        for parsed in result.outcomes
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

    def add(self, result: JobResult) -> LoadBatch | None:
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
