"""Run bookkeeping in `runs`: a run is recorded as running when it starts and with its status,
counts and failures when it ends; runs a crashed process left running are marked abandoned."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

import duckdb

from warehouse.rows import RunCounts
from warehouse.sql import scalar


def start_run(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    flow: str,
    sources: Sequence[str],
    started_at: datetime,
    prefect_flow_run_id: str | None,
) -> None:
    """Record a run as running."""
    conn.execute(
        """
        INSERT INTO runs (run_id, flow, started_at, status, sources, prefect_flow_run_id)
        VALUES (?, ?, ?, 'running', ?, ?)
        """,
        [run_id, flow, started_at, list(sources), prefect_flow_run_id],
    )


def abandon_stale_runs(conn: duckdb.DuckDBPyConnection, now: datetime) -> int:
    """Mark runs left 'running' by a crashed process as 'abandoned'; returns how many.

    Only call this while holding the writer lock: then no other run can be running.
    """
    stale = scalar(conn, "SELECT count(*) FROM runs WHERE status = 'running'")
    if stale:
        conn.execute(
            "UPDATE runs SET status = 'abandoned', finished_at = ? WHERE status = 'running'",
            [now],
        )
    return int(stale)


def finish_run(
    conn: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    counts: RunCounts,
    failures: list[dict[str, str]],
    finished_at: datetime,
) -> None:
    """Record how a run ended."""
    values = asdict(counts)
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(
        f"UPDATE runs SET status = ?, finished_at = ?, failures = ?, {assignments} "
        "WHERE run_id = ?",
        [status, finished_at, json.dumps(failures), *values.values(), run_id],
    )


def run_status(counts: RunCounts, failures: Sequence[object]) -> str:
    """How a run that ran to its end is recorded: `completed` with no failure; `failed`
    when something failed and nothing was fetched, found unchanged or parsed (every source
    unreachable, say: nothing new could be published); `partial` otherwise."""
    if not failures:
        return "completed"
    if counts.fetched + counts.not_modified + counts.parsed == 0:
        return "failed"
    return "partial"
