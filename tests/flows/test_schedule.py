"""`toll schedule` with nothing set up: it starts a local Prefect server, serves the nightly
deployment on an interval, a scheduled run loads the sample site, and SIGTERM stops both."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time

import httpx
import pytest

from flows.sample_site.demo import write_demo_config
from flows.schedule import free_port
from warehouse.database import reader
from warehouse.sql import scalar

pytestmark = pytest.mark.flow


def _lines_until(process: subprocess.Popen, marker: str, seconds: float) -> list[str]:
    """Read the process's output line by line until a line contains `marker`."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + seconds
    seen: list[str] = []
    while time.monotonic() < deadline:
        if not selector.select(deadline - time.monotonic()):
            break
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip())
        if marker in line:
            return seen
    raise AssertionError(f"{marker!r} not seen in {seconds:.0f} s; output:\n" + "\n".join(seen))


def test_scheduled_run_happens_and_the_server_stops(home, site, tmp_path) -> None:
    config = write_demo_config(home, site.base_url)
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "COLUMNS": "200"}
    env.pop("PREFECT_API_URL", None)
    command = [
        sys.executable, "-m", "flows.cli", "schedule", "--interval", "10", "--home", str(home),
        "--config", str(config), "--port", str(port), "--task-runner", "threads",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        output = _lines_until(process, "Prefect server and UI", 240)
        assert f"http://127.0.0.1:{port}" in output[-1]
        output += _lines_until(process, "finished: Completed", 300)
        other = tmp_path / "other-home"  # an ingest beside it uses its server, starts none
        ingest = subprocess.run(
            [sys.executable, "-m", "flows.cli", "ingest", "--home", str(other), "--config",
             str(config), "--task-runner", "threads"],
            capture_output=True, text=True, env=env, timeout=300, check=False,
        )  # fmt: skip
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=120)
    assert process.returncode == 0, "\n".join(output) + rest
    assert "schedule stopped" in rest
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    assert f"using the Prefect server of `toll schedule` at http://127.0.0.1:{port}/api" in (
        ingest.stderr
    )
    assert not (tmp_path / "prefect" / "toll-schedule-server.json").exists()
    with reader(home) as conn:
        assert scalar(conn, "SELECT count(*) FROM runs WHERE status = 'completed'") >= 1
        assert scalar(conn, "SELECT count(*) FROM figures") >= 100
    with pytest.raises(httpx.TransportError):  # the local server went away with it
        httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
