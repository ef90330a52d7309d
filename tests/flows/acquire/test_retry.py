"""A document a run could not fetch is tried again by the next nightly runs, even once its
report has left the feed and the first listing page, for RETRY_DAYS."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from flows.acquire.retry import RETRY_DAYS, failed_urls
from flows.sample_site.demo import write_demo_config
from flows.sample_site.server import Fault
from tests.support.records import NOW
from tests.support.warehouse_state import figure_signatures
from warehouse.database import writer
from warehouse.load import load_batch
from warehouse.rows import FetchRow, LoadBatch

OLD_PDF = "/wp-content/uploads/2024/02/M240201E.pdf"  # January's report: not in the feed


def fetch(url: str, run: str, outcome: str, days_ago: int) -> FetchRow:
    return FetchRow(
        fetch_id=f"{run}-{url}", run_id=run, source_id="sample", url=url, final_url=None,
        requested_at=NOW - timedelta(days=days_ago), status_code=503, outcome=outcome,
        etag=None, last_modified=None, content_type=None, bytes=None, sha256=None, attempts=1,
        duration_ms=1, error="HTTP 503" if outcome == "failed" else None,
    )  # fmt: skip


def test_failures_are_retried_for_a_while(home: Path) -> None:
    with writer(home) as conn:
        load_batch(
            conn,
            LoadBatch(
                "r",
                fetches=[
                    fetch("https://x/recent", "r1", "failed", 2),
                    fetch("https://x/recent", "r2", "failed", 1),
                    fetch("https://x/old", "r0", "failed", RETRY_DAYS + 1),
                    fetch("https://x/old", "r3", "failed", 1),
                    fetch("https://x/skipped", "r1", "skipped", 1),
                ],
            ),
        )
        found = failed_urls(conn, "sample", NOW)
    assert set(found) == {"https://x/recent"} and sorted(found["https://x/recent"]) == ["r1", "r2"]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_a_failed_document_off_the_feed_is_fetched_by_the_next_night(
    home: Path, site, sample_home: Path
) -> None:
    from flows.nightly import make_task_runner, nightly

    config = write_demo_config(home, site.base_url)
    flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
    site.faults[OLD_PDF] = Fault("status", status=503)
    first = flow(home=str(home), config_path=str(config))
    site.faults.clear()
    assert first.status == "partial"
    assert [f["url"].removeprefix(site.base_url) for f in first.failures] == [OLD_PDF]
    requests = len(site.requests_to(OLD_PDF))
    second = flow(home=str(home), config_path=str(config))
    assert second.status == "completed" and len(site.requests_to(OLD_PDF)) == requests + 1
    assert figure_signatures(home) == figure_signatures(sample_home)  # as if it never failed
