"""Hostile and broken documents: through the parsers' real entry point, through the budgeted
parse a run uses, and all at once through the real nightly flow. A document toll cannot read
is one recorded failure (its bytes kept in the archive); it never stops a run, never hangs
it, and never costs another document its figures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.batches import parse_run_rows
from flows.budget import Budget
from flows.jobs import JobResult, ParseJob, run_parse_job
from flows.sample_site.demo import write_demo_config
from parsers.media import sniff_media_type
from parsers.model import Document, Figure, Locator, ParseError
from parsers.normalize import normalize_figures
from parsers.numbers import MAX_COUNT
from parsers.registry import Parser, parse_document, run_parser
from tests.support import hostile_documents as hostile
from tests.support.warehouse_state import figure_signatures, published_torn
from warehouse import archive
from warehouse.database import reader
from warehouse.outputs.verify import verify

BUDGETED = {"pdf_many_objects", "pdf_stream_bomb"}
DOCUMENTS = {d.scenario: d for d in hostile.hostile_documents()}
# What each parser must say about a document it cannot read (None: it must read it).
FAILS_WITH = {
    "pdf_truncated": "PSEOF",
    "pdf_encrypted": "PDFPasswordIncorrect",
    "pdf_empty": "not a PDF",
    "pdf_garbage": "unreadable PDF",
    "pdf_nested_pages": "nested too deeply",
    "pdf_many_objects": "time budget of 4 s exceeded",
    "pdf_stream_bomb": "memory budget",
    "html_nested_tags": "nested more than 200 elements deep",
}
FIGURE_93 = {"html_wrong_charset", "html_unknown_charset", "html_scripts"}


def document(item: hostile.Hostile) -> Document:
    url = f"http://127.0.0.1/hostile/{item.name}"
    return Document.from_bytes(
        item.content,
        url=url,
        source="hostile",
        media_type=sniff_media_type(item.content, None, url),
        fetched_at=datetime.now(UTC),
    )


def _counts(outcome) -> list[int]:
    """The counts a parser stated: from its records, or from the columns a parse worker sent."""
    if hasattr(outcome, "figures"):
        return outcome.figures.column("count").to_pylist()
    return [r.count for r in outcome.records]


def check_outcomes(scenario: str, outcomes) -> None:
    """The contract, per scenario: the expected failure message, or records within bounds."""
    assert outcomes, "no parser ran"
    expected = FAILS_WITH.get(scenario)
    for outcome in outcomes:
        if expected:
            assert not outcome.ok and expected in outcome.error, (outcome.parser, outcome.error)
        else:
            assert outcome.ok, (outcome.parser, outcome.error)
        assert all(0 <= count <= MAX_COUNT for count in _counts(outcome))
    counts = sorted(count for o in outcomes for count in _counts(o))
    if scenario in FIGURE_93:
        assert counts == [93], counts  # read in the right encoding; nothing from scripts
    if scenario == "html_overflow_numbers":
        assert counts == [3, 12], counts  # only the plausible row


@pytest.mark.parametrize("scenario", sorted(set(DOCUMENTS) - BUDGETED))
def test_parsers_read_or_refuse_hostile_documents(scenario: str) -> None:
    check_outcomes(scenario, parse_document(document(DOCUMENTS[scenario])))


@pytest.mark.parametrize("scenario", sorted(BUDGETED))
def test_budget_stops_pathological_documents(scenario: str, tmp_path: Path) -> None:
    item = document(DOCUMENTS[scenario])
    path = archive.store(tmp_path, item.content, item.media_type)
    job = ParseJob(
        item.sha256, path, item.url, "hostile", item.media_type, item.fetched_at, None, None,
        parsers=("pdf_tables", "prose"),
    )  # fmt: skip
    result = run_parse_job(job, tmp_path, Budget(seconds=4, memory_mb=300))
    check_outcomes(scenario, result.outcomes)


def _figures(count: object, count_high: object = None) -> Parser:
    def parse(document: Document) -> list[Figure]:
        return [
            Figure("killed", count, "exact", "civilians", None, None, None,
                   Locator("text", char_start=0, char_end=5), "many", count_high=count_high)
        ]  # fmt: skip

    return Parser("counts", "1.0.0", frozenset({"text/plain"}), parse, "test parser")


@pytest.mark.parametrize(
    ("count", "count_high"), [(10**30, None), (-1, None), (2.5, None), (5, 10**19)]
)
def test_implausible_counts_are_skipped_with_a_warning(count, count_high) -> None:
    item = document(hostile.Hostile("x", "x.txt", b"many"))
    with pytest.raises(ParseError, match="implausible count"):
        normalize_figures(_figures(count, count_high).parse(item), item, "counts", "1.0.0")
    outcome = run_parser(_figures(count, count_high), item)
    assert outcome.ok and outcome.records == ()
    assert len(outcome.warnings) == 1 and "0 to 100,000,000" in outcome.warnings[0]


def test_one_implausible_number_keeps_the_other_figures() -> None:
    text = b"1 billion people were displaced. Airstrikes killed 35 civilians, including 9 children."
    (outcome,) = parse_document(document(hostile.Hostile("x", "x.txt", text)))
    assert outcome.ok and outcome.warnings and "implausible count 1e+09" in outcome.warnings[0]
    assert [(r.metric, r.count) for r in outcome.records] == [("killed", 35), ("killed", 9)]
    assert outcome.records[1].parent_figure_id == outcome.records[0].figure_id


def test_a_skipped_figure_reaches_the_parse_run_with_its_reason(tmp_path: Path) -> None:
    """Through the real parse job (archive, budgeted child) to the parse_runs row."""
    text = b"1 billion people were displaced. Airstrikes killed 35 civilians in Idlib."
    item = document(hostile.Hostile("x", "x.txt", text))
    path = archive.store(tmp_path, item.content, item.media_type)
    job = ParseJob(
        item.sha256, path, item.url, "hostile", item.media_type, item.fetched_at, None, None,
        parsers=("prose",),
    )  # fmt: skip
    (run,) = run_parse_job(job, tmp_path, Budget(seconds=20, memory_mb=300)).outcomes
    assert run.ok and run.figure_count == 1
    assert len(run.warnings) == 1 and "implausible count 1e+09" in run.warnings[0]
    (row, _), *_ = parse_run_rows(JobResult(job, (run,), item.fetched_at), "run-1")
    assert row.status == "ok" and row.warnings == list(run.warnings)


def test_library_errors_and_parser_bugs_become_parse_errors() -> None:
    def buggy(document: Document) -> list[Figure]:
        return {}["missing"]

    parser = Parser("buggy", "1.0.0", frozenset({"text/plain"}), buggy, "test parser")
    with pytest.raises(ParseError, match=r"parser bug at .*test_hostile_documents.py"):
        parser.records(document(hostile.Hostile("x", "x.txt", b"text")))


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_a_run_meets_every_hostile_document(
    home: Path, site, site_root: Path, sample_home: Path, reliability
) -> None:
    from flows.nightly import make_task_runner, nightly

    documents = hostile.hostile_documents()
    files = {d.name: d.content for d in documents}
    feed = hostile.serve(site_root, files, [f"/hostile/{d.name}" for d in documents])
    config = write_demo_config(home, site.base_url)
    config.write_text(
        config.read_text().replace(
            "[[sources]]", "[parse]\ntime_budget_seconds = 4\nmemory_budget_mb = 300\n\n[[sources]]"
        )
        + hostile.hostile_source(site.base_url, feed)
    )
    flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
    summary = flow(home=str(home), config_path=str(config))

    with reader(home) as conn:
        rows = conn.execute(
            """
            SELECT d.url, d.sha256, p.parser, p.status, p.error, p.figure_count
            FROM documents d JOIN parse_runs p USING (sha256)
            WHERE d.source_id = 'hostile' ORDER BY d.url, p.parser
            """
        ).fetchall()
        counts = dict(
            conn.execute(
                """
                SELECT d.url, list(f.count ORDER BY f.count) FROM figures f
                JOIN documents d USING (sha256) WHERE d.source_id = 'hostile' GROUP BY 1
                """
            ).fetchall()
        )
    missing = set(figure_signatures(sample_home)) - set(figure_signatures(home))
    problems = verify(home).problems
    torn = published_torn(home)
    for item in documents:
        url = f"{site.base_url}/hostile/{item.name}"
        runs = [r for r in rows if r[0] == url]
        errors = sorted({r[4] for r in runs if r[3] == "failed"})
        if errors:
            did = f"kept in the archive; parse recorded as failed: “{errors[0]}”"
        else:
            found = counts.get(url, [])
            shown = found if len(found) <= 5 else f"from {found[0]} to {found[-1]}"
            did = f"parsed: {len(found)} figure(s) {shown if found else ''}".strip()
            if item.scenario in FIGURE_93:
                did += ", read from the visible text in the right encoding"
        archived = bool(runs) and runs[0][1] == archive.file_sha256(home / archive.relative_path(
            runs[0][1], sniff_media_type(item.content, None, url)))  # fmt: skip
        lost = None if runs and archived and not missing and not problems and not torn else (
            f"{len(missing)} sample figure(s) missing" if missing else "document not archived"
        )  # fmt: skip
        reliability.record(item.scenario, did, summary.status != "failed", lost)

    assert summary.status == "partial"
    assert not missing, f"{len(missing)} figures of the sample site are missing"
    assert problems == [] and torn == []
    for item in documents:
        url = f"{site.base_url}/hostile/{item.name}"
        runs = [r for r in rows if r[0] == url]
        assert runs, f"{item.name} was not loaded as a document"
        expected = FAILS_WITH.get(item.scenario)
        for _url, _sha, parser, status, error, _count in runs:
            if expected:
                assert status == "failed" and expected in error, (item.name, parser, error)
            else:
                assert status == "ok", (item.name, parser, error)
        if item.scenario in FIGURE_93:
            assert counts.get(url) == [93], (item.name, counts.get(url))
    failed = {f["url"].removeprefix(site.base_url) for f in summary.failures}
    assert failed == {f"/hostile/{d.name}" for d in documents if d.scenario in FAILS_WITH}
