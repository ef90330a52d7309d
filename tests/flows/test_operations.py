"""Running every night for real: politeness (robots.txt, rate and concurrency limits),
backfill with a resumable cursor, parse budgets, task runners (threads, processes, Dask),
partial runs, run artifacts, progress and JSON logs, and two runs at once."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.acquire.fetch import Fetcher
from flows.acquire.politeness import Politeness
from flows.acquire.robots import forget_robots
from flows.budget import Budget, BudgetExceeded, run_within_budget
from flows.config import FetchSettings, SourceConfig
from flows.progress import LogLines
from flows.sample_site.demo import write_demo_config
from flows.sample_site.server import Fault
from warehouse.database import reader, writer_path
from warehouse.sql import scalar

PDF = "/wp-content/uploads/2024/02/M240201E.pdf"


def _config(home: Path, site, **changes: str) -> Path:
    """The demo sources file with some settings changed (TOML lines replaced)."""
    path = write_demo_config(home, site.base_url)
    text = path.read_text()
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)
    return path


def _nightly(home: Path, config: Path, runner: str = "threads", workers: int = 2):
    from flows.nightly import make_task_runner, nightly

    return nightly.with_options(task_runner=make_task_runner(runner, workers))(
        home=str(home), config_path=str(config)
    )


# ------------------------------------------------------------------------ robots.txt


def test_robots_txt_is_honoured_and_read_once_per_host(site, caplog) -> None:
    forget_robots()
    (site.root / "robots.txt").write_text(f"User-agent: *\nDisallow: {PDF}\n")
    with Fetcher(
        FetchSettings(), [site.host], Politeness(1000, 2), allow_private_addresses=True
    ) as fetcher:
        skipped = fetcher.get(site.base_url + PDF)
        allowed = fetcher.get(site.base_url + "/feed/")
        again = fetcher.get(site.base_url + PDF)
    assert skipped.outcome == "skipped" and "robots.txt" in skipped.error
    assert allowed.outcome == "fetched" and again.outcome == "skipped"
    assert site.requests_to(PDF) == []
    assert len(site.requests_to("/robots.txt")) == 1
    assert any("disallows" in r.message and PDF in r.message for r in caplog.records)


def test_unreadable_robots_txt_keeps_toll_away(site) -> None:
    forget_robots()
    site.faults["/robots.txt"] = Fault("status", status=503)
    settings = FetchSettings(max_attempts=1)
    with Fetcher(
        settings, [site.host], Politeness(1000, 2), allow_private_addresses=True
    ) as fetcher:
        result = fetcher.get(site.base_url + PDF)
    assert result.outcome == "failed" and site.requests_to(PDF) == []
    assert "robots.txt" in result.error and "unreachable: HTTP 503" in result.error


def test_a_host_that_does_not_answer_is_a_failed_fetch_not_a_robots_refusal() -> None:
    """With no network, robots.txt cannot be read: every URL of the host is a failed fetch
    saying the host is unreachable, never "disallowed by the site's robots.txt"."""
    import socket

    forget_robots()
    with socket.socket() as closed:  # a port nothing listens on: connection refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = FetchSettings(max_attempts=1)
    try:
        with Fetcher(
            settings, [f"127.0.0.1:{port}"], Politeness(1000, 2), allow_private_addresses=True
        ) as fetcher:
            result = fetcher.get(f"http://127.0.0.1:{port}/feed/")
    finally:
        forget_robots()  # the port may serve a site in a later test
    assert result.outcome == "failed"
    assert f"robots.txt of 127.0.0.1:{port} unreachable: ConnectError" in result.error
    assert "disallow" not in result.error


# ------------------------------------------------------------------------ politeness


def _local_source(site, name: str, **limits: int) -> SourceConfig:
    """A source on the local sample site, with the politeness limits under test."""
    return SourceConfig(
        name=name,
        publisher="x",
        homepage=site.base_url + "/",
        allowed_hosts=[site.host],
        allow_private_addresses=True,
        feeds=[site.base_url + "/feed/"],
        include=["."],
        **limits,
    )


def test_request_rate_seen_by_the_site_respects_the_limit(site, home) -> None:
    from flows.acquire.documents import fetch_and_archive, fetcher_for

    source = _local_source(site, "ratelimited", rate_limit_per_second=8, max_concurrency=3)
    from flows.acquire.discovery import Link

    links = [Link(f"{site.base_url}{p}") for p in _pdf_paths(site)]
    with fetcher_for(source, FetchSettings()) as fetcher:
        fetch_and_archive(fetcher, source, links, {}, home, "run")
    starts = sorted(r.at for r in site.requests if r.path.endswith(".pdf"))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    observed = (len(starts) - 1) / (starts[-1] - starts[0])
    print(f"rate limit 8/s: {len(starts)} requests at {observed:.2f}/s, min gap {min(gaps):.3f} s")
    assert len(starts) == 12
    assert min(gaps) >= 0.9 / 8  # never two requests closer than the limit allows
    assert observed <= 8 * 1.1


def test_concurrency_seen_by_the_site_respects_the_limit(site, home) -> None:
    from flows.acquire.discovery import Link
    from flows.acquire.documents import fetch_and_archive, fetcher_for

    for path in _pdf_paths(site):
        site.faults[path] = Fault("delay", seconds=0.3)
    source = _local_source(site, "concurrent", rate_limit_per_second=1000, max_concurrency=2)
    links = [Link(f"{site.base_url}{p}") for p in _pdf_paths(site)]
    with fetcher_for(source, FetchSettings()) as fetcher:
        fetch_and_archive(fetcher, source, links, {}, home, "run")
    assert site.max_in_flight == 2


def _pdf_paths(site) -> list[str]:
    return sorted(
        "/" + str(p.relative_to(site.root)) for p in site.root.glob("wp-content/**/*.pdf")
    )


# ------------------------------------------------------------------------ budgets


def _spin() -> None:
    while True:
        pass


def _allocate() -> bytes:
    return b"x" * (800 * 1024 * 1024)


def test_time_budget_stops_a_runaway_parse() -> None:
    with pytest.raises(BudgetExceeded, match=r"time budget of 0\.5 s"):
        run_within_budget(_spin, (), Budget(seconds=0.5, memory_mb=0))


def test_memory_budget_stops_a_greedy_parse() -> None:
    with pytest.raises(BudgetExceeded, match="memory budget of 200 MiB"):
        run_within_budget(_allocate, (), Budget(seconds=60, memory_mb=200))


def test_budget_returns_results_and_exceptions() -> None:
    assert run_within_budget(sum, ([1, 2, 3],), Budget()) == 6
    with pytest.raises(ZeroDivisionError):
        run_within_budget(divmod, (1, 0), Budget())


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_pathological_pdf_is_a_recorded_failure(home, site, site_root) -> None:
    from reportlab.pdfgen import canvas

    slow = site_root / PDF.lstrip("/")
    pdf = canvas.Canvas(str(slow), invariant=1)
    for _page in range(40):  # thousands of tiny ruled cells: slow to search for tables
        for i in range(120):
            for j in range(60):
                pdf.rect(20 + i * 4.5, 40 + j * 12, 4.5, 12)
        pdf.showPage()
    pdf.save()
    config = _config(
        home, site, **{"[[sources]]": "[parse]\ntime_budget_seconds = 1\n\n[[sources]]"}
    )
    summary = _nightly(home, config)
    failures = {f["stage"]: f["error"] for f in summary.failures if f["url"].endswith(PDF)}
    assert "time budget of 1 s exceeded" in failures["parse:pdf_tables"]
    assert summary.status == "partial" and summary.counts.figures_added >= 100


# ------------------------------------------------------------------------ runs


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_a_failing_source_never_hides_the_others(home, site) -> None:
    config = write_demo_config(home, site.base_url)
    text = config.read_text()
    sample = "[[sources]]" + text.split("[[sources]]", 1)[1]
    broken = (
        sample.replace('name = "sample"', 'name = "broken"')
        .replace("/feed/", "/no-such-feed/")
        .replace("/category/death-toll/", "/no-such-listing/")
    )
    config.write_text(text + "\n" + broken)
    summary = _nightly(home, config)
    assert summary.status == "partial" and summary.sources == ["sample", "broken"]
    assert {(f["source"], f["stage"]) for f in summary.failures} == {("broken", "discover")}
    assert summary.counts.figures_added >= 100
    with reader(home) as conn:
        assert scalar(conn, "SELECT status FROM runs") == "partial"


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_run_writes_a_summary_artifact(home, site) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    summary = _nightly(home, write_demo_config(home, site.base_url))
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["toll-nightly-summary"]))
        )
    assert any(summary.run_id in (a.data or "") for a in artifacts)
    assert any("| documents discovered |" in (a.data or "") for a in artifacts)


# A flow on Prefect's ephemeral server (no PREFECT_API_URL) whose process-pool task reports
# what its worker sees: the API address it inherited, and whether it started a server itself.
_WORKER_PROBE = """
import json, multiprocessing, os
from prefect import flow, task
from flows.runners import ProcessPoolRunner, flow_api_url, warm_up_workers

