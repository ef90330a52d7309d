"""kill -9 of `toll ingest` while it loads: the published warehouse still opens on the last
snapshot, the writer's copy reopens with whole batches only, the lock dies with the process,
and the next `toll ingest` finishes the work with exactly the figures of a clean run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.sample_site.demo import write_demo_config
from flows.sample_site.server import Fault
from tests.support.warehouse_state import figure_ids, published_torn, torn
from warehouse.database import reader, writer_path
from warehouse.outputs.verify import verify

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_api")]


def crash_config(home: Path, base_url: str) -> Path:
    """The demo sources file, one attempt per fetch and one document per load batch."""
    path = write_demo_config(home, base_url)
    text = path.read_text().replace("max_attempts = 3", "max_attempts = 1")
    path.write_text(text.replace("[[sources]]", "[load]\nbatch_documents = 1\n\n[[sources]]"))
    return path


def nightly(home: Path, config: Path):
    from flows.nightly import make_task_runner, nightly

    flow = nightly.with_options(task_runner=make_task_runner("threads", 2))
    return flow(home=str(home), config_path=str(config))


def ingest_until_a_batch_commits(home: Path, config: Path) -> tuple[subprocess.Popen, dict]:
    """Start `toll ingest --log-json` and read its log until a batch with figures is
    committed and more are to come; return the process (still running) and that event."""
    from prefect.settings import PREFECT_API_URL

    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "ingest", "--home", str(home), "--config",
         str(config), "--task-runner", "threads", "--log-json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()},  # the session's API
    )  # fmt: skip
    watchdog = threading.Timer(300, process.kill)  # an upper bound, never a wait
    watchdog.start()
    try:
        for line in process.stderr:
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            if (
                event.get("event") == "batch_committed"
                and event["figures"] > 0
                and event["batch"] < event["batches"]
            ):
                return process, event
    finally:
        watchdog.cancel()
    raise AssertionError(f"ingest ended (status {process.wait()}) before a batch committed")


def test_kill_9_during_load(home: Path, site, tmp_path: Path, reliability) -> None:
    from flows.cli.app import app
    from flows.runlock import lock_holder

    clean = tmp_path / "clean"
    assert nightly(clean, crash_config(clean, site.base_url)).status == "completed"
    reference = figure_ids(clean)

    config = crash_config(home, site.base_url)
    pdfs = ["/" + str(p.relative_to(site.root)) for p in site.root.glob("wp-content/**/*.pdf")]
    for path in pdfs:  # the first run loads the articles; the PDFs are left to the next
        site.faults[path] = Fault("status", status=503)
    assert nightly(home, config).status == "partial"
    site.faults.clear()
    snapshot = figure_ids(home)

    process, event = ingest_until_a_batch_commits(home, config)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    process.stderr.close()

    with reader(home) as conn:  # the analysts' file: the last published snapshot, whole
        published_runs = conn.execute("SELECT status FROM runs").fetchall()
    published_ids = figure_ids(home)
    conn = duckdb.connect(str(writer_path(home)))  # the writer's copy replays its log
    try:
        broken = torn(conn)
        running = conn.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()
        loaded = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        conn.close()
    holder = lock_holder(home)

    result = CliRunner().invoke(
        app, ["ingest", "--home", str(home), "--config", str(config), "--task-runner", "threads"]
    )
    with reader(home) as conn:
        statuses = [
            r[0] for r in conn.execute("SELECT status FROM runs ORDER BY started_at").fetchall()
        ]
    final = figure_ids(home)
    lost = set(reference) - set(final)
    reliability.record(
        "kill_during_load",
        f"killed after batch {event['batch']} of {event['batches']} committed: the published "
        "warehouse still opened on the previous run's snapshot; the working copy reopened "
        f"with {loaded} whole document(s), nothing half-written; the lock was free; the next "
        "`toll ingest` marked the killed run abandoned and loaded the rest, each figure once",
        result.exit_code == 0,
        f"{len(lost)} figure(s)" if lost else None,
    )

    assert published_runs == [("partial",)] and published_ids == snapshot
    assert broken == [] and running == (1,), "the killed run must not look finished"
    assert holder is None, "the writer lock outlived the killed process"
    assert result.exit_code == 0, result.output
    assert statuses == ["partial", "abandoned", "completed"]
    assert final == reference and published_torn(home) == []
    assert verify(home).problems == []
