"""The work that has to be done: every parser on every document of an archive, in one warm
process (`parse_document` in a loop), the baseline issue 15 compares whole runs with.

Divided by the cores, it is the limit of a run on this machine: a first nightly or a
`toll reparse` of the same archive cannot take less, whatever its orchestration does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from flows.jobs import document_of, plan_jobs
from flows.reparse import archived_documents
from flows.warmup import warm_parsers
from parsers.registry import parse_document
from warehouse import archive

REPOSITORY = Path(__file__).resolve().parent.parent


def bare_parse(
    home: Path, part: int = 0, parts: int = 1, ready: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Parse the data folder's whole archive (or every `parts`-th document from `part` on) with
    every parser that claims each document, in this process after warming the parsers (then
    `ready()` is called); the time per media type and the figures read."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        jobs = plan_jobs(archived_documents(conn), set())[part::parts]
    warm_parsers()
    if ready is not None:
        ready()
    seconds: dict[str, float] = {}
    figures = 0
    for job in jobs:
        content = archive.read(home, job.archive_path, job.sha256)
        document = document_of(job, content)
        start = time.perf_counter()
        outcomes = parse_document(document, only=list(job.parsers))
        kind = "pdf" if job.media_type == "application/pdf" else "html"
        seconds[kind] = seconds.get(kind, 0.0) + time.perf_counter() - start
        figures += sum(len(o.records) for o in outcomes)
    return {
        "documents": len(jobs),
        "seconds": round(sum(seconds.values()), 2),
        "seconds_by_kind": {k: round(v, 2) for k, v in sorted(seconds.items())},
        "figures": figures,
    }


_PART_SCRIPT = """
import json, sys
from pathlib import Path
from benchmarks.bench_baseline import bare_parse

def ready():
    print("ready", flush=True)
    sys.stdin.readline()

print(json.dumps(bare_parse(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), ready)))
"""


def concurrent_bare_parse(home: Path, processes: int) -> float:
    """The archive's bare parse split over `processes` processes parsing at the same time
    (each warmed first, then all started together): seconds until the last one is done."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _PART_SCRIPT, str(home), str(part), str(processes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPOSITORY,
        )
        for part in range(processes)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    seconds = []
    for child in children:
        out, _ = child.communicate()
        seconds.append(json.loads(out.strip().splitlines()[-1])["seconds"])
    return max(seconds)


def parallel_ceiling(home: Path, processes: int, repeats: int = 3) -> dict[str, Any]:
    """What the machine allows before any orchestration: the bare parse in one process
    against the same documents split over `processes` concurrent processes (best of
    `repeats` each). On these virtual machines two parsing processes slow each other down
    (shared cache and memory bandwidth), so this is below `processes`."""
    one = min(concurrent_bare_parse(home, 1) for _ in range(repeats))
    many = min(concurrent_bare_parse(home, processes) for _ in range(repeats))
    return {
        "one_process_seconds": round(one, 2),
        f"{processes}_processes_seconds": round(many, 2),
        "speedup": round(one / many, 2),
    }


def forget_parses(home: Path) -> None:
    """Make every document of a data folder wait for every parser again, as an upgrade of
    every parser would: its parse runs and figures are deleted from the working copy (so that
    `toll reparse` re-parses the whole archive)."""
    writer = home / "state" / "warehouse-writer.duckdb"
    with duckdb.connect(str(writer)) as conn:
        conn.execute("DELETE FROM figures")
        conn.execute("DELETE FROM parse_runs")
        conn.execute("INSERT INTO changed_figures VALUES (NULL, NULL, NULL, NULL)")