@task
def probe():
    from prefect.server.api.server import SubprocessASGIServer
    children = len(multiprocessing.active_children())
    return os.environ.get("PREFECT_API_URL"), bool(SubprocessASGIServer._instances), children

@flow(task_runner=ProcessPoolRunner(max_workers=1))
def probed():
    warm_up_workers()
    return flow_api_url(), probe.submit().result()

flow_url, (worker_url, worker_server, worker_children) = probed()
print(json.dumps({"flow": flow_url, "worker": worker_url, "worker_server": worker_server,
                  "worker_children": worker_children,
                  "left_set": os.environ.get("PREFECT_API_URL")}))
"""


@pytest.mark.flow
def test_worker_processes_report_to_the_flows_own_api() -> None:
    # Without the address, each worker started an ephemeral server of its own (8 s each).
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = subprocess.run(
        [sys.executable, "-c", _WORKER_PROBE],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["flow"] and seen["flow"].startswith("http://127.0.0.1:")
    assert seen["worker"] == seen["flow"]
    assert seen["worker_server"] is False
    # Prefect enters a copy of the runner in each worker: it must not start workers there.
    assert seen["worker_children"] == 0
    assert seen["left_set"] is None  # the flow's address does not outlive its runner


def test_shared_api_keeps_an_address_the_user_set(monkeypatch) -> None:
    from flows import runners

    class Opened:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

    class Runner(runners.SharedApi, Opened):
        pass

    monkeypatch.setattr(runners, "flow_api_url", lambda: "http://127.0.0.1:1/api/")
    monkeypatch.setenv("PREFECT_API_URL", "http://example.invalid/api/")
    with Runner():
        assert os.environ["PREFECT_API_URL"] == "http://example.invalid/api/"
    assert os.environ["PREFECT_API_URL"] == "http://example.invalid/api/"
    monkeypatch.delenv("PREFECT_API_URL")
    with Runner():
        assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:1/api/"
    assert "PREFECT_API_URL" not in os.environ


def test_parses_run_on_threads_when_each_runs_in_a_fork_server_child(monkeypatch) -> None:
    """Threads only wait on their children there; where a parse would run in the task's own
    thread (no budget, no pidfd), the interpreter lock would serialize them: processes."""
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    from flows import runners
    from flows.budget import Budget

    monkeypatch.setattr(runners, "uses_fork_server", lambda: True)
    assert runners.default_task_runner(Budget()) == "threads"
    assert runners.default_task_runner(Budget(seconds=0)) == "processes"
    threads = runners.make_task_runner(None, 3, budget=Budget())
    assert isinstance(threads, ThreadPoolTaskRunner) and threads._max_workers == 3
    assert isinstance(runners.make_task_runner(None, budget=Budget(0)), ProcessPoolTaskRunner)
    monkeypatch.setattr(runners, "uses_fork_server", lambda: False)
    assert runners.default_task_runner(Budget()) == "processes"
    unsized = runners.make_task_runner("threads")
    assert unsized._max_workers == os.cpu_count()  # one child parsing per core


def test_job_costs_come_from_archived_sizes(tmp_path) -> None:
    from datetime import UTC, datetime

    from flows.jobs import ParseJob
    from flows.tasks import job_costs

    (tmp_path / "big.pdf").write_bytes(b"x" * 4000)
    (tmp_path / "small.html").write_bytes(b"x" * 100)

    def job(path: str, parsers: tuple[str, ...]) -> ParseJob:
        return ParseJob(
            "0" * 64,
            path,
            "http://127.0.0.1/",
            "s",
            "text/html",
            datetime.now(UTC),
            None,
            None,
            parsers=parsers,
        )

    big, small, gone = job("big.pdf", ("a", "b")), job("small.html", ("a",)), job("x", ("a",))
    assert job_costs([big, small, gone], tmp_path) == [8000.0, 100.0, 1.0]


@pytest.mark.parametrize("command", ["ingest", "backfill", "reparse", "schedule"])
def test_dask_without_its_extra_says_in_one_line_how_to_install_it(
    home, monkeypatch, command: str
) -> None:
    from flows.cli.app import app

    monkeypatch.setitem(sys.modules, "prefect_dask", None)  # as on a plain `pip install toll`
    result = CliRunner().invoke(app, [command, "--home", str(home), "--task-runner", "dask"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "error: --task-runner dask needs the dask extra (prefect_dask is not installed): "
        "pip install 'toll[dask]' (in a checkout: pip install -e '.[dask]')"
    ]
    assert not (home / "warehouse.duckdb").exists()  # refused before any run began


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_dask_local_cluster_gives_the_same_figures(home, site, tmp_path) -> None:
    _nightly(home, write_demo_config(home, site.base_url), "threads")
    other = tmp_path / "dask-home"
    other.mkdir()
    summary = _nightly(other, write_demo_config(other, site.base_url), "dask", 2)
    assert summary.status == "completed"
    with reader(home) as a, reader(other) as b:
        query = "SELECT figure_id FROM figures ORDER BY 1"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_backfill_resumes_from_its_cursor(home, site) -> None:
    from flows.nightly import backfill, make_task_runner

    config = write_demo_config(home, site.base_url)
    flow = backfill.with_options(task_runner=make_task_runner("threads", 2))
    site.faults["/category/death-toll/page/2/"] = Fault("status", status=500)
    first = flow(home=str(home), config_path=str(config))
    assert first.status == "partial"
    with reader(home) as conn:
        cursor = conn.execute("SELECT next_url, pages_done, finished FROM crawl_cursors").fetchall()
    assert cursor == [(f"{site.base_url}/category/death-toll/page/2/", 1, False)]

    del site.faults["/category/death-toll/page/2/"]
    listing_first_page = len(site.requests_to("/category/death-toll/"))
    second = flow(home=str(home), config_path=str(config))
    assert second.status == "completed"
    assert len(site.requests_to("/category/death-toll/")) == listing_first_page  # resumed
    with reader(home) as conn:
        assert conn.execute("SELECT pages_done, finished FROM crawl_cursors").fetchall() == [
            (3, True)
        ]
        assert scalar(conn, "SELECT count(*) FROM documents") == 24  # every report, once


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_a_fresh_backfill_fetches_each_document_once(home, site) -> None:
    """The feed's reports come again in the listings: one fetch per URL and run, not a 200
    and then a 304 (it was 44 fetches for 24 URLs)."""
    from flows.nightly import backfill, make_task_runner

    config = write_demo_config(home, site.base_url)
    flow = backfill.with_options(task_runner=make_task_runner("threads", 2))
    assert flow(home=str(home), config_path=str(config)).status == "completed"
    with reader(home) as conn:
        twice = conn.execute(
            "SELECT url, count(*) FROM fetches GROUP BY url HAVING count(*) > 1"
        ).fetchall()
        fetched = scalar(conn, "SELECT count(*) FROM fetches")
        documents = scalar(conn, "SELECT count(DISTINCT url) FROM documents")
    assert twice == [] and fetched == documents
    pdf_requests = [r for r in site.requests if r.path.endswith(".pdf")]
    assert len(pdf_requests) == len({r.path for r in pdf_requests})


# ------------------------------------------------------------------------ observability


def test_log_lines_are_quiet() -> None:
    import logging

    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("toll.test-progress")
    logger.addHandler(Collect())
    logger.setLevel(logging.INFO)
    lines = LogLines(logger)
    lines.start("parse", 100)
    for _ in range(100):
        lines.advance("parse", 1)
    assert records == ["parse 25/100", "parse 50/100", "parse 75/100", "parse 100/100"]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_ingest_log_json(home, site) -> None:
    from flows.cli.app import app

    config = write_demo_config(home, site.base_url)
    result = CliRunner().invoke(
        app,
        ["ingest", "--home", str(home), "--config", str(config), "--task-runner", "threads",
         "--log-json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    stages = {e.get("stage") for e in events if e["logger"] == "toll.progress"}
    assert {"discover", "fetch", "parse", "load"} <= stages
    assert all({"time", "level", "logger", "message"} <= set(e) for e in events)


# ------------------------------------------------------------------------ two runs at once


def _toll(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.mark.flow
def test_two_ingests_at_once(home, site) -> None:
    config = write_demo_config(home, site.base_url)
    arrived, release = threading.Event(), threading.Event()
    site.faults["/feed/"] = Fault("gate", arrived=arrived, open=release)
    args = ["ingest", "--home", str(home), "--config", str(config), "--task-runner", "threads"]
    first = _toll(*args)
    try:
        assert arrived.wait(180), "the first ingest never reached the site"
        second = _toll(*args)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 75, out + err
        assert "another toll run is writing to" in err
        waiting = _toll(*args, "--wait")
    finally:
        release.set()
        site.faults.pop("/feed/")
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, out + err
    with duckdb.connect(str(writer_path(home)), read_only=True) as conn:
        runs = conn.execute("SELECT status FROM runs ORDER BY started_at").fetchall()
    assert runs == [("completed",), ("completed",)]
    with reader(home) as conn:  # the second run changed nothing, so it published nothing
        assert conn.execute("SELECT status FROM runs").fetchall() == [("completed",)]


# ------------------------------------------------------------------------ exit codes of a run


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_a_run_that_reached_no_source_failed(home) -> None:
    """No network: the run fetched nothing from any source, so it is `failed` (exit 1), and
    says the host was unreachable rather than that robots.txt forbade every URL."""
    import socket

    from flows.cli.app import app

    forget_robots()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    config = write_demo_config(home, f"http://127.0.0.1:{port}")
    try:
        result = CliRunner().invoke(
            app,
            ["ingest", "--home", str(home), "--config", str(config), "--task-runner", "threads"],
        )
    finally:
        forget_robots()  # the port may serve a site in a later test
    assert result.exit_code == 1, result.output
    assert "failed: nothing was fetched or parsed" in result.stderr
    assert "unreachable" in result.stdout and "disallowed" not in result.output
    with reader(home) as conn:
        assert conn.execute("SELECT status FROM runs").fetchall() == [("failed",)]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_a_partial_run_exits_3(home, site) -> None:
    from flows.cli.app import app

    site.faults[PDF] = Fault("status", status=500)
    config = _config(home, site, **{"max_attempts = 3": "max_attempts = 1"})
    result = CliRunner().invoke(
        app, ["ingest", "--home", str(home), "--config", str(config), "--task-runner", "threads"]
    )
    assert result.exit_code == 3, result.output
    assert "partial: 1 failure(s), listed above; everything else is published" in result.stderr


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_api")
def test_sources_gone_quiet_raise_alarms_in_the_run_summary(home, site) -> None:
    """The sample site's newest report is from January 2025, longer ago than its 45-day
    cadence; and when its feed and listing stop listing reports, the next run says so."""
    from flows.cli.app import app
    from flows.summary import summary_markdown

    config = write_demo_config(home, site.base_url)
    first = _nightly(home, config)
    assert [a.split(":")[0] for a in first.alarms] == ["source sample"]
    assert "nothing new since 2025-01-01" in first.alarms[0]
    assert "Alarms: sources gone quiet" in summary_markdown(first)
    for entry_point in ("/feed/", "/category/death-toll/"):
        site.faults[entry_point] = Fault("status", status=404)
    second = _nightly(home, config)
    assert any("discovery returned no report URL" in a for a in second.alarms)
    check = CliRunner().invoke(app, ["check", "--home", str(home)])
    assert "stale_source" in check.stdout and "discovery_found_nothing" in check.stdout
