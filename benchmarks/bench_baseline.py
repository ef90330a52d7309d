"""The work that has to be done: every parser on every document of an archive, in one warm
process (`parse_document` in a loop), the baseline issue 15 compares whole runs with.

Divided by the cores, it is the limit of a run on this machine: a first nightly or a
`toll reparse` of the same archive cannot take less, whatever its orchestration does.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

from flows.jobs import document_of, plan_jobs
from flows.reparse import archived_documents
from flows.warmup import warm_parsers
from parsers.registry import parse_document
from warehouse import archive


def bare_parse(home: Path) -> dict[str, Any]:
    """Parse the data folder's whole archive with every parser that claims each document, in
    this process after warming the parsers; the time per media type and the figures read."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        jobs = plan_jobs(archived_documents(conn), set())
    warm_parsers()
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


def forget_parses(home: Path) -> None:
    """Make every document of a data folder wait for every parser again, as an upgrade of
    every parser would: its parse runs and figures are deleted from the working copy (so that
    `toll reparse` re-parses the whole archive)."""
    writer = home / "state" / "warehouse-writer.duckdb"
    with duckdb.connect(str(writer)) as conn:
        conn.execute("DELETE FROM figures")
        conn.execute("DELETE FROM parse_runs")
        conn.execute("INSERT INTO changed_figures VALUES (NULL, NULL, NULL, NULL)")
