"""Benchmark 8: the fixed cost every flow command pays before its run starts (issue 15).

An unchanged nightly of the bundled sample site (24 documents, all answering 304), run as
`toll ingest` in its own process: its wall time less the run's own time (lock to published)
is the fixed cost: starting Python, importing toll and Prefect, Prefect's temporary API
server, the flow engine, and stopping it all. Measured twice: as it is, and with a
`toll schedule` server running on this machine (which `toll ingest` then uses instead of
starting its own). Beside them, the parts that are toll's own: importing the command line
(`toll --help`), importing the flows, and opening and migrating the warehouse.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_flow import IngestRun, ingest, toll_command
from flows.sample_site.demo import write_demo_config
from flows.sample_site.server import SiteServer, bundled_site
from flows.schedule import free_port

IMPORT_FLOWS = "import time; t = time.perf_counter(); import flows.nightly; " \
    "print(time.perf_counter() - t)"  # fmt: skip
MIGRATE = (
    "import sys, time; from pathlib import Path; from warehouse.database import connect_writer; "
    "t = time.perf_counter(); connect_writer(Path(sys.argv[1])).close(); "
    "print(time.perf_counter() - t)"
)


def _seconds(command: list[str], repeats: int) -> float:
    """Best wall time of a command over `repeats`."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def _printed(command: list[str], repeats: int) -> float:
    """Best of the number a Python snippet prints."""
    return min(
        float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        for _ in range(repeats)
    )


def _fixed(runs: list[IngestRun]) -> dict[str, float]:
    best = min(runs, key=lambda r: r.wall_seconds - r.run_seconds)
    return {
        "wall_seconds": round(best.wall_seconds, 2),
        "run_seconds": round(best.run_seconds, 2),
        "fixed_seconds": round(best.wall_seconds - best.run_seconds, 2),
    }


def _schedule(home: Path, config: Path, port: int, env: dict[str, str]) -> subprocess.Popen:
    """`toll schedule` with a day's interval (it never runs during the benchmark), its output
    in a file (nothing reads it once the server is serving)."""
    log = home.parent / "schedule.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [toll_command(), "schedule", "--interval", "86400", "--home", str(home), "--config",
             str(config), "--port", str(port), "--task-runner", "threads"],
            stdout=out, stderr=subprocess.STDOUT, text=True, env=env,
        )  # fmt: skip
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if "serving deployment" in log.read_text(errors="replace"):
            break
        time.sleep(0.2)  # a benchmark's wait for a server to come up, not a test
    return process


def startup(workdir: Path, repeats: int = 3) -> dict[str, Any]:
    """Benchmark 8: the fixed cost of `toll ingest`, without and with a schedule server."""
    home = workdir / "home"
    prefect_home = workdir / "prefect-home"
    prefect_home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(prefect_home), "NO_COLOR": "1"}
    env.pop("PREFECT_API_URL", None)
    with SiteServer(bundled_site()) as site:
        config = write_demo_config(home, site.base_url)
        ingest(home, config)  # the first run loads the site; the next ones find it unchanged
        alone = [ingest(home, config) for _ in range(repeats)]
        server = _schedule(workdir / "scheduled-home", config, free_port(), env)
        try:
            beside = [ingest(home, config) for _ in range(repeats)]
        finally:
            # SIGTERM, as a service manager stops it: twice, after ingests had used it, the
            # server ignored SIGINT (in Prefect's serve loop) and stopped on SIGTERM
            server.send_signal(signal.SIGTERM)
            server.communicate(timeout=120)
    python = sys.executable
    return {
        "temporary_api_server": _fixed(alone),
        "schedule_server": _fixed(beside),
        "toll_help_seconds": round(_seconds([toll_command(), "--help"], repeats), 2),
        "python_seconds": round(_seconds([python, "-c", "pass"], repeats), 2),
        "import_flows_seconds": round(_printed([python, "-c", IMPORT_FLOWS], repeats), 2),
        "open_and_migrate_seconds": round(_printed([python, "-c", MIGRATE, str(home)], repeats), 3),
        "goal": "measure the fixed cost; cut toll's own; use a running toll schedule server",
    }
