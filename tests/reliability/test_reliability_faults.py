"""Every fault of the web, met by the real nightly flow: the run completes, the faulty
document is a recorded failure with a clear message (or is handled: a burst retried, a
mislabelled body sniffed), every other document is loaded, and the next run, with the fault
gone, finishes the work with exactly the figures of a clean run, none twice.

The scenario is a real nightly: a warehouse already holding the site (built once), and a
monitor that has since published a correction (a new article, a revised PDF). The fault is
switched on for one document of that night's work.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import generate
import pytest

from flows.sample_site.demo import write_demo_config
from flows.sample_site.server import Fault, SiteServer
from tests.support.warehouse_state import fetches_of, figure_ids, figure_ids_by_url, published_torn
from warehouse.database import reader
from warehouse.outputs.verify import verify
from warehouse.sql import scalar

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_api")]

REVISED = generate.make_report(6, corrected=True)
PDF = REVISED.pdf_path  # the revised report: same URL, new bytes
ARTICLE = REVISED.article_path  # the correction's article: a new URL
UNCHANGED_PDF = generate.make_report(5).pdf_path  # in the feed, not revised
GIB = 1 << 30
FAULT_SETTINGS = """timeout_seconds = 2
connect_timeout_seconds = 2
max_attempts = {attempts}
backoff_seconds = 0.05
max_backoff_seconds = 0.2
max_retry_after_seconds = 5
max_bytes = 5000000
deadline_seconds = 20
"""


def fault_config(home: Path, base_url: str, attempts: int = 3, budget: bool = True) -> Path:
    """The demo sources file with small network limits: 2 s timeouts, 3 attempts, 5 MB
    (without `budget`, parses run in the flow's workers, not in forked children: quicker)."""
    path = write_demo_config(home, base_url)
    text = path.read_text()
    old = "timeout_seconds = 10\nmax_attempts = 3\nbackoff_seconds = 0.2\n"
    assert old in text
    text = text.replace(old, FAULT_SETTINGS.format(attempts=attempts))
    if not budget:
        text = text.replace("[[sources]]", "[parse]\ntime_budget_seconds = 0\n\n[[sources]]")
    path.write_text(text)
    return path


def nightly(home: Path):
    from flows.nightly import make_task_runner, nightly

    flow = nightly.with_options(task_runner=make_task_runner("threads", 4))
    return flow(home=str(home), config_path=str(home / "demo-sources.toml"))


@dataclass
class World:
    """The site, a warehouse holding it before the correction, and the clean-run reference:
    what that warehouse holds after a nightly run with no fault."""

    site: SiteServer
    baseline: Path
    reference: list[str]
    reference_by_url: dict[str, set[str]]

    def url(self, path: str) -> str:
        return self.site.base_url + path


@pytest.fixture(scope="module")
def world(prefect_api, tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("fault-site") / "site"
    generate.build_site(root)
    with SiteServer(root=root) as site:
        baseline = tmp_path_factory.mktemp("fault-baseline") / "home"
        fault_config(baseline, site.base_url, budget=False)
        assert nightly(baseline).status == "completed"
        generate.build_site(root, corrected=frozenset({6}))
        clean = tmp_path_factory.mktemp("fault-reference") / "home"
        shutil.copytree(baseline, clean)
        fault_config(clean, site.base_url)
        summary = nightly(clean)
        assert summary.status == "completed" and summary.counts.fetched == 2
        yield World(site, baseline, figure_ids(clean), figure_ids_by_url(clean))


@dataclass(frozen=True)
class Case:
    """A fault on one document: `error` is what its recorded fetch failure must say, or None
    when toll must handle it and load the document in the same run."""

    scenario: str
    target: str
    fault: Callable[[], Fault]
    error: str | None = None
    did: str = ""
    attempts: int = 3  # a timeout costs 2 s an attempt: two are enough to show it


CASES = [
    Case("http_500_burst", PDF, lambda: Fault("status", times=2, status=500)),
    Case("http_502_burst", PDF, lambda: Fault("status", times=2, status=502)),
    Case("http_503_burst", PDF, lambda: Fault("status", times=2, status=503)),
    Case("http_503_persistent", PDF, lambda: Fault("status", status=503), "HTTP 503"),
    Case("http_429_retry_after", PDF, lambda: Fault("status", times=1, status=429, retry_after=1)),
    Case(
        "http_429_retry_after_too_long",
        PDF,
        lambda: Fault("status", status=429, retry_after=86400),
        "above the 5 s cap",
    ),
    Case("hang", PDF, lambda: Fault("hang"), "ReadTimeout", attempts=2),
    Case("stall", PDF, lambda: Fault("stall"), "ReadTimeout", attempts=2),
    Case("reset", PDF, lambda: Fault("reset"), "gave up after 3 attempts"),
    Case("truncated", PDF, lambda: Fault("truncate"), "without sending complete message body"),
    Case("redirect_loop", PDF, lambda: Fault("redirect_loop"), "more than 5 redirects"),
    Case(
        "redirect_offsite",
        PDF,
        lambda: Fault("redirect_offsite", location="http://offsite.invalid/report.pdf"),
        "outside the allowed hosts",
    ),
    Case(
        "html_served_as_pdf",
        ARTICLE,
        lambda: Fault("content_type", content_type="application/pdf"),
        did="parsed as text/html: the bytes decide, not the label",
    ),
    Case(
        "pdf_served_as_html",
        PDF,
        lambda: Fault("content_type", content_type="text/html; charset=utf-8"),
        did="parsed as application/pdf: the bytes decide, not the label",
    ),
    Case("oversize_announced", PDF, lambda: Fault("oversize", size=GIB), "above the 5000000"),
    Case(
        "oversize_chunked",
        PDF,
        lambda: Fault("oversize", size=GIB, announce=False),
        "download cut off",
    ),
    Case("gzip_bomb", PDF, lambda: Fault("gzip_bomb", size=200 << 20), "download cut off"),
    Case(
        "gzip_stacked",
        PDF,
        lambda: Fault("gzip_bomb", size=GIB, layers=2),
        "more than one encoding",
    ),
    Case(
        "etag_churn",
        UNCHANGED_PDF,
        lambda: Fault("etag_changes"),
        did="got 200 with a new ETag; the same SHA-256, so the fetch is recorded as "
        "unchanged and no new document version is made",
    ),
    Case(
        "changed_after_listing",
        ARTICLE,
        lambda: Fault("replace", body=b""),  # body filled in by the test
        did="archived and loaded the bytes it was served, under their own hash; the next run "
        "loaded the page as it now is, as a new version",
    ),
    Case("removed_after_listing", ARTICLE, lambda: Fault("status", status=404), "HTTP 404"),
]


def _affected(target: str) -> set[str]:
    """Documents a fault on `target` keeps out of the run (a failed article hides its PDF)."""
    return {target, PDF} if target == ARTICLE else {target}


@pytest.mark.parametrize("case", CASES, ids=[c.scenario for c in CASES])
def test_fault(case: Case, world: World, tmp_path: Path, reliability) -> None:
    home = tmp_path / "home"
    shutil.copytree(world.baseline, home)
    fault_config(home, world.site.base_url, case.attempts)
    site, url = world.site, world.url(case.target)
    fault = case.fault()
    if case.scenario == "changed_after_listing":
        file = site.resolve(case.target)
        body = site.body_of(file).replace(
            b"</article>",
            b"<p>Update: 4 civilians were killed in Idlib on 2 July 2024.</p></article>",
        )
        assert body != site.body_of(file)
        fault = Fault("replace", body=body)
    site.faults[case.target] = fault
    requests_before = len(site.requests_to(case.target))
    try:
        first = nightly(home)
    finally:
        site.faults.pop(case.target, None)
    requests = len(site.requests_to(case.target)) - requests_before
    fetch = [f for f in fetches_of(home, url) if f[0] == first.run_id][-1]
    _run_id, outcome, status_code, attempts, error, sha256 = fetch
    loaded_first = set(figure_ids(home))
    affected = {world.url(path) for path in _affected(case.target)}
    others = set().union(*(ids for u, ids in world.reference_by_url.items() if u not in affected))
    torn_first = published_torn(home)

    handled = first.status == "completed" and sorted(loaded_first) == world.reference
    second = None if handled else nightly(home)  # with the fault gone: finish the work
    final = figure_ids(home)
    lost = set(world.reference) - set(final)
    problems = verify(home).problems

    shown = (error or "").replace(site.base_url, "<site>")
    if case.error:
        did = (
            f"fetch recorded as failed after {attempts} attempt(s): “{shown}”; run partial, "
            "every other document loaded; the next run fetched and loaded it"
        )
    elif attempts > 1:
        did = f"fetched it on attempt {attempts} of 3; run completed, every document loaded"
    else:
        did = case.did
    missing = others - loaded_first
    reliability.record(
        case.scenario,
        did,
        completed=first.status in {"completed", "partial"}
        and (second is None or second.status == "completed"),
        lost=(f"{len(lost | missing)} figure(s)" if lost or missing else None)
        or (f"warehouse torn: {torn_first[:3]}" if torn_first else None)
        or (f"archive: {problems[:3]}" if problems else None),
    )

    assert not missing, "a fault on one document cost figures of others"
    assert torn_first == [] and problems == []
    if case.error:
        assert first.status == "partial"
        assert outcome == "failed" and case.error in error, error
        assert ("fetch", url) in {(f["stage"], f["url"]) for f in first.failures}
        assert sha256 is None
    else:
        assert first.status == "completed", first.failures
        assert outcome in {"fetched", "unchanged"}
    if case.scenario.endswith("_burst") or case.scenario == "http_429_retry_after":
        assert attempts == fault.hits + 1 == requests
    if case.scenario == "etag_churn":
        assert (outcome, status_code) == ("unchanged", 200)
    if case.scenario.startswith("oversize"):
        assert 0 < fault.sent < 100 << 20, f"{fault.sent} bytes of a 1 GiB body were sent"
    assert second is None or second.status == "completed", second.failures
    assert not lost, f"{len(lost)} figures of a clean run are missing after the fault cleared"
    assert len(final) == len(set(final))
    if case.scenario == "changed_after_listing":
        with reader(home) as conn:
            versions = scalar(conn, "SELECT count(*) FROM documents WHERE url = ?", [url])
        assert versions == 2 and set(final) > set(world.reference)
    else:
        assert final == world.reference
