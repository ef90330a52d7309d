"""Load batches assembled as parse results arrive: whole documents per batch, nothing lost,
nothing loaded twice, at most one batch of figures held."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from flows.acquire.discovery import Link
from flows.acquire.documents import FetchedDocument
from flows.batches import LoadBatches
from flows.jobs import JobResult, ParseJob, WorkerOutcome
from parsers.model import FigureRecord
from warehouse.figure_columns import figure_columns
from warehouse.rows import DocumentRow, FetchRow

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def fetched(name: str, outcome: str = "fetched") -> FetchedDocument:
    sha = None if outcome == "failed" else name * 8
    row = FetchRow(
        f"fetch-{name}", "run", "src", f"http://127.0.0.1/{name}", None, NOW, 200, outcome,
        None, None, "application/pdf", 10, sha, 1, 1, None,
    )  # fmt: skip
    path = f"archive/{name}.pdf" if sha else None
    return FetchedDocument("src", Link(row.url), row, sha, "application/pdf", path, 10, True)


def new_document(document: FetchedDocument) -> DocumentRow:
    return DocumentRow(
        document.sha256, "src", document.link.url, None, "application/pdf", 10, None, None,
        NOW, document.fetch.fetch_id, document.archive_path,
    )  # fmt: skip


def figure(sha: str, number: int) -> FigureRecord:
    return FigureRecord(
        f"{sha}-{number}", sha, "src", "u", "prose", "1.0.0", "killed", number, None, "exact",
        "civilians", "civilians", None, None, None, None, None, None, None, None, "stated",
        "clause", None, {"kind": "text"}, "",
    )  # fmt: skip


def result(document: FetchedDocument, figures: int = 2, ok: bool = True) -> JobResult:
    sha = document.sha256
    job = ParseJob(sha, document.archive_path, document.link.url, "src", "application/pdf",
                   NOW, None, None, parsers=("prose",))  # fmt: skip
    table = figure_columns([figure(sha, n) for n in range(figures if ok else 0)])
    run = WorkerOutcome("prose", "1.0.0", table, None if ok else "ParseError: broken", 5)
    return JobResult(job, (run,), NOW)


def test_a_full_batch_is_handed_over_as_soon_as_it_is_full() -> None:
    documents = [fetched(c) for c in "abcde"]
    batches = LoadBatches("run", documents, {d.sha256: new_document(d) for d in documents}, 2)
    assert batches.add(result(documents[0])) is None
    full = batches.add(result(documents[1]))
    assert full is not None
    assert [d.sha256 for d in full.documents] == [documents[0].sha256, documents[1].sha256]
    assert [f.fetch_id for f in full.fetches] == ["fetch-a", "fetch-b"]
    assert len(full.parse_runs) == 2
    assert sum(len(t) for t in full.figures.values()) == 4
    assert batches.add(result(documents[2], ok=False)) is None
    rest = batches.rest()  # c (failed parse, no figures), then d and e (nothing to parse)
    assert [[d.sha256[0] for d in b.documents] for b in rest] == [["c", "d"], ["e"]]
    assert rest[0].figures == {} and rest[0].parse_runs[0].status == "failed"


@given(
    st.lists(st.sampled_from(["fetched", "unchanged", "failed"]), min_size=0, max_size=12),
    st.data(),
    st.integers(min_value=1, max_value=5),
)
def test_every_row_is_loaded_once_with_its_document(outcomes, data, size) -> None:
    documents = [fetched(chr(ord("a") + i), o) for i, o in enumerate(outcomes)]
    with_content = [d for d in documents if d.sha256]
    parsed = data.draw(st.permutations(with_content)).copy()[: data.draw(st.integers(0, 12))]
    new = {d.sha256: new_document(d) for d in with_content if d.fetch.outcome == "fetched"}
    batches = LoadBatches("run", documents, new, size)
    loaded = [b for b in (batches.add(result(d)) for d in parsed) if b] + batches.rest()
    fetch_ids = [f.fetch_id for b in loaded for f in b.fetches]
    assert sorted(fetch_ids) == sorted(d.fetch.fetch_id for d in documents)
    assert sorted(d.sha256 for b in loaded for d in b.documents) == sorted(new)
    for batch in loaded:
        shas = {f.sha256 for f in batch.fetches if f.sha256}
        assert {p.sha256 for p in batch.parse_runs} <= shas  # runs travel with their fetches
        assert {d.sha256 for d in batch.documents} <= shas
        assert len(shas) <= size
    assert sum(len(b.parse_runs) for b in loaded) == len(parsed)
